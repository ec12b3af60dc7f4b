// Running git for the worktree commands: `git` from PATH, in a given folder, its output as text.
// git missing, or a folder outside any repository, is GIT_UNAVAILABLE saying which; a git that
// refuses (a conflict, a branch in use) is GIT_FAILED with what git said.
import { execFileSync } from 'node:child_process';
import { DomainError } from '../engine/errors';

export function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT')
      throw new DomainError(
        'GIT_UNAVAILABLE',
        'git is not installed (or not on PATH): worktrees need it. Install git, or claim without --worktree.',
      );
    const said = (err.stderr ?? err.message).trim().split('\n').slice(0, 4).join(' ');
    throw new DomainError('GIT_FAILED', `git ${args[0]} failed in ${cwd}: ${said}`, { git: args.join(' ') });
  }
}

/** The top folder of the repository holding `dir`; GIT_UNAVAILABLE when there is none. */
export function repositoryTop(dir: string): string {
  try {
    return git(dir, ['rev-parse', '--show-toplevel']);
  } catch (e) {
    if (e instanceof DomainError && e.code === 'GIT_FAILED')
      throw new DomainError('GIT_UNAVAILABLE', `${dir} is not in a git repository: worktrees need one (git init, and a first commit).`, {
        root: dir,
      });
    throw e;
  }
}

/** Whether a branch of that name exists. */
export function branchExists(top: string, branch: string): boolean {
  try {
    git(top, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`]);
    return true;
  } catch {
    return false;
  }
}
