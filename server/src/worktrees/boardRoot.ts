// Whose board a folder shows (PROTOCOL.md §Worktrees): a linked git worktree without runs of its
// own — a task's worktree: the runs are not checked out, at most `.runboard/.gitignore` is —
// shows the board of its repository's main worktree when that has one; any other folder is its own
// root. So a window,
// an MCP server or a CLI call opened on a task's worktree reaches the run's real board, and the
// run's workspace lease takes the worktree for the run's own folder. Read from git's files alone
// (no git process): the CLI's thin path and every server's root go through this.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUNBOARD_DIR, RUNS_DIR } from '../../../contract/layout';

// Every CLI call asks this of its root: no exception for a missing file (throwIfNoEntry: false).
function isFolder(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false; // not a folder in the way (ENOTDIR), or not readable
  }
}

/**
 * The main worktree of the repository whose linked worktree `dir` is the top of; undefined when it
 * is not one (no `.git` file; a submodule's `.git` file, whose git folder has no `commondir`; a bare
 * repository, which has no main worktree).
 */
export function mainWorktreeOf(dir: string): string | undefined {
  try {
    const dotGit = path.join(dir, '.git');
    if (fs.statSync(dotGit, { throwIfNoEntry: false })?.isFile() !== true) return undefined;
    const gitDir = /^gitdir:\s*(.+?)\s*$/m.exec(fs.readFileSync(dotGit, 'utf8'))?.[1];
    if (!gitDir) return undefined;
    const ownGitDir = path.resolve(dir, gitDir);
    const common = path.resolve(ownGitDir, fs.readFileSync(path.join(ownGitDir, 'commondir'), 'utf8').trim());
    return path.basename(common) === '.git' ? path.dirname(common) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a folder holds a board (`.runboard/`). */
export function holdsBoard(dir: string): boolean {
  return isFolder(path.join(dir, RUNBOARD_DIR));
}

/**
 * The main worktree whose board a linked worktree shows: when `dir` is the top of one whose main
 * worktree holds a board and it has no runs of its own (`runboard init` commits `.runboard/.gitignore`,
 * so a worktree's checkout has a `.runboard/` with nothing in it but what git keeps).
 */
export function worktreeBoard(dir: string): string | undefined {
  const main = mainWorktreeOf(dir);
  if (main === undefined || !holdsBoard(main) || isFolder(path.join(dir, RUNBOARD_DIR, RUNS_DIR))) return undefined;
  return main;
}

/** The root whose board `dir` shows: its main worktree's for a task's worktree (worktreeBoard), else `dir` itself. */
export function boardRootOf(dir: string): string {
  return worktreeBoard(dir) ?? dir;
}
