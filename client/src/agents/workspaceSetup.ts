// "Set Up Workspace for Agents": what `runboard init` does, from the editor — .runboard/'s
// .gitignore and the instruction block in AGENTS.md of every folder (contract/agentSetup.ts).
// Running it again changes nothing.
import * as vscode from 'vscode';
import { INSTRUCTION_FILES, RUNBOARD_GITIGNORE, withAgentInstructions } from '../../../contract/agentSetup';
import { RUNBOARD_DIR } from '../../../contract/layout';
import type { CommandSpec } from '../commands/commandKit';
import type { RunboardContext } from '../context';

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

/** Writes `text` unless the file holds exactly that; returns whether it wrote. */
async function writeIfChanged(uri: vscode.Uri, text: string): Promise<boolean> {
  if ((await readText(uri)) === text) return false;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return true;
}

export function workspaceSetupCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.initWorkspace',
    writes: true,
    offline: true,
    run: async () => {
      const changed: string[] = [];
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        const gitignore = vscode.Uri.joinPath(folder.uri, RUNBOARD_DIR, '.gitignore');
        if (await writeIfChanged(gitignore, RUNBOARD_GITIGNORE)) changed.push(vscode.workspace.asRelativePath(gitignore, true));
        const agents = vscode.Uri.joinPath(folder.uri, INSTRUCTION_FILES.agents);
        if (await writeIfChanged(agents, withAgentInstructions(await readText(agents))))
          changed.push(vscode.workspace.asRelativePath(agents, true));
      }
      ctx.notify(
        'info',
        changed.length === 0
          ? 'The workspace is set up for agents already; nothing changed.'
          : `Set up for agents: ${changed.join(', ')}. Commit them; .runboard/ keeps the runs out of git.`,
      );
      return changed;
    },
  };
}
