// init: sets a workspace up for agents — .runboard/ with its .gitignore, and the instruction block
// in AGENTS.md (CLAUDE.md, .github/copilot-instructions.md by flag; --print only prints it).
// Running it again changes nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AGENT_INSTRUCTIONS,
  INSTRUCTION_FILES,
  InstructionFile,
  withAgentInstructions,
  withGitignoreRules,
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

/**
 * Where `file` leads when it is a link out of the root: init writes no file outside the workspace.
 * (A repository can carry such a link; one to a file in the workspace — AGENTS.md to CLAUDE.md — is written through.)
 */
function outsideRoot(root: string, file: string): string | undefined {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    // Not there: written new — unless a link is, dangling (writing would make its target) …
    const link = fs.lstatSync(file, { throwIfNoEntry: false });
    if (link?.isSymbolicLink()) return path.resolve(path.dirname(file), fs.readlinkSync(file));
    // … or the folder it goes in leads out (.github a link elsewhere).
    let folder = path.dirname(file);
    while (!fs.existsSync(folder) && path.dirname(folder) !== folder) folder = path.dirname(folder);
    real = path.join(fs.realpathSync(folder), path.relative(folder, file));
  }
  const inside = path.relative(fs.realpathSync(root), real);
  return inside.startsWith('..') || path.isAbsolute(inside) ? real : undefined;
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
  const skipped: string[] = [];
  const write = (file: string, text: () => string) => {
    const away = outsideRoot(root, file);
    if (away !== undefined) skipped.push(`${path.relative(root, file)} leads out of the workspace, to ${away}: not written`);
    else if (writeIfChanged(file, text())) changed.push(path.relative(root, file));
  };
  const gitignore = path.join(root, RUNBOARD_DIR, '.gitignore');
  write(gitignore, () => withGitignoreRules(readIfExists(gitignore)));
  for (const t of targets) {
    const file = path.join(root, INSTRUCTION_FILES[t]);
    write(file, () => withAgentInstructions(readIfExists(file)));
  }
  for (const s of skipped) out.warn(`runboard: ${s} (runboard init --print shows the instructions).`);
  out.result({ root, changed, ...(skipped.length > 0 ? { skipped } : {}) }, () =>
    changed.length === 0
      ? skipped.length === 0
        ? `${root} is set up for agents already; nothing changed.`
        : 'Nothing written.'
      : [`Set up ${root} for agents:`, ...changed.map((f) => `  wrote ${f}`), 'Commit them; .runboard/ keeps the rest out of git.'].join(
          '\n',
        ),
  );
}
