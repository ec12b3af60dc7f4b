// The checks a transition passes before it is decided, in PROTOCOL.md's order: the task's rev, a
// lease that ended (expired or revoked), the action's precondition, and the live lease's token.
import type { Task } from '../../../contract/schemas/records';
import { isClaimableStatus, type TaskStatus } from '../../../contract/statuses';
import { ACTION_FROM, attemptsLeft, hasLiveLease, STATUS_MOVES } from '../../../contract/taskRules';
import { attemptsExhaustedText } from '../../../contract/taskText';
import { DomainError } from './errors';
import type { RunState } from './state';
import type { TransitionRequest } from './taskLifecycle';

/**
 * The task a transition is about: `task_id`, else the task holding `lease_token` (its live lease,
 * else its most recent one — so an ended lease still gets its own error). TASK_LEASE_INVALID when
 * no task of the run has held that token.
 */
export function taskOfRequest(state: RunState, req: TransitionRequest, requireTask: (id: string) => Task): Task {
  if (req.task_id !== undefined) return requireTask(req.task_id);
  const token = req.lease_token!;
  let last: Task | undefined;
  for (const t of state.tasks.values()) {
    if (t.lease_token === token) return t;
    if (t.last_lease_token === token) last = t;
  }
  if (last) return last;
  throw new DomainError(
    'TASK_LEASE_INVALID',
    // A lease its holder ended (complete, fail, release) is forgotten on purpose (endLease): it
    // cannot be told from a token of another run, so the message names both.
    `No task of run ${state.header.run_id} holds lease ${token}: it ended — its task was completed, failed or released, or it ran out and the task was claimed again — or it is not of this run. Stop working under it and claim the next task; a call that names the task (task_id) says what became of it.`,
    {},
  );
}

export function refuse(task: Task, requested?: TaskStatus, why?: string): DomainError {
  const details: Record<string, unknown> = { task_id: task.id, current_status: task.status };
  if (requested) details.requested_status = requested;
  return new DomainError('TASK_TRANSITION_INVALID', why ?? `Task ${task.id} is ${task.status}.`, details);
}

/** A failed task out of attempts is tried again only by a person's requeue, which raises its maximum. */
function attemptsExhausted(task: Task): DomainError {
  return new DomainError(
    'TASK_ATTEMPTS_EXHAUSTED',
    `${attemptsExhaustedText(task)}: a person's requeue gives it one more (\`runboard requeue ${task.id}\`, or Requeue on the board), or edit its max_attempts.`,
    { task_id: task.id, attempt: task.attempt, max_attempts: task.max_attempts },
  );
}

export function checkPrecondition(task: Task, req: TransitionRequest): void {
  if (req.action === 'status') {
    const to = req.status as TaskStatus;
    if (to === 'in_progress' && task.status !== 'in_progress') {
      throw refuse(task, to, `Task ${task.id}: only a claim moves a task into in_progress.`);
    }
    if (!STATUS_MOVES[task.status].includes(to)) {
      throw refuse(task, to, `Task ${task.id} cannot move from ${task.status} to ${to}.`);
    }
  } else {
    checkActionFrom(task, req.action, req.lease_token);
  }
  // Another attempt — a retry, or a failed task moved back to runnable — needs one left: a task never reads "attempt 3/2".
  const another = req.action === 'retry' || (req.action === 'status' && task.status === 'failed' && req.status === 'runnable');
  if (another && !attemptsLeft(task)) throw attemptsExhausted(task);
}

/** A lease action (or retry) on a task in a status it does not apply to, said with the step missed. */
function checkActionFrom(task: Task, action: keyof typeof ACTION_FROM, leaseToken: string | undefined): void {
  const from = ACTION_FROM[action];
  if (!from.includes(task.status)) {
    // A lease action on a task no one holds: the step missed is the claim — or, on a task done
    // (someone finished it, whoever holds the token given), the caller should stop. A token of an
    // ended lease is answered before this (checkNotExpired; a release or failure forgets it).
    const leaseAction = from.length === 1 && from[0] === 'in_progress';
    const next = !leaseAction
      ? ''
      : task.status === 'done' && leaseToken !== undefined
        ? ': it is done — stop working on it'
        : isClaimableStatus(task.status)
          ? ': claim it first'
          : '';
    throw refuse(task, undefined, `Task ${task.id} is ${task.status}; ${action} needs it ${from.join(' or ')}${next}.`);
  }
}

/**
 * A live lease fences its task: the call needs its token. `forPerson` names what a person does
 * instead (editTask, cancelTask: "pass force to …"), said in the refusal.
 */
export function checkLease(task: Task, req: TransitionRequest, now: number, forPerson?: string): void {
  const live = hasLiveLease(task, now);
  // A heartbeat always needs the live lease's token; the others only while a lease is live.
  if (!live && req.action !== 'heartbeat') return;
  // Two shells or sessions of one agent id (the CLI's default is per user and host): "another agent" would mislead.
  const ownId = task.lease_owner !== undefined && req.agent_id?.trim() === task.lease_owner;
  if (req.lease_token === undefined) {
    const instead =
      forPerson ??
      (ownId
        ? 'your agent id, but this call carries no lease token: pass the lease_token its claim returned. A claim made in a shell or session that has ended can be taken back by requeueing the task with force; if another session with your agent id is working on it, pick another task'
        : 'pick another task, or wait until it is released');
    throw new DomainError('TASK_LEASE_REQUIRED', `Task ${task.id} is claimed by ${task.lease_owner ?? 'another agent'} — ${instead}.`, {
      task_id: task.id,
      lease_owner: task.lease_owner,
    });
  }
  if (!live || req.lease_token !== task.lease_token) {
    // A lease of its caller that ran out, the task since claimed again, lands here too: say who holds it now.
    const holder = !live
      ? ''
      : ownId
        ? `: ${task.lease_owner} (your agent id) holds it under another token. If you claimed it again, pass that claim's lease_token; else another shell or session of your agent id holds it now, and your lease ended: stop working on ${task.id}`
        : `: ${task.lease_owner ?? 'another agent'} holds it now. If that lease was yours, it ended (it ran out, or was taken back): stop working on ${task.id}`;
    throw new DomainError('TASK_LEASE_INVALID', `That lease_token does not hold task ${task.id}${holder}.`, {
      task_id: task.id,
      ...(live && task.lease_owner !== undefined ? { lease_owner: task.lease_owner } : {}),
    });
  }
}

export function checkRevision(task: Task, req: TransitionRequest): void {
  if (req.expected_task_rev !== undefined && req.expected_task_rev !== task.task_rev) {
    throw new DomainError('TASK_REV_MISMATCH', `Task ${task.id} is at rev ${task.task_rev}, not ${req.expected_task_rev}.`, {
      task_id: task.id,
      task_rev: task.task_rev,
    });
  }
}

/** The token of a lease that ran out (or was revoked) gets TASK_LEASE_EXPIRED, whatever the action. */
export function checkNotExpired(task: Task, req: TransitionRequest, now: number): void {
  if (
    req.lease_token !== undefined &&
    req.lease_token === task.last_lease_token &&
    task.last_lease_expires_at_ms !== undefined &&
    task.last_lease_expires_at_ms <= now
  ) {
    const revoked = task.last_lease_revoked;
    if (revoked) {
      // The same code as an expiry (PROTOCOL.md keeps it): data.reason tells the holder it was taken back, by whom and why.
      const who = revoked.by ? ` by ${revoked.by}` : '';
      const why = revoked.reason ? `: ${revoked.reason}` : '';
      const how = revoked.by_cancel ? 'cancel' : 'requeue';
      throw new DomainError(
        'TASK_LEASE_EXPIRED',
        `Your lease on task ${task.id} was revoked by a ${how}${who}${why}. Claim the task again.`,
        {
          task_id: task.id,
          lease_expires_at_ms: task.last_lease_expires_at_ms,
          reason: `revoked by ${how}`,
          ...(revoked.by ? { revoked_by: revoked.by } : {}),
          ...(revoked.reason ? { revoke_reason: revoked.reason } : {}),
        },
      );
    }
    throw new DomainError('TASK_LEASE_EXPIRED', `The lease on task ${task.id} expired; claim the task again.`, {
      task_id: task.id,
      lease_expires_at_ms: task.last_lease_expires_at_ms,
      reason: 'expired',
    });
  }
}

/**
 * TASK_CANCELLED: a transition of a cancelled task — above all its lease holder's, who should stop;
 * a person's retry is told how it comes back instead.
 */
export function checkNotCancelled(task: Task, action?: string): void {
  if (task.status !== 'cancelled') return;
  const c = task.cancelled;
  const by = c?.by ? ` by ${c.by}` : '';
  const why = c?.reason ? `: ${c.reason}` : '';
  throw new DomainError(
    'TASK_CANCELLED',
    action === 'retry'
      ? `Task ${task.id} was cancelled${by}${why}. A requeue reopens it; retry is for failed and blocked tasks.`
      : `Task ${task.id} was cancelled${by}${why}. Stop working on it; it is claimed again only if someone requeues it.`,
    { task_id: task.id, ...(c?.by ? { cancelled_by: c.by } : {}), ...(c?.reason ? { reason: c.reason } : {}) },
  );
}

/**
 * editTask's and cancelTask's fence (PROTOCOL.md): the rev when given, and a live lease's token
 * unless a person forces; `what` words the refusal ("edit", "cancel").
 */
export function checkPersonFence(
  task: Task,
  p: { lease_token?: string; force?: boolean; expected_task_rev?: number },
  now: number,
  what: string,
): void {
  checkRevision(task, { action: 'status', expected_task_rev: p.expected_task_rev });
  if (!p.force)
    checkLease(task, { action: 'status', lease_token: p.lease_token }, now, `give its lease token, or force to ${what} it anyway`);
}
