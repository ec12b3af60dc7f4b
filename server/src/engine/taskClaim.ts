// Claiming (SPEC.md §8, PROTOCOL.md §claimTask): which task a claim gets — the first ready one
// in claim order, or the one named — and the lease it gets with it.
import { EVENT } from '../../../contract/events';
import type { EventRecord, Task } from '../../../contract/schemas/records';
import { isClaimableStatus, isFinishedTask, isTerminal } from '../../../contract/statuses';
import { handsOutTasks } from '../../../contract/runRules';
import { isOpenDependency, retryDue, waitsOnAPerson, type NothingToClaim } from '../../../contract/taskRules';
import { DomainError } from './errors';
import { EventBuilder } from './eventBuilder';
import { CommandContext } from './ids';
import { RunState } from './state';
import { bump, leaseMs, requireTask } from './taskLifecycle';

export interface ClaimFilter {
  task_type?: string;
  workflow_id?: string;
}

export function isClaimable(state: RunState, task: Task, filter: ClaimFilter, now: number): boolean {
  return (
    isClaimableStatus(task.status) &&
    state.index.unfinishedDependencyCount(task.id) === 0 &&
    retryDue(task, now) &&
    (filter.task_type === undefined || task.task_type === filter.task_type) &&
    (filter.workflow_id === undefined || task.workflow_id === filter.workflow_id)
  );
}

export interface ClaimRequest extends ClaimFilter {
  agent_id: string;
  task_id?: string;
  lease_ms?: number;
}

/**
 * Why a claim that found nothing found nothing (decideClaim returned no events): the reason about
 * the tasks it could have taken — the named one, or those its filter matches.
 */
export function whyNothingToClaim(
  state: RunState,
  req: ClaimRequest,
  now: number,
): { reason: NothingToClaim; next_retry_at_ms?: number; waiting_on?: string[]; paused_reason?: string } {
  // Every task done or cancelled: the run's work is over, paused or not, whatever the filter
  // (claim --wait ends on it rather than waiting for a resume or a match that cannot come).
  if (req.task_id !== undefined) requireTask(state, req.task_id);
  const tasks = [...state.tasks.values()];
  if (tasks.length > 0 && tasks.every((t) => isFinishedTask(t.status))) return { reason: 'all_done' };
  if (!handsOutTasks(state.header.status)) {
    const why = state.header.status_reason;
    return { reason: 'run_paused', ...(why !== undefined ? { paused_reason: why } : {}) };
  }
  const filter: ClaimFilter = { task_type: req.task_type, workflow_id: req.workflow_id };
  const candidates =
    req.task_id !== undefined
      ? [requireTask(state, req.task_id)]
      : [...state.tasks.values()].filter(
          (t) =>
            (filter.task_type === undefined || t.task_type === filter.task_type) &&
            (filter.workflow_id === undefined || t.workflow_id === filter.workflow_id),
        );
  if (candidates.length === 0) return { reason: state.tasks.size === 0 ? 'no_tasks' : 'no_match' };
  const open = candidates.filter((t) => isClaimableStatus(t.status));
  const retries = open.filter((t) => !retryDue(t, now)).map((t) => t.next_retry_at_ms!);
  if (retries.length > 0) return { reason: 'retry_later', next_retry_at_ms: Math.min(...retries) };
  // A task waiting on a blocked, failed or cancelled one (directly or not) waits for a person, not for other agents.
  const waiting = open.filter((t) => state.index.unfinishedDependencyCount(t.id) > 0);
  if (waiting.some((t) => !waitsOnAPerson(t, state.tasks))) {
    // The named task's own open dependencies: what the caller waits for.
    const on =
      req.task_id !== undefined ? [...new Set(open[0].depends_on_task_ids)].filter((id) => isOpenDependency(state.tasks.get(id))) : [];
    return { reason: 'dependencies', ...(on.length > 0 ? { waiting_on: on } : {}) };
  }
  if (candidates.some((t) => t.status === 'in_progress')) return { reason: 'leased' };
  if (waiting.length > 0 || candidates.some((t) => t.status === 'blocked' || t.status === 'failed')) return { reason: 'needs_a_person' };
  return { reason: 'all_done' };
}

/** The claimed task's event, or nothing when no task is claimable. */
export function decideClaim(state: RunState, req: ClaimRequest, ctx: CommandContext, defaultLeaseMs?: number): EventRecord[] {
  if (isTerminal(state.header.status)) {
    throw new DomainError('RUN_TERMINAL', `Run ${state.header.run_id} is ${state.header.status}: nothing can be claimed.`, {
      status: state.header.status,
    });
  }
  const named = req.task_id !== undefined ? requireTask(state, req.task_id) : undefined;
  // A paused run hands out nothing; its holders still heartbeat and finish what they hold.
  if (!handsOutTasks(state.header.status)) return [];
  const filter: ClaimFilter = { task_type: req.task_type, workflow_id: req.workflow_id };
  const ready = (t: Task) => isClaimable(state, t, filter, ctx.now);
  const task = named ? (ready(named) ? named : undefined) : state.index.firstReady(ready);
  if (!task) return [];
  const agent = req.agent_id.trim();
  const token = ctx.ids.newId('lease');
  const length = leaseMs(req.lease_ms, defaultLeaseMs);
  const expires = ctx.now + length;
  // A new lease: what was said of the last one (revoked) no longer applies.
  const { last_lease_revoked: _revoked, ...unclaimed } = task;
  const claimed: Task = {
    ...bump(unclaimed, ctx.now),
    status: 'in_progress',
    assigned_agent: agent,
    lease_owner: agent,
    lease_token: token,
    lease_expires_at_ms: expires,
    lease_ms: length,
    last_lease_token: token,
    last_lease_expires_at_ms: expires,
  };
  const b = new EventBuilder(state, ctx);
  b.add({
    type: EVENT.taskClaimed,
    status: state.header.status,
    task_id: task.id,
    payload: {
      task_id: task.id,
      agent_id: agent,
      task_rev: claimed.task_rev,
      ...(task.workflow_id ? { workflow_id: task.workflow_id } : {}),
      task: claimed,
    },
  });
  return b.events;
}
