// What may be done to a task, and why it waits (SPEC.md §7–8, PROTOCOL.md §Tasks). The engine
// enforces these rules and the views offer what they allow: both read them here, so a view never
// offers what the engine refuses, nor hides what it allows.
import { runHas } from './events';
import { LEASE } from './limits';
import { isClaimableStatus, isFinishedTask, isTerminal, type RunStatus, type TaskStatus } from './statuses';
import type { Task } from './schemas/records';

/** The task fields the rules read (a Task record has them all). */
export interface TaskFacts {
  id: string;
  status: TaskStatus;
  depends_on_task_ids: readonly string[];
  attempt: number;
  max_attempts: number;
  updated_ts: number;
  lease_owner?: string;
  lease_token?: string;
  lease_expires_at_ms?: number;
  /** The live lease's length (a claim's, or a heartbeat's that named one). */
  lease_ms?: number;
  next_retry_at_ms?: number;
  last_error?: string;
  cancelled?: Cancellation;
}

/** Who cancelled a task, when and why; `cascade_from`: the task whose cancel took it along (PROTOCOL.md §cancelTask). */
export interface Cancellation {
  at_ms: number;
  by?: string;
  reason?: string;
  cascade_from?: string;
}

/** The transition actions of transitionTask besides `status`. */
export type LeaseAction = 'heartbeat' | 'complete' | 'fail' | 'release' | 'retry';

/** From which statuses each action may be taken. */
export const ACTION_FROM: Record<LeaseAction, readonly TaskStatus[]> = {
  heartbeat: ['in_progress'],
  complete: ['in_progress'],
  fail: ['in_progress', 'blocked'],
  release: ['in_progress', 'blocked'],
  retry: ['failed', 'blocked'],
};

/** SPEC.md §7.1: the moves the `status` action may make (entering in_progress is for claims only; cancelling is cancelTask's). */
export const STATUS_MOVES: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ['pending', 'runnable', 'blocked'],
  runnable: ['runnable', 'blocked'],
  in_progress: ['runnable', 'in_progress', 'blocked', 'done', 'failed'],
  blocked: ['runnable', 'blocked', 'failed'],
  done: ['done'],
  failed: ['runnable', 'failed'],
  cancelled: [],
};

/** Whether cancelTask may cancel a task now: anything not finished (a leased task needs its token or force). */
export function isCancellable(task: Pick<TaskFacts, 'status'>): boolean {
  return !isFinishedTask(task.status);
}

/**
 * The tasks a cancel with `cascade` takes besides the one named: every unfinished task that waits
 * on it, directly or through others not done, nearest first (PROTOCOL.md §cancelTask).
 */
export function cascadeOf<T extends Pick<TaskFacts, 'id' | 'status' | 'depends_on_task_ids'>>(taskId: string, tasks: Iterable<T>): T[] {
  const byId = new Map<string, T>();
  const dependents = new Map<string, string[]>();
  for (const t of tasks) {
    byId.set(t.id, t);
    for (const dep of t.depends_on_task_ids) {
      const list = dependents.get(dep);
      if (list) list.push(t.id);
      else dependents.set(dep, [t.id]);
    }
  }
  const seen = new Set([taskId]);
  const queue = [taskId];
  const out: T[] = [];
  for (let i = 0; i < queue.length; i++) {
    for (const id of dependents.get(queue[i]) ?? []) {
      if (seen.has(id)) continue;
      seen.add(id);
      const t = byId.get(id);
      // A done task waits on nothing: what waits on it does not wait on the task cancelled (as waitsOnAPerson).
      if (!t || !isOpenDependency(t)) continue;
      queue.push(id);
      if (isCancellable(t)) out.push(t);
    }
  }
  return out;
}

/**
 * The tasks a requeue with `cascade` reopens besides the one named: those still cancelled along
 * with it (`cancelled.cascade_from` is its id), in board order (PROTOCOL.md §requeueTask).
 */
export function cancelledWith<T extends Pick<TaskFacts, 'status' | 'cancelled'>>(taskId: string, tasks: Iterable<T>): T[] {
  return [...tasks].filter((t) => t.status === 'cancelled' && t.cancelled?.cascade_from === taskId);
}

/**
 * How long the task's lease was last set for: its `lease_ms`; for a task leased before leases kept
 * their length (or by an older Runboard), as far as its times tell — from its last change to the
 * lease's end. A heartbeat naming no length renews for this long; `lease_expiring` measures by it.
 */
export function leaseLength(task: Pick<TaskFacts, 'lease_ms' | 'lease_expires_at_ms' | 'updated_ts'>): number | undefined {
  if (task.lease_ms !== undefined) return task.lease_ms;
  if (task.lease_expires_at_ms === undefined) return undefined;
  const set = task.lease_expires_at_ms - task.updated_ts;
  return set > 0 ? set : undefined;
}

/** When a task's lease ends; an in_progress task written without an expiry gets the default lease. */
export function leaseExpiry(task: Pick<TaskFacts, 'lease_expires_at_ms' | 'updated_ts'>): number {
  return task.lease_expires_at_ms ?? task.updated_ts + LEASE.defaultMs;
}

/** Whether someone holds the task now: a transition needs that lease's token, a requeue needs force. */
export function hasLiveLease(task: TaskFacts, now: number): boolean {
  return task.status === 'in_progress' && task.lease_token !== undefined && leaseExpiry(task) > now;
}

/** Whether `retry` is within the task's attempts. */
export function attemptsLeft(task: Pick<TaskFacts, 'attempt' | 'max_attempts'>): boolean {
  return task.attempt < task.max_attempts;
}

/** A dependency that is not done (or not there) holds its dependents back. */
export function isOpenDependency(dep: Pick<TaskFacts, 'status'> | undefined): boolean {
  return dep?.status !== 'done';
}

/** Whether a retry time set on the task has come. */
export function retryDue(task: Pick<TaskFacts, 'next_retry_at_ms'>, now: number): boolean {
  return task.next_retry_at_ms === undefined || task.next_retry_at_ms <= now;
}

/** Why a task is not claimable now, as data; views word it. Empty exactly when a claim of it succeeds. */
export type WaitReason =
  | { kind: 'run_finished'; run_status: RunStatus }
  /** The run is paused (by a person, or a workspace mismatch): it hands out no task until it is resumed. */
  | { kind: 'run_paused' }
  | { kind: 'leased'; owner?: string; until: number }
  | { kind: 'blocked'; error?: string }
  | { kind: 'failed'; attempt: number; max_attempts: number; exhausted: boolean }
  | { kind: 'done' }
  | { kind: 'cancelled'; cancellation?: Cancellation }
  | { kind: 'dependencies'; open: { id: string; status?: TaskStatus }[] }
  /** Dependencies that were cancelled: the task waits until a person cancels it too, edits its dependencies or reopens them. */
  | { kind: 'dependency_cancelled'; ids: string[] }
  | { kind: 'retry_at'; at: number };

export function waitReasons(
  task: TaskFacts,
  run: { status: RunStatus },
  tasksById: ReadonlyMap<string, Pick<TaskFacts, 'status'>>,
  now: number,
): WaitReason[] {
  const reasons: WaitReason[] = [];
  if (isTerminal(run.status)) reasons.push({ kind: 'run_finished', run_status: run.status });
  if (run.status === 'paused') reasons.push({ kind: 'run_paused' });
  switch (task.status) {
    case 'in_progress':
      reasons.push({ kind: 'leased', ...(task.lease_owner ? { owner: task.lease_owner } : {}), until: leaseExpiry(task) });
      return reasons;
    case 'done':
      reasons.push({ kind: 'done' });
      return reasons;
    case 'cancelled':
      reasons.push({ kind: 'cancelled', ...(task.cancelled ? { cancellation: task.cancelled } : {}) });
      return reasons;
    case 'blocked':
      reasons.push({ kind: 'blocked', ...(task.last_error ? { error: task.last_error } : {}) });
      break;
    case 'failed':
      reasons.push({ kind: 'failed', attempt: task.attempt, max_attempts: task.max_attempts, exhausted: !attemptsLeft(task) });
      break;
  }
  const unfinished = [...new Set(task.depends_on_task_ids)]
    .map((id) => ({ id, dep: tasksById.get(id) }))
    .filter(({ dep }) => isOpenDependency(dep));
  const cancelled = unfinished.filter(({ dep }) => dep?.status === 'cancelled').map(({ id }) => id);
  const open = unfinished
    .filter(({ dep }) => dep?.status !== 'cancelled')
    .map(({ id, dep }) => ({ id, ...(dep ? { status: dep.status } : {}) }));
  if (cancelled.length > 0) reasons.push({ kind: 'dependency_cancelled', ids: cancelled });
  if (open.length > 0) reasons.push({ kind: 'dependencies', open });
  if (isClaimableStatus(task.status) && !retryDue(task, now)) reasons.push({ kind: 'retry_at', at: task.next_retry_at_ms! });
  return reasons;
}

/** Statuses only a person moves on: an agent's loop never claims, retries or reopens them. */
const NEEDS_A_PERSON: ReadonlySet<TaskStatus> = new Set<TaskStatus>(['blocked', 'failed', 'cancelled']);

/**
 * Whether a task waits on a blocked, failed or cancelled task, directly or through its other
 * dependencies: nothing but a person (retry, unblock or reopen that one, cancel this one too,
 * edit its dependencies) moves it on.
 */
export function waitsOnAPerson(
  task: Pick<TaskFacts, 'id' | 'depends_on_task_ids'>,
  tasksById: ReadonlyMap<string, Pick<TaskFacts, 'id' | 'status' | 'depends_on_task_ids'>>,
): boolean {
  const seen = new Set<string>([task.id]);
  const stack = [...task.depends_on_task_ids];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const dep = tasksById.get(id);
    if (!dep || !isOpenDependency(dep)) continue;
    if (NEEDS_A_PERSON.has(dep.status)) return true;
    stack.push(...dep.depends_on_task_ids);
  }
  return false;
}

/**
 * Why a claim found nothing (claimTask's `reason` when `task` is null), most actionable first:
 * retry_later (`next_retry_at_ms` says when), dependencies (tasks wait for others in progress or
 * pending), leased (others hold every open task), needs_a_person (only blocked or failed tasks
 * are left, or tasks that wait on a blocked, failed or cancelled one), all_done (every task done or cancelled),
 * no_match (no task of that type / workflow), no_tasks.
 */
export const NOTHING_TO_CLAIM = [
  'run_paused',
  'retry_later',
  'dependencies',
  'leased',
  'needs_a_person',
  'all_done',
  'no_match',
  'no_tasks',
] as const;
export type NothingToClaim = (typeof NOTHING_TO_CLAIM)[number];

/** Task types the engine knows a payload contract for (SPEC §6.2); any other type is free. */
export const TASK_KINDS = ['implementation', 'inspection', 'research', 'validation', 'fix_proposal'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** What a person or agent can do to a task, in the order views list them. */
export const TASK_ACTIONS = ['claim', 'heartbeat', 'complete', 'fail', 'release', 'retry', 'requeue', 'cancel', 'edit'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

/**
 * The actions the engine accepts now from a client that holds the task's lease (`holdsLease`: it
 * has the live lease's token) or not. `requeue`, `cancel` and `edit` of a task someone else holds
 * need force; `requeue` of a cancelled task reopens it.
 */
export function allowedActions(
  task: TaskFacts,
  run: { status: RunStatus; format?: number },
  tasksById: ReadonlyMap<string, Pick<TaskFacts, 'status'>>,
  now: number,
  holdsLease: boolean,
): TaskAction[] {
  const live = hasLiveLease(task, now);
  // A task in progress is moved by the holder of its live lease (an expired one waits for its
  // requeue); a blocked or failed task holds no lease, so anyone may move it.
  const mayMove = task.status === 'in_progress' ? live && holdsLease : true;
  const from = (a: LeaseAction) => ACTION_FROM[a].includes(task.status) && mayMove;
  const can: Record<TaskAction, boolean> = {
    claim: waitReasons(task, run, tasksById, now).length === 0,
    heartbeat: from('heartbeat'),
    complete: from('complete'),
    fail: from('fail'),
    release: from('release'),
    retry: from('retry') && attemptsLeft(task),
    requeue: task.status !== 'done',
    cancel: isCancellable(task) && runHas(run, 'taskCancels'),
    // A person edits any task (a leased one with force, as cancel and requeue): runs of format 3.
    edit: runHas(run, 'taskEdits'),
  };
  return TASK_ACTIONS.filter((a) => can[a]);
}

/** How a done task's work goes into the target branch: a merge commit, or its commits replayed on the target's tip and fast-forwarded. */
export const MERGE_WAYS = ['merge', 'rebase'] as const;
export type MergeWay = (typeof MERGE_WAYS)[number];
export function isMergeWay(way: unknown): way is MergeWay {
  return (MERGE_WAYS as readonly unknown[]).includes(way);
}

/** A done task whose worktree's branch is not merged anywhere yet (PROTOCOL.md §Worktrees): views say so and offer the merge. */
export function awaitsMerge(task: Pick<Task, 'status' | 'worktree'>): boolean {
  return task.status === 'done' && task.worktree !== undefined && task.worktree.merged_into === undefined;
}

/** A task's worktree folder is there to open (not removed). */
export function worktreeOpen(task: Pick<Task, 'worktree'>): boolean {
  return task.worktree !== undefined && task.worktree.state !== 'removed';
}
