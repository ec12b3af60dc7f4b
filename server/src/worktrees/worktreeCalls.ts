// Task worktrees as a client works them (PROTOCOL.md §Worktrees): git runs here, where the
// repository is (taskWorktrees.ts), and what it made or found is recorded on the task with
// setTaskWorktree — by the lease holder on claim, by anyone once the task is done. The CLI, the
// MCP server and the editor call these through whatever reaches the root's board.
import type { StoreResults } from '../../../contract/results';
import type { InputOf, StoreMethod } from '../../../contract/schemas/params';
import type { Task, TaskWorktree } from '../../../contract/schemas/records';
import { isFinishedTask } from '../../../contract/statuses';
import { DomainError, taskNotFound } from '../../../contract/domainError';
import { archivedError, damagedError } from '../../../contract/writeRefusals';
import { awaitsMerge, type MergeWay, worktreeOpen } from '../../../contract/taskRules';
import { activeWorktreeOf, worktreeUncommitted } from '../../../contract/worktreeRefusals';
import { ensureWorktree, holdsUncommitted, mergeTaskBranch, settleWorktree } from './taskWorktrees';
import { branchContainedIn, repositoryToBranchFrom } from './git';

/** What the worktree calls need: the root (its repository), the environment (RUNBOARD_WORKTREES) and the board's methods. */
export interface WorktreeSite {
  root: string;
  env: NodeJS.ProcessEnv;
  execute<M extends StoreMethod>(method: M, params: InputOf<M>): Promise<StoreResults[M]>;
}

/**
 * A claim whose task is worked in a worktree: git is checked first (GIT_UNAVAILABLE, and nothing is
 * claimed, when no worktree can be made: git missing, no repository, no commit to branch from), then `claim` runs, then the
 * claimed task gets its worktree — the one its last attempt left, else a new one — recorded on the
 * task. When git cannot make it, the task is released (nobody would work it, and its lease token
 * was never handed out) and the error says so.
 */
export async function claimWithWorktree<R extends { task: Task | null }>(
  site: WorktreeSite,
  runId: string,
  claim: () => Promise<R>,
): Promise<R> {
  const top = await repositoryToBranchFrom(site.root);
  const result = await claim();
  const task = result.task;
  if (!task) return result;
  let worktree: TaskWorktree;
  try {
    const { run } = await site.execute('getRun', { run_id: runId });
    worktree = await ensureWorktree({ top, runId, task, tasks: run.tasks, env: site.env });
  } catch (e) {
    await site
      .execute('transitionTask', {
        run_id: runId,
        task_id: task.id,
        action: 'release',
        lease_token: task.lease_token,
        agent_id: task.lease_owner,
      })
      .catch(() => undefined); // its lease runs out instead
    if (e instanceof Error) e.message += ` Task ${task.id} was released (claimed again, it is tried anew).`;
    throw e;
  }
  const recorded = await site.execute('setTaskWorktree', { run_id: runId, task_id: task.id, lease_token: task.lease_token, worktree });
  return { ...result, task: recorded.task };
}

/** A finished task's worktree: removed when clean (the branch stays), kept and said so when not; recorded either way. */
export async function settleTaskWorktree(site: WorktreeSite, runId: string, task: Task): Promise<Task> {
  if (!task.worktree || !worktreeOpen(task)) return task;
  const worktree = await settleWorktree(site.root, task.worktree);
  return (await site.execute('setTaskWorktree', { run_id: runId, task_id: task.id, worktree })).task;
}

/**
 * `complete`, as every client does it: a task with an active worktree is completed only when the
 * worktree holds no uncommitted changes (WORKTREE_UNCOMMITTED, nothing written) — its branch is
 * what the tasks after it start from and what a merge brings in — unless `force`; then the worktree
 * is settled. The board says whether there is one (`if_no_worktree`): a task without one is
 * completed in one call, and git runs only for a task that has one.
 */
export async function completeTask(
  site: WorktreeSite,
  params: InputOf<'transitionTask'> & { run_id: string; action: 'complete' },
  force = false,
): Promise<{ result: StoreResults['transitionTask']; settled: boolean; unsettled?: string }> {
  let result: StoreResults['transitionTask'];
  try {
    result = await site.execute('transitionTask', { ...params, if_no_worktree: true });
  } catch (e) {
    const active = activeWorktreeOf(e);
    if (!active) throw e;
    if (!force && (await uncommittedIn(active.path))) throw worktreeUncommitted(active.task_id, active.path, active.branch);
    result = await site.execute('transitionTask', params);
  }
  // `settled`: the task had a worktree on disk, and it was settled now (or `unsettled` says why not).
  if (!worktreeOpen(result.task)) return { result, settled: false };
  const settled = await settleCompleted(site, params.run_id, result.task);
  return { result: { ...result, task: settled.task }, settled: true, ...(settled.unsettled ? { unsettled: settled.unsettled } : {}) };
}

/**
 * Whether a worktree holds uncommitted changes; false when git cannot look (a worktree broken by
 * hand): the task is completed, and settling it then says what git said (PROTOCOL.md §Worktrees).
 */
async function uncommittedIn(where: string): Promise<boolean> {
  try {
    return await holdsUncommitted(where);
  } catch {
    return false;
  }
}

/**
 * After `complete` (or `cancelTask`): the task's worktree settled — the active one, or one an
 * earlier attempt left kept (a task cancelled, then reopened), looked at again: what it held then
 * may have been committed or discarded since. The task is finished whatever git does, so a failure
 * is not thrown but said (`unsettled`), with what settles it later.
 */
export async function settleCompleted(site: WorktreeSite, runId: string, task: Task): Promise<{ task: Task; unsettled?: string }> {
  if (!task.worktree || !worktreeOpen(task)) return { task };
  try {
    return { task: await settleTaskWorktree(site, runId, task) };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return {
      task,
      unsettled: `Task ${task.id} is ${task.status}, but its worktree ${task.worktree.path} was not settled: ${why} \`runboard worktree prune\` settles it later.`,
    };
  }
}

/**
 * After `cancelTask`: the worktrees of the tasks it cancelled settled as `complete` settles one —
 * removed when clean, kept (an attention item) when they hold changes. Before, a cancelled task's
 * uncommitted work waited unseen until someone ran `worktree prune`.
 */
export async function settleCancelled(
  site: WorktreeSite,
  runId: string,
  result: { task: Task; cancelled: Task[] },
): Promise<{ task: Task; cancelled: Task[]; unsettled: string[] }> {
  const cancelled: Task[] = [];
  const unsettled: string[] = [];
  for (const t of result.cancelled) {
    const settled = await settleCompleted(site, runId, t);
    cancelled.push(settled.task);
    if (settled.unsettled) unsettled.push(settled.unsettled);
  }
  // The task named, as it now is (it is among those cancelled unless it was cancelled already).
  return { task: cancelled.find((t) => t.id === result.task.id) ?? result.task, cancelled, unsettled };
}

/** What `worktree prune` did: the tasks whose worktrees it settled, and those it could not, with why. */
export interface Pruned {
  tasks: Task[];
  failed: { task_id: string; message: string }[];
}

/**
 * `worktree prune`: the worktrees of the run's finished tasks settled — removed when clean, kept
 * (and said why) when not. One that git cannot settle is said and the others settled all the same
 * (until this change the first such failure stopped the prune).
 */
export async function pruneWorktrees(site: WorktreeSite, runId: string): Promise<Pruned> {
  const got = await site.execute('getRun', { run_id: runId });
  refuseUnwritable(runId, got);
  const { run } = got;
  const pruned: Pruned = { tasks: [], failed: [] };
  for (const t of run.tasks.filter((x) => isFinishedTask(x.status) && worktreeOpen(x))) {
    try {
      pruned.tasks.push(await settleTaskWorktree(site, runId, t));
    } catch (e) {
      // A git that refuses here says so for this task; a board that refuses the record refuses them all.
      if (!(e instanceof DomainError && (e.code === 'GIT_FAILED' || e.code === 'GIT_UNAVAILABLE'))) throw e;
      pruned.failed.push({ task_id: t.id, message: e.message });
    }
  }
  return pruned;
}

/** The refusal a write to this run would answer, before git does anything it could not record: archived, or damaged. */
function refuseUnwritable(runId: string, got: StoreResults['getRun']): void {
  if (got.archived) throw archivedError(runId);
  const damage = got.damage ?? [];
  if (damage.length > 0) throw damagedError(runId, damage[0].file, damage);
}

/**
 * `tasks merge`: a done task's branch merged (or rebased) into the branch checked out in the
 * repository (or `into`, when that is it), its worktree — still there, and clean, or the merge
 * refuses — removed, as its work is in (mergeTaskBranch); recorded on the task.
 */
export async function mergeTask(
  site: WorktreeSite,
  runId: string,
  taskId: string,
  into: string | undefined,
  way: MergeWay = 'merge',
): Promise<{ task: Task; commit: string; changed: boolean; merged_along: string[]; already_merged?: true }> {
  const got = await site.execute('getRun', { run_id: runId });
  // git changes the repository before the merge is recorded: a run that takes no record is refused first.
  refuseUnwritable(runId, got);
  const { run } = got;
  const task = run.tasks.find((t) => t.id === taskId);
  if (!task) throw taskNotFound(runId, taskId);
  if (task.status !== 'done')
    throw new DomainError('TASK_TRANSITION_INVALID', `Task ${taskId} is ${task.status}: only a done task's work is merged.`, {
      current_status: task.status,
    });
  if (!task.worktree)
    throw new DomainError('GIT_FAILED', `Task ${taskId} was not worked in a worktree (claim --worktree): it has no branch to merge.`, {
      git: way,
    });
  const merged = await mergeTaskBranch(site.root, task.worktree, into, way);
  const recorded = await site.execute('setTaskWorktree', {
    run_id: runId,
    task_id: taskId,
    worktree: { ...merged.worktree, merged_into: merged.into },
  });
  // A branch built on others' (a task after its dependency) brings theirs in with it: those done
  // tasks whose branches the target now holds whole are merged too, and said so — not left "not
  // merged yet". One whose worktree holds uncommitted changes (kept) is left as it is.
  const along: string[] = [];
  for (const other of run.tasks) {
    const wt = other.worktree;
    if (other.id === taskId || !awaitsMerge(other) || wt!.state === 'kept') continue;
    if (!(await branchContainedIn(site.root, wt!.branch, merged.into))) continue;
    await site.execute('setTaskWorktree', { run_id: runId, task_id: other.id, worktree: { ...wt!, merged_into: merged.into } });
    along.push(other.id);
  }
  // Recorded as merged into it before (along with another task's branch, say), and nothing new since.
  const already = !merged.changed && task.worktree.merged_into === merged.into;
  return {
    task: recorded.task,
    commit: merged.commit,
    changed: merged.changed,
    merged_along: along,
    ...(already ? { already_merged: true as const } : {}),
  };
}
