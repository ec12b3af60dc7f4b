// The task state machine after a claim (taskClaim.ts): transition actions (SPEC.md §7), requeue
// and stale-lease expiry, with PROTOCOL.md's fixes — leases checked by token and expiry, leaving
// in_progress always clears the lease, `attempt` counts failures, `max_attempts` is enforced.
import { DomainError, taskNotFound } from './errors';
import { EventBuilder, type EventFields } from './eventBuilder';
import { CommandContext } from './ids';
import { EventRecord, Task } from '../../../contract/schemas/records';
import { clamp, TransitionAction } from '../../../contract/schemas/params';
import { RunState } from './state';
import {
  checkLease,
  checkNotCancelled,
  checkNotExpired,
  checkPrecondition,
  checkRevision,
  refuse,
  taskOfRequest,
} from './transitionChecks';
import { autoFinishEvent } from './autoFinish';
import { checkTextLimit } from './text';
import { EVENT, runHas } from '../../../contract/events';
import { TaskStatus } from '../../../contract/statuses';
import { LEASE } from '../../../contract/limits';
import { attemptsLeft, cancelledWith, hasLiveLease, leaseExpiry, leaseLength } from '../../../contract/taskRules';
import { leasedText } from '../../../contract/taskText';
import { worktreeActive } from '../../../contract/worktreeRefusals';

export const EVENT_FOR_STATUS: Record<TaskStatus, string> = {
  in_progress: EVENT.taskStarted,
  done: EVENT.taskCompleted,
  failed: EVENT.taskFailed,
  blocked: EVENT.taskBlocked,
  runnable: EVENT.taskRequeued,
  pending: EVENT.taskRequeued,
  cancelled: EVENT.taskCancelled,
};

export function leaseMs(requested: number | undefined, fallback: number = LEASE.defaultMs): number {
  return clamp(requested, LEASE.minMs, LEASE.maxMs, clamp(fallback, LEASE.minMs, LEASE.maxMs, LEASE.defaultMs));
}

/** What its holder is told of a lease taken from it (TASK_LEASE_EXPIRED): by whom, why, and whether by a cancel. */
export function revocation(by: string | undefined, reason: string | undefined, byCancel = false): NonNullable<Task['last_lease_revoked']> {
  return { ...(by ? { by } : {}), ...(reason ? { reason } : {}), ...(byCancel ? { by_cancel: true as const } : {}) };
}

export function withoutLease(task: Task): Task {
  const { lease_owner: _o, lease_token: _t, lease_expires_at_ms: _e, lease_ms: _l, ...rest } = task;
  return rest;
}

export function bump(task: Task, now: number): Task {
  return { ...task, task_rev: task.task_rev + 1, updated_ts: now };
}

export function requireTask(state: RunState, taskId: string): Task {
  const task = state.tasks.get(taskId.trim());
  if (!task) throw taskNotFound(state.header.run_id, taskId);
  return task;
}

// ---------------------------------------------------------------- transitions

export interface TransitionRequest {
  /** The task; without it, the one holding `lease_token`. */
  task_id?: string;
  action: TransitionAction;
  lease_token?: string;
  agent_id?: string;
  status?: TaskStatus;
  error?: string;
  /** complete: a note of what the work produced, kept on the task (runs of format 2). */
  result?: string;
  lease_ms?: number;
  expected_task_rev?: number;
  /** complete: refuse a task with an active worktree (WORKTREE_ACTIVE), for its client to look at first. */
  if_no_worktree?: boolean;
}

export function decideTransition(state: RunState, req: TransitionRequest, ctx: CommandContext, defaultLeaseMs?: number): EventRecord[] {
  checkTextLimit('error', req.error);
  checkTextLimit('result', req.result);
  const task = taskOfRequest(state, req, (id) => requireTask(state, id));
  if (req.result !== undefined && !runHas(state.header, 'resultNotes')) {
    throw refuse(task, undefined, `Run ${state.header.run_id} is of format 1, which keeps no result notes: complete the task without one.`);
  }
  if (req.result !== undefined && req.action !== 'complete') throw refuse(task, undefined, 'A result note goes with complete only.');
  checkRevision(task, req);
  checkNotCancelled(task, req.action);
  checkNotExpired(task, req, ctx.now);
  checkPrecondition(task, req);
  checkLease(task, req, ctx.now);
  if (req.if_no_worktree && req.action === 'complete' && task.worktree?.state === 'active') throw worktreeActive(task.id, task.worktree);
  const move = MOVES[req.action]({
    task,
    next: bump(task, ctx.now),
    req,
    agent: req.agent_id?.trim() || undefined,
    now: ctx.now,
    defaultLeaseMs,
  });
  const b = new EventBuilder(state, ctx);
  b.add({ type: move.type, status: state.header.status, task_id: task.id, payload: { ...move.payload, task: move.task } });
  const finish = autoFinishEvent(state, new Map([[task.id, move.task]]));
  if (finish) b.add(finish);
  return b.events;
}

/** A transition whose preconditions and lease were checked: the task before, its next rev, who asks. */
interface MoveInput {
  task: Task;
  next: Task;
  req: TransitionRequest;
  agent: string | undefined;
  now: number;
  defaultLeaseMs: number | undefined;
}

/** The task after the move, and the event that records it. */
interface Move {
  task: Task;
  type: string;
  payload: Record<string, unknown>;
}

/** What each action does to a task. */
const MOVES: Record<TransitionAction, (m: MoveInput) => Move> = {
  heartbeat: ({ task, next, agent, req, now, defaultLeaseMs }) => {
    // A heartbeat naming no length keeps the lease's own (an agent claimed short to be found out soon if it dies).
    const length = leaseMs(req.lease_ms ?? leaseLength(task), defaultLeaseMs);
    const expires = now + length;
    const owner = agent ?? task.assigned_agent;
    const moved: Task = {
      ...next,
      lease_owner: agent ?? task.lease_owner,
      lease_expires_at_ms: expires,
      lease_ms: length,
      last_lease_expires_at_ms: expires,
      ...(owner ? { assigned_agent: owner } : {}),
    };
    return { task: moved, type: EVENT.taskHeartbeat, payload: { task_id: task.id, task_rev: moved.task_rev } };
  },
  status: ({ task, next, agent, req }) => {
    const to = req.status as TaskStatus;
    const moved = to === 'in_progress' ? next : endLease(next, task);
    moved.status = to;
    if (agent) moved.assigned_agent = agent;
    if (req.error !== undefined) moved.last_error = req.error;
    if (to === 'failed' && task.status !== 'failed') moved.attempt = task.attempt + 1;
    return recorded(moved, EVENT_FOR_STATUS[to], req);
  },
  complete: ({ task, next, agent, req }) => {
    const moved: Task = { ...endLease(next, task), status: 'done' };
    if (agent) moved.assigned_agent = agent;
    if (req.result?.trim()) moved.result = req.result.trim();
    return recorded(moved, EVENT.taskCompleted, req);
  },
  fail: ({ task, next, agent, req }) => {
    const moved: Task = { ...endLease(next, task), status: 'failed', attempt: task.attempt + 1 };
    if (agent) moved.assigned_agent = agent;
    if (req.error !== undefined) moved.last_error = req.error;
    return recorded(moved, EVENT.taskFailed, req);
  },
  release: ({ task, next, req }) => recorded({ ...endLease(next, task), status: 'runnable' }, EVENT.taskRequeued, req),
  retry: ({ task, next, req, now }) => {
    const { last_error: _cleared, ...rest } = endLease(next, task);
    return recorded({ ...rest, status: 'runnable', next_retry_at_ms: now }, EVENT.taskRequeued, req);
  },
};

function recorded(task: Task, type: string, req: TransitionRequest): Move {
  return { task, type, payload: transitionPayload(task, req) };
}

/** The holder ended its own lease: forget the token so a late duplicate gets a precondition error, not "expired". */
function endLease(next: Task, prev: Task): Task {
  const out = withoutLease(next);
  if (prev.lease_token !== undefined && prev.lease_token === prev.last_lease_token) {
    delete out.last_lease_token;
    delete out.last_lease_expires_at_ms;
  }
  return out;
}

function transitionPayload(task: Task, req: TransitionRequest): Record<string, unknown> {
  return { task_id: task.id, task_rev: task.task_rev, status: task.status, error: req.error ?? null };
}

// ---------------------------------------------------------------- requeue

export function decideRequeue(
  state: RunState,
  req: { task_id: string; reason?: string; force?: boolean; agent_id?: string; cascade?: boolean },
  ctx: CommandContext,
): EventRecord[] {
  const task = requireTask(state, req.task_id);
  if (task.status === 'done') throw refuse(task, 'runnable', `Task ${task.id} is done; a done task is never requeued.`);
  const live = hasLiveLease(task, ctx.now);
  if (live && !req.force) {
    throw new DomainError(
      'TASK_LEASE_ACTIVE',
      `Task ${task.id} is ${leasedText(task, leaseExpiry(task), ctx.now)}; requeue it with force to take it back.`,
      { task_id: task.id, lease_owner: task.lease_owner, lease_expires_at_ms: task.lease_expires_at_ms },
    );
  }
  const b = new EventBuilder(state, ctx);
  b.add(requeueEvent(state, task, req, ctx, live));
  // With cascade, the tasks its cancel took along come back with it (none hold a lease: they are cancelled).
  const along = req.cascade ? cancelledWith(task.id, state.tasks.values()) : [];
  for (const t of along) b.add(requeueEvent(state, t, { reason: req.reason, cascadeFrom: task.id }, ctx, false));
  return b.events;
}

/** The requeue of one task: runnable now; a cancelled one reopened; a revoked live lease recorded. */
function requeueEvent(
  state: RunState,
  task: Task,
  req: { reason?: string; agent_id?: string; cascadeFrom?: string },
  ctx: CommandContext,
  live: boolean,
): EventFields {
  // A cancelled task is reopened (format 4): what said it was cancelled goes; the event says it was reopened.
  const { cancelled: _reopened, ...kept } = withoutLease(bump(task, ctx.now));
  let next: Task = { ...kept, status: 'runnable', next_retry_at_ms: ctx.now };
  // A person's requeue of a task out of attempts is one more attempt (format 2): never "attempt 3/2".
  const raised = runHas(state.header, 'requeueRaisesAttempts') && !attemptsLeft(task);
  if (raised) next.max_attempts = task.attempt + 1;
  // A revoked live lease counts as expired from now on, so its holder hears TASK_LEASE_EXPIRED — saying it was revoked, by whom and why.
  if (live) {
    next.last_lease_expires_at_ms = ctx.now;
    const by = req.agent_id?.trim();
    next.last_lease_revoked = revocation(by, req.reason?.trim());
  }
  if (req.reason !== undefined) next = { ...next, last_error: req.reason };
  return {
    type: EVENT.taskRequeued,
    status: state.header.status,
    task_id: task.id,
    payload: {
      task_id: task.id,
      task_rev: next.task_rev,
      manual_requeue: true,
      ...(live ? { forced: true } : {}),
      ...(raised ? { max_attempts_raised: true } : {}),
      ...(task.status === 'cancelled' ? { reopened: true } : {}),
      ...(req.cascadeFrom ? { cascade_from: req.cascadeFrom } : {}),
      ...(req.reason !== undefined ? { reason: req.reason } : {}),
      task: next,
    },
  };
}

// ---------------------------------------------------------------- lease expiry

export function staleLeaseError(task: Task): string {
  return `task lease expired while assigned to ${task.lease_owner ?? task.assigned_agent ?? 'unknown-agent'}`;
}

/** One event per in-progress task whose lease has expired: requeued, or failed when attempts run out. */
export function decideExpireLeases(state: RunState, ctx: CommandContext): EventRecord[] {
  const expired = state.index.expiredLeases(ctx.now);
  if (expired.length === 0) return [];
  const b = new EventBuilder(state, ctx);
  for (const task of expired) {
    const owner = task.lease_owner ?? task.assigned_agent;
    const attempt = task.attempt + 1;
    const exhausted = attempt >= task.max_attempts;
    const next: Task = {
      ...withoutLease(bump(task, ctx.now)),
      status: exhausted ? 'failed' : 'runnable',
      attempt,
      last_error: staleLeaseError(task),
      // Keep the expired lease so its holder hears TASK_LEASE_EXPIRED.
      last_lease_token: task.lease_token ?? task.last_lease_token,
      last_lease_expires_at_ms: leaseExpiry(task),
    };
    if (!exhausted) next.next_retry_at_ms = ctx.now;
    if (next.last_lease_token === undefined) delete next.last_lease_token;
    b.add({
      type: exhausted ? EVENT.taskFailed : EVENT.taskStaleRequeued,
      status: state.header.status,
      task_id: task.id,
      payload: {
        task_id: task.id,
        task_rev: next.task_rev,
        ...(owner ? { lease_owner: owner } : {}),
        stale_requeue: true,
        ...(task.workflow_id ? { workflow_id: task.workflow_id } : {}),
        task: next,
      },
    });
  }
  return b.events;
}
