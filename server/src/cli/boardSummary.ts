// The board at a glance (shared by `runboard run show` and the MCP get_run tool): tasks per
// status, what can be claimed right now (by the engine's own claim rule), and who holds leases.
import { Blackboard, RunRecord } from '../../../contract/schemas/records';
import { stateFromRecords } from '../engine/state';
import { hasLiveLease } from '../../../contract/taskRules';
import { TASK_STATUSES, TaskStatus } from '../../../contract/statuses';
import { isClaimable } from '../engine/taskClaim';
import { handsOutTasks } from '../../../contract/runRules';

export interface LeaseHeld {
  task_id: string;
  lease_owner: string;
  lease_expires_at_ms: number;
}

export interface BoardSummary {
  total: number;
  counts: Record<TaskStatus, number>;
  /** Claim order: what the next unfiltered claim would take first comes first. */
  claimable_now: string[];
  leases: LeaseHeld[];
  /** In progress with an ended lease: the next command on the run requeues them (or fails them). */
  expired_leases: string[];
}

export function summarizeBoard(run: RunRecord, blackboard: Blackboard, now = Date.now()): BoardSummary {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const t of run.tasks) counts[t.status]++;
  const state = stateFromRecords(run, blackboard);
  const claimable: string[] = [];
  const seen = new Set<string>();
  // firstReady visits ready tasks in claim order; rejecting every one leaves the index as it was.
  // A paused or finished run hands out none of them.
  if (handsOutTasks(run.status))
    state.index.firstReady((t) => {
      if (!seen.has(t.id) && isClaimable(state, t, {}, now)) claimable.push(t.id);
      seen.add(t.id);
      return false;
    });
  const leases = run.tasks
    .filter((t) => hasLiveLease(t, now))
    .map((t) => ({ task_id: t.id, lease_owner: t.lease_owner ?? '', lease_expires_at_ms: t.lease_expires_at_ms ?? 0 }));
  const expired = run.tasks.filter((t) => t.status === 'in_progress' && !hasLiveLease(t, now)).map((t) => t.id);
  return { total: run.tasks.length, counts, claimable_now: claimable, leases, expired_leases: expired };
}
