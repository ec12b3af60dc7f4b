// Cancelling tasks (PROTOCOL.md §cancelTask; runs of format 4): any task not finished becomes
// `cancelled`, with who and why; its lease ends (the holder's next call hears TASK_CANCELLED);
// its dependents wait ("dependency cancelled") unless `cascade` cancels them too. A requeue
// reopens a cancelled task (taskLifecycle.ts). auto_finish counts cancelled tasks as finished.
import { EVENT, runHas } from '../../../contract/events';
import type { ParamsOf } from '../../../contract/schemas/params';
import type { EventRecord, Task } from '../../../contract/schemas/records';
import { cascadeOf, hasLiveLease, isCancellable, leaseExpiry } from '../../../contract/taskRules';
import { leasedText } from '../../../contract/taskText';
import { DomainError, formatTooOld } from './errors';
import { EventBuilder } from './eventBuilder';
import type { CommandContext } from './ids';
import type { RunState } from './state';
import { autoFinishEvent } from './autoFinish';
import { bump, requireTask, revocation, withoutLease } from './taskLifecycle';
import { checkTextLimit, trimmedOrUndefined } from './text';
import { checkPersonFence, refuse } from './transitionChecks';

/** The tasks a cancel takes: the task (unless it is cancelled already) and, with cascade, every unfinished task that waits on it. */
function tasksToCancel(state: RunState, task: Task, cascade: boolean): Task[] {
  return [...(isCancellable(task) ? [task] : []), ...(cascade ? cascadeOf(task.id, state.tasks.values()) : [])];
}

/** A dependent under someone's live lease is cancelled with the others only when forced (its holder's token is not this call's). */
function checkDependentLease(task: Task, now: number, force: boolean | undefined): void {
  if (force || !hasLiveLease(task, now)) return;
  throw new DomainError(
    'TASK_LEASE_ACTIVE',
    `Task ${task.id}, which waits on the task cancelled, is ${leasedText(task, leaseExpiry(task), now)}; cancel with force to take it along.`,
    { task_id: task.id, lease_owner: task.lease_owner, lease_expires_at_ms: task.lease_expires_at_ms },
  );
}

export function decideCancelTask(state: RunState, p: ParamsOf<'cancelTask'>, ctx: CommandContext): EventRecord[] {
  if (!runHas(state.header, 'taskCancels'))
    throw formatTooOld(state.header, 'taskCancels', 'cancelled tasks: its tasks cannot be cancelled');
  checkTextLimit('reason', p.reason);
  const task = requireTask(state, p.task_id);
  if (task.status === 'done') throw refuse(task, 'cancelled', `Task ${task.id} is done; a done task is never cancelled.`);
  checkPersonFence(task, p, ctx.now, 'cancel');
  const chosen = tasksToCancel(state, task, p.cascade === true);
  for (const t of chosen) if (t !== task) checkDependentLease(t, ctx.now, p.force);
  const by = trimmedOrUndefined(p.agent_id);
  const reason = trimmedOrUndefined(p.reason);
  const b = new EventBuilder(state, ctx);
  const after = new Map<string, Task>();
  for (const t of chosen) {
    const live = hasLiveLease(t, ctx.now);
    const cascadeFrom = t === task ? undefined : task.id;
    const next: Task = {
      ...withoutLease(bump(t, ctx.now)),
      status: 'cancelled',
      cancelled: {
        at_ms: ctx.now,
        ...(by ? { by } : {}),
        ...(reason ? { reason } : {}),
        ...(cascadeFrom ? { cascade_from: cascadeFrom } : {}),
      },
    };
    // The lease ends now: its holder's token is the task's last one, and TASK_CANCELLED tells it so —
    // and, taken from its holder, after a reopen too (TASK_LEASE_EXPIRED, revoked by a cancel), not "it expired".
    if (live) {
      next.last_lease_expires_at_ms = ctx.now;
      if (p.lease_token !== t.lease_token) next.last_lease_revoked = revocation(by, reason, true);
    }
    after.set(t.id, next);
    b.add({
      type: EVENT.taskCancelled,
      status: state.header.status,
      task_id: t.id,
      payload: {
        task_id: t.id,
        task_rev: next.task_rev,
        ...(reason ? { reason } : {}),
        ...(by ? { by } : {}),
        ...(cascadeFrom ? { cascade_from: cascadeFrom } : {}),
        ...(live ? { forced: true } : {}),
        task: next,
      },
    });
  }
  const finish = autoFinishEvent(state, after);
  if (finish) b.add(finish);
  return b.events;
}
