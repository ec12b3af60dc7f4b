// Replay and drift (SPEC.md §11.3 with PROTOCOL.md's fixes): replay is the live fold applied to
// a checkpoint or the empty state, so a healthy run replayed to its last seq shows no drift.
import { Blackboard, RunRecord } from '../../../contract/schemas/records';
import type { DriftFlags } from '../../../contract/results';

export function computeDrift(
  replay: RunRecord,
  replayBlackboard: Blackboard,
  persisted: RunRecord,
  persistedBlackboard: Blackboard,
): DriftFlags {
  const replayedSteps = new Map(replay.steps.map((s) => [s.step_id, s.status]));
  const replayedTasks = new Map(replayBlackboard.tasks.map((t) => [t.id, t.status]));
  const flags = {
    status_mismatch: replay.status !== persisted.status,
    why_next_step_mismatch: (replay.why_next_step ?? null) !== (persisted.why_next_step ?? null),
    step_count_mismatch: replay.steps.length !== persisted.steps.length,
    step_status_mismatch: persisted.steps.some((s) => replayedSteps.get(s.step_id) !== s.status),
    blackboard_revision_mismatch: replayBlackboard.revision !== persistedBlackboard.revision,
    blackboard_task_count_mismatch: replayBlackboard.tasks.length !== persistedBlackboard.tasks.length,
    blackboard_task_status_mismatch: persistedBlackboard.tasks.some((t) => replayedTasks.get(t.id) !== t.status),
    last_event_seq_mismatch: replay.last_event_seq !== persisted.last_event_seq,
  };
  return { ...flags, mismatch: Object.values(flags).some(Boolean) };
}

/** Checkpoint order: highest seq, then latest ts_ms, then greatest checkpoint_id. */
export function compareCheckpoints(
  a: { seq: number; ts_ms: number; checkpoint_id: string },
  b: { seq: number; ts_ms: number; checkpoint_id: string },
): number {
  return a.seq - b.seq || a.ts_ms - b.ts_ms || (a.checkpoint_id < b.checkpoint_id ? -1 : a.checkpoint_id > b.checkpoint_id ? 1 : 0);
}
