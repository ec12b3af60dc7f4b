// A shell left in a folder that was removed — a task's worktree, removed when its task was done
// (claim --worktree had moved the shell there) — starts every process without a current folder:
// process.cwd() throws. The CLI then works from its root, which it does not need the current
// folder to find: an absolute --root, else RUNBOARD_ROOT (the claim exported it). Without either
// it says what happened, instead of crashing.
import * as path from 'node:path';
import { EXIT } from './output';

/** The value of --root in the arguments, if given. */
function rootArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root') return argv[i + 1];
    if (argv[i].startsWith('--root=')) return argv[i].slice('--root='.length);
  }
  return undefined;
}

/** Moves this process to its root when its current folder is gone; exits 2, saying why, when there is none to move to. */
export function leaveRemovedFolder(argv: readonly string[], env: NodeJS.ProcessEnv): void {
  try {
    process.cwd();
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const root = rootArgument(argv) ?? (env.RUNBOARD_ROOT?.trim() || undefined);
  if (root !== undefined && path.isAbsolute(root)) {
    try {
      process.chdir(root);
      return;
    } catch {
      // Gone too: said below.
    }
  }
  process.stderr.write(
    'runboard: the current folder no longer exists (a task worktree removed once its task was done?): cd to the workspace, or set RUNBOARD_ROOT.\n',
  );
  process.exit(EXIT.usage);
}
