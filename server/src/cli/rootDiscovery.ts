// Which workspace the CLI works on: --root (an existing folder), else RUNBOARD_ROOT (a task's git
// worktree exports it: calls from inside the worktree reach the run's own .runboard/, not a copy
// checked out there), else like git, the nearest ancestor folder holding `.runboard/` — or the top
// of a task's worktree, whose board is its main worktree's (boardRoot.ts) —, else the starting
// folder itself. A root given that is such a worktree is its main worktree's too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boardRootOf, holdsBoard, worktreeBoard } from '../worktrees/boardRoot';
import { UsageError } from './usageError';

/** The root of an invocation: --root when given, else RUNBOARD_ROOT, else found from `cwd`. */
export function rootOf(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  if (flag !== undefined) return boardRootOf(checkedRoot(flag, '--root'));
  const fromEnv = env.RUNBOARD_ROOT?.trim();
  // Named as it was given: an agent told "--root" looks for a flag it never passed (claim --worktree exported the variable).
  return fromEnv ? boardRootOf(checkedRoot(fromEnv, 'RUNBOARD_ROOT')) : findRoot(cwd);
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

/** --root (or RUNBOARD_ROOT) names an existing folder: a typo must not make a new one on the first write, nor a file be taken for it. */
export function checkedRoot(root: string, given: '--root' | 'RUNBOARD_ROOT'): string {
  const as = given === '--root' ? `--root ${root}` : `RUNBOARD_ROOT=${root}`;
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(root);
  } catch {
    throw new UsageError(`${as} does not exist: ${given === '--root' ? 'pass' : 'set it to'} an existing workspace folder.`);
  }
  if (!st.isDirectory())
    throw new UsageError(`${as} is a file, not a folder: ${given === '--root' ? 'pass' : 'set it to'} the workspace folder.`);
  return root;
}
