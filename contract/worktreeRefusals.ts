// Why `complete` waits on a task's worktree (PROTOCOL.md §Worktrees): the board refuses a task with
// an active worktree when its client asks it to (`if_no_worktree`), and the client, which runs git,
// refuses it while the worktree holds uncommitted changes — its branch, which its dependents'
// worktrees start from and a merge brings in, lacks them.
import { DomainError } from './domainError';
import type { TaskWorktree } from './schemas/records';

export function worktreeActive(taskId: string, wt: TaskWorktree): DomainError {
  return new DomainError('WORKTREE_ACTIVE', `Task ${taskId} has an active worktree, ${wt.path}: look at it before completing the task.`, {
    task_id: taskId,
    path: wt.path,
    branch: wt.branch,
  });
}

/** The worktree an error says is active — thrown directly, or a JSON-RPC error's `data` (the editor's) — or undefined for any other error. */
export function activeWorktreeOf(e: unknown): { task_id: string; path: string; branch: string } | undefined {
  const data = e instanceof DomainError ? e.toData() : (e as { data?: unknown } | undefined)?.data;
  const d = data as { code?: unknown; task_id?: unknown; path?: unknown; branch?: unknown } | undefined;
  if (d?.code !== 'WORKTREE_ACTIVE' || typeof d.path !== 'string' || typeof d.branch !== 'string') return undefined;
  return { task_id: String(d.task_id), path: d.path, branch: d.branch };
}

export function worktreeUncommitted(taskId: string, path: string, branch: string): DomainError {
  return new DomainError(
    'WORKTREE_UNCOMMITTED',
    `Task ${taskId} is not completed: its worktree ${path} holds uncommitted changes, and its branch ${branch} — what the worktrees of ` +
      `the tasks after it start from, and what a merge brings in — lacks them. Commit them (or discard them), then complete it again; ` +
      'or complete it with force, and the changes stay in the kept worktree, off the branch.',
    { task_id: taskId, path, branch },
  );
}
