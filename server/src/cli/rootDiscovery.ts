// Which workspace the CLI works on: --root (an existing folder), else RUNBOARD_ROOT (a task's git
// worktree exports it: calls from inside the worktree reach the run's own .runboard/, not a copy
// checked out there), else like git, the nearest ancestor folder holding `.runboard/` — or the top
// of a task's worktree, whose board is its main worktree's (boardRoot.ts) —, else the starting
// folder itself. A root given that is such a worktree is its main worktree's too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boardRootOf, holdsBoard, worktreeBoard } from '../worktrees/boardRoot';
import { UsageError } from './usageError';

/** The root of an invocation: --root when given, else found from `cwd`. */
export function rootOf(given: string | undefined, cwd: string): string {
  return given !== undefined ? boardRootOf(checkedRoot(given)) : findRoot(cwd);
}

export function findRoot(start: string): string {
  const from = path.resolve(start);
  for (let dir = from; ; dir = path.dirname(dir)) {
    const main = worktreeBoard(dir);
    if (main !== undefined) return main;
    if (holdsBoard(dir)) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

/** --root names an existing folder: a typo must not make a new one on the first write, nor a file be taken for it. */
export function checkedRoot(root: string): string {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(root);
  } catch {
    throw new UsageError(`--root ${root} does not exist: pass an existing workspace folder.`);
  }
  if (!st.isDirectory()) throw new UsageError(`--root ${root} is a file, not a folder: pass the workspace folder.`);
  return root;
}
