// init: sets a workspace up for agents — .runboard/ with its .gitignore, and the instruction block
// in AGENTS.md (CLAUDE.md, .github/copilot-instructions.md by flag; --print only prints it).
// Running it again changes nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AGENT_INSTRUCTIONS,
  INSTRUCTION_FILES,
  InstructionFile,
  RUNBOARD_GITIGNORE,
  withAgentInstructions,
} from '../../../../contract/agentSetup';
import { RUNBOARD_DIR } from '../../../../contract/layout';
import { Invocation } from '../invocation';

/** Writes `text` to `file` unless it already holds exactly that; returns whether it wrote. */
function writeIfChanged(file: string, text: string): boolean {
  let before: string | undefined;
  try {
    before = fs.readFileSync(file, 'utf8');
  } catch {
    before = undefined;
  }
  if (before === text) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return true;
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export async function init({ session, out, opts }: Invocation): Promise<void> {
  const root = session.root;
  if (opts.print === true) {
    out.result({ instructions: AGENT_INSTRUCTIONS }, () => AGENT_INSTRUCTIONS);
    return;
  }
  const targets: InstructionFile[] = [
    'agents',
    ...(opts.claude ? (['claude'] as const) : []),
    ...(opts.copilot ? (['copilot'] as const) : []),
  ];
  const changed: string[] = [];
  const gitignore = path.join(root, RUNBOARD_DIR, '.gitignore');
  if (writeIfChanged(gitignore, RUNBOARD_GITIGNORE)) changed.push(path.relative(root, gitignore));
  for (const t of targets) {
    const file = path.join(root, INSTRUCTION_FILES[t]);
    if (writeIfChanged(file, withAgentInstructions(readIfExists(file)))) changed.push(INSTRUCTION_FILES[t]);
  }
  out.result({ root, changed }, () =>
    changed.length === 0
      ? `${root} is set up for agents already; nothing changed.`
      : [`Set up ${root} for agents:`, ...changed.map((f) => `  wrote ${f}`), 'Commit them; .runboard/ keeps the rest out of git.'].join(
          '\n',
        ),
  );
}
