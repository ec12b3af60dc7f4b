// A git worktree per task (PROTOCOL.md §Worktrees): made when a task is claimed with --worktree —
// outside the workspace (so the editor's watchers and search do not index copies of the
// repository), on a branch named after the run and task, based on the branch a dependency left,
// else on HEAD —, reused by the task's next attempt, and on completion removed when clean (the
// branch stays) or kept, saying so, when it holds uncommitted changes. `git worktree add` and
// `remove` are serialised per repository by a lock in its git folder (proper-lockfile).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Task, TaskWorktree } from '../../../contract/schemas/records';
import { DomainError } from '../engine/errors';
import { branchExists, git, repositoryTop } from './git';

/** Where worktrees go: RUNBOARD_WORKTREES, else a folder beside the repository's: <repo>.worktrees/. */
export function worktreesHome(top: string, env: NodeJS.ProcessEnv): string {
  const configured = env.RUNBOARD_WORKTREES?.trim();
  return configured ? path.resolve(configured) : path.join(path.dirname(top), `${path.basename(top)}.worktrees`);
}

/** A branch name git accepts, from a run or task id (ids are [A-Za-z0-9._-]: only a leading dot or `..` need care). */
function refPart(id: string): string {
  return id.replace(/\.\.+/g, '-').replace(/^\./, '_');
}

/** `body` while this process holds the repository's worktree lock (waiting up to about 30 s for another). */
async function serialised<T>(top: string, body: () => T): Promise<T> {
  const gitDir = path.resolve(top, git(top, ['rev-parse', '--git-common-dir']));
  // Loaded here, not with the module: the CLI imports this for every claim, and proper-lockfile's
  // graceful-fs patches `fs` in the process that loads it — only worktree work needs that.
  const { lock } = await import('proper-lockfile');
  const release = await lock(gitDir, {
    lockfilePath: path.join(gitDir, 'runboard-worktree.lock'),
    retries: { retries: 60, minTimeout: 100, maxTimeout: 500 },
    stale: 30_000,
  });
  try {
    return body();
  } finally {
    await release();
  }
}

export interface WorktreeAsk {
  root: string;
  runId: string;
  task: Task;
  /** The run's tasks, to find a dependency's branch. */
  tasks: readonly Task[];
  env: NodeJS.ProcessEnv;
}

/** The task's worktree: the one it has when it is still there, else a new one. */
export async function ensureWorktree(ask: WorktreeAsk): Promise<{ worktree: TaskWorktree; made: boolean }> {
  const have = ask.task.worktree;
  if (have && have.state !== 'removed' && fs.existsSync(have.path)) return { worktree: { ...have, state: 'active' }, made: false };
  const top = repositoryTop(ask.root);
  return serialised(top, () => {
    const home = worktreesHome(top, ask.env);
    const stem = `runboard/${refPart(ask.runId)}/${refPart(ask.task.id)}`;
    // A task claimed again after its worktree was removed (done, then requeued) gets a branch of its own.
    let n = 1;
    const name = () => (n === 1 ? '' : `-${n}`);
    while (branchExists(top, `${stem}${name()}`) || fs.existsSync(path.join(home, ask.runId, `${ask.task.id}${name()}`))) n++;
    const branch = `${stem}${name()}`;
    const where = path.join(home, ask.runId, `${ask.task.id}${name()}`);
    const base = baseOf(top, ask);
    fs.mkdirSync(path.dirname(where), { recursive: true });
    git(top, ['worktree', 'add', '-b', branch, where, base]);
    return { worktree: { path: where, branch, base, state: 'active' as const }, made: true };
  });
}

/** The branch of the last dependency that left one (still there), else the commit HEAD is at. */
function baseOf(top: string, ask: WorktreeAsk): string {
  const byId = new Map(ask.tasks.map((t) => [t.id, t]));
  for (const id of [...ask.task.depends_on_task_ids].reverse()) {
    const branch = byId.get(id)?.worktree?.branch;
    if (branch && branchExists(top, branch)) return branch;
  }
  return git(top, ['rev-parse', 'HEAD']);
}

/** Whether the worktree holds changes not committed (untracked files count). */
export function hasUncommitted(where: string): boolean {
  return git(where, ['status', '--porcelain']) !== '';
}

/**
 * What becomes of a finished task's worktree: removed when clean (its branch stays), else kept
 * with a note saying why and what to do. A worktree already gone is said removed.
 */
export async function settleWorktree(root: string, wt: TaskWorktree): Promise<TaskWorktree> {
  if (wt.state === 'removed' || !fs.existsSync(wt.path)) return { ...wt, state: 'removed', note: undefined };
  if (hasUncommitted(wt.path)) {
    return {
      ...wt,
      state: 'kept',
      note: `${wt.path} holds uncommitted changes: commit them on ${wt.branch} (or discard them), then \`runboard worktree prune\` removes it.`,
    };
  }
  const top = repositoryTop(root);
  await serialised(top, () => git(top, ['worktree', 'remove', wt.path]));
  return { ...wt, state: 'removed', note: undefined };
}

/**
 * Merges a done task's branch into `into` (default: the branch checked out in the repository),
 * which must be the branch checked out there; a conflict aborts the merge — nothing changes — and
 * is GIT_FAILED naming the files.
 */
export async function mergeTaskBranch(root: string, branch: string, into: string | undefined): Promise<{ into: string; commit: string }> {
  const top = repositoryTop(root);
  return serialised(top, () => {
    const current = git(top, ['rev-parse', '--abbrev-ref', 'HEAD']);
    const target = into ?? current;
    if (target !== current) {
      throw new DomainError(
        'GIT_FAILED',
        `${top} has ${current} checked out, not ${target}: check out ${target} there first (git switch ${target}).`,
        {
          git: 'merge',
        },
      );
    }
    if (!branchExists(top, branch)) throw new DomainError('GIT_FAILED', `The branch ${branch} is gone from ${top}.`, { git: 'merge' });
    try {
      git(top, ['merge', '--no-ff', '--no-edit', branch]);
    } catch (e) {
      const conflicted = gitOrEmpty(top, ['diff', '--name-only', '--diff-filter=U']);
      gitOrEmpty(top, ['merge', '--abort']);
      if (!conflicted) throw e;
      throw new DomainError(
        'GIT_FAILED',
        `Merging ${branch} into ${target} conflicts in ${conflicted.split('\n').join(', ')}; nothing was changed (the merge was aborted). Merge it yourself (git merge ${branch}), or rebase the branch on ${target} first.`,
        { git: 'merge', conflicts: conflicted.split('\n') },
      );
    }
    return { into: target, commit: git(top, ['rev-parse', 'HEAD']) };
  });
}

/** git's output, or '' when it fails (a clean-up that may have nothing to do). */
function gitOrEmpty(cwd: string, args: string[]): string {
  try {
    return git(cwd, args);
  } catch {
    return '';
  }
}
