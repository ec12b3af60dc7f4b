// Passwords of database boards (PROTOCOL.md §Boards), kept in VS Code's secret storage and handed
// to the server it starts in BOARD_PASSWORDS_ENV — never written to a file, a command line or the
// protocol. Which boards a workspace uses is read from its folders' .runboard/board.json (only in
// a trusted workspace: an untrusted one does not connect to a database at all).
import * as vscode from 'vscode';
import { BOARD_CONFIG_FILE, BOARD_PASSWORDS_ENV, RUNBOARD_DIR } from '../../../contract/layout';

const KEY_PREFIX = 'runboard.postgres.password:';

/** The database boards the open folders name (the server checks the rest of board.json). */
export async function workspaceBoards(
  folders: readonly vscode.WorkspaceFolder[] = vscode.workspace.workspaceFolders ?? [],
): Promise<string[]> {
  const boards = new Set<string>();
  for (const folder of folders) {
    const uri = vscode.Uri.joinPath(folder.uri, RUNBOARD_DIR, BOARD_CONFIG_FILE);
    try {
      const config = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as { store?: unknown; board?: unknown };
      if (config.store === 'postgres' && typeof config.board === 'string') boards.add(config.board);
    } catch {
      // No board.json (a board of files), or one the server will say is wrong.
    }
  }
  return [...boards].sort();
}

export class BoardPasswords {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** Keeps (or, when empty, forgets) the password of `board`. */
  async set(board: string, password: string): Promise<void> {
    if (password === '') await this.secrets.delete(KEY_PREFIX + board);
    else await this.secrets.store(KEY_PREFIX + board, password);
  }

  /** The environment the server needs for the workspace's boards: their kept passwords, if any. */
  async serverEnv(boards: string[]): Promise<Record<string, string>> {
    const kept: Record<string, string> = {};
    for (const board of boards) {
      const password = await this.secrets.get(KEY_PREFIX + board);
      if (password) kept[board] = password;
    }
    return Object.keys(kept).length > 0 ? { [BOARD_PASSWORDS_ENV]: JSON.stringify(kept) } : {};
  }
}
