// Running git for the worktree commands: `git` from PATH, in a given folder, its output as text —
// asynchronously, so an editor's extension host is never blocked while git works.
// git missing, or a folder outside any repository, is GIT_UNAVAILABLE saying which; a git that
// refuses (a conflict, a branch in use) is GIT_FAILED with what git said.
import { execFile } from 'node:child_process';
import { DomainError } from '../../../contract/domainError';

export function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout.trim());
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return reject(
          new DomainError(
            'GIT_UNAVAILABLE',
            'git is not installed (or not on PATH): worktrees need it. Install git, or claim without a worktree.',
          ),
        );
      const said = (stderr || error.message).trim().split('\n').slice(0, 4).join(' ');
      reject(new DomainError('GIT_FAILED', `git ${args[0]} failed in ${cwd}: ${said}`, { git: args.join(' ') }));
    });
  });
}

/** git's output, or '' when it fails (a clean-up that may have nothing to do). */
export async function gitOrEmpty(cwd: string, args: string[]): Promise<string> {
  try {
    return await git(cwd, args);
  } catch {
    return '';
  }
}

/** The top folder of the repository holding `dir`; GIT_UNAVAILABLE when there is none. */
export async function repositoryTop(dir: string): Promise<string> {
  try {
    return await git(dir, ['rev-parse', '--show-toplevel']);
  } catch (e) {
    if (e instanceof DomainError && e.code === 'GIT_FAILED')
      throw new DomainError('GIT_UNAVAILABLE', `${dir} is not in a git repository: worktrees need one (git init, and a first commit).`, {
        root: dir,
      });
    throw e;
  }
}

/** The top folder of the repository holding `dir`, which has a commit to branch from; GIT_UNAVAILABLE when it has none (or there is no repository). */
export async function repositoryToBranchFrom(dir: string): Promise<string> {
  const top = await repositoryTop(dir);
  try {
    await git(top, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  } catch {
    throw new DomainError('GIT_UNAVAILABLE', `${top} has no commit yet: a worktree branches from one (make a first commit).`, {
      root: dir,
    });
  }
  return top;
}

/** Whether a branch of that name exists. */
export async function branchExists(top: string, branch: string): Promise<boolean> {
  try {
    await git(top, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether every commit of `branch` is in `target` already (false when either is gone): git
 * merge-base --is-ancestor; or, rebased there (tasks merge --rebase: new commits, the same changes),
 * git cherry finding each of its changes in `target`.
 */
export async function branchContainedIn(dir: string, branch: string, target: string): Promise<boolean> {
  try {
    await git(dir, ['merge-base', '--is-ancestor', `refs/heads/${branch}`, target]);
    return true;
  } catch {
    // Not as the same commits: looked for as the same changes.
  }
  try {
    const cherry = await git(dir, ['cherry', target, `refs/heads/${branch}`]);
    return cherry.split('\n').every((line) => !line.startsWith('+'));
  } catch {
    return false;
  }
}

/** The branch checked out in the repository holding `dir` (HEAD when it is detached): git answers it from any folder of the worktree. */
export function checkedOutBranch(dir: string): Promise<string> {
  return git(dir, ['rev-parse', '--abbrev-ref', 'HEAD']);
}
