// The CLI's side of task worktrees (PROTOCOL.md §Worktrees): git runs here, where the repository
// is (server/src/worktrees/), and what it made or found is recorded on the task with
// setTaskWorktree — by the lease holder on claim, by anyone once the task is done.
import type { Task } from '../../../contract/schemas/records';
import { isFinishedTask } from '../../../contract/statuses';
import { DomainError } from '../engine/errors';
import { ensureWorktree, mergeTaskBranch, settleWorktree } from '../worktrees/taskWorktrees';
import type { CliSession } from './session';

/** The claimed task in its worktree: the one its last attempt left, else a new one; recorded on the task. */
export async function claimWorktree(session: CliSession, runId: string, task: Task): Promise<Task> {
  const { run } = await session.execute('getRun', { run_id: runId });
  const { worktree } = await ensureWorktree({ root: session.root, runId, task, tasks: run.tasks, env: session.env });
  const recorded = await session.execute('setTaskWorktree', { run_id: runId, task_id: task.id, lease_token: task.lease_token, worktree });
  return recorded.task;
}

/** A finished task's worktree: removed when clean (the branch stays), kept and said so when not; recorded either way. */
export async function settleTaskWorktree(session: CliSession, runId: string, task: Task): Promise<Task> {
  if (!task.worktree || task.worktree.state === 'removed') return task;
  const worktree = await settleWorktree(session.root, task.worktree);
  return (await session.execute('setTaskWorktree', { run_id: runId, task_id: task.id, worktree })).task;
}

/** What became of a done task's worktree, for the person or agent who completed it. */
export function worktreeNote(task: Task): string[] {
  const wt = task.worktree;
  if (!wt) return [];
  if (wt.state === 'kept') return [`# worktree kept: ${wt.note ?? wt.path}`];
  if (wt.state === 'removed') return [`# worktree ${wt.path} removed; its work is on branch ${wt.branch}`];
  return [];
}

/** The lines that put an agent's shell in the worktree (`eval "$(runboard claim --worktree)"`). */
export function worktreeShellLines(root: string, task: Task, quote: (s: string) => string): string[] {
  const wt = task.worktree;
  if (!wt) return [];
  return [
    `# worktree ${wt.path} (branch ${wt.branch}, from ${wt.base})`,
    `export RUNBOARD_ROOT=${quote(root)}`,
    `export RUNBOARD_WORKTREE=${quote(wt.path)}`,
    `cd ${quote(wt.path)}`,
  ];
}

/** `worktree prune`: the worktrees of the run's finished tasks settled — removed when clean, kept (and said why) when not. */
export async function pruneWorktrees(session: CliSession, runId: string): Promise<Task[]> {
  const { run } = await session.execute('getRun', { run_id: runId });
  const out: Task[] = [];
  for (const t of run.tasks.filter((x) => isFinishedTask(x.status) && x.worktree && x.worktree.state !== 'removed')) {
    out.push(await settleTaskWorktree(session, runId, t));
  }
  return out;
}

/** `tasks merge`: a done task's branch merged into the branch checked out in the repository (or --into, when that is it); recorded on the task. */
export async function mergeTask(
  session: CliSession,
  runId: string,
  taskId: string,
  into: string | undefined,
): Promise<{ task: Task; commit: string }> {
  const { run } = await session.execute('getRun', { run_id: runId });
  const task = run.tasks.find((t) => t.id === taskId);
  if (!task) throw new DomainError('TASK_NOT_FOUND', `Run ${runId} has no task ${taskId}.`, { task_id: taskId });
  if (task.status !== 'done')
    throw new DomainError('TASK_TRANSITION_INVALID', `Task ${taskId} is ${task.status}: only a done task's work is merged.`, {
      current_status: task.status,
    });
  if (!task.worktree)
    throw new DomainError('GIT_FAILED', `Task ${taskId} was not worked in a worktree (claim --worktree): it has no branch to merge.`, {
      git: 'merge',
    });
  const merged = await mergeTaskBranch(session.root, task.worktree.branch, into);
  const recorded = await session.execute('setTaskWorktree', {
    run_id: runId,
    task_id: taskId,
    worktree: { ...task.worktree, merged_into: merged.into },
  });
  return { task: recorded.task, commit: merged.commit };
}
