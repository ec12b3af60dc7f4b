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
    // Anything else a hand edit may change — the objective, a task's payload or owner, a fact —
    // with what the flags above compare taken as the replay's, so that each difference is said once.
    run_content_mismatch: differsWherePersisted(replay, {
      ...persisted,
      status: replay.status,
      why_next_step: replay.why_next_step,
      last_event_seq: replay.last_event_seq,
      steps: withStatusesOf(persisted.steps, replay.steps),
    }),
    blackboard_content_mismatch: differsWherePersisted(replayBlackboard, persistedBoard(persistedBlackboard, replayBlackboard)),
  };
  return { ...flags, mismatch: Object.values(flags).some(Boolean) };
}

/** The persisted blackboard with what its own flags compare (revision, task count and statuses) taken as the replay's. */
function persistedBoard(persisted: Blackboard, replay: Blackboard): Blackboard {
  return {
    ...persisted,
    revision: replay.revision,
    last_event_seq: replay.last_event_seq,
    tasks: withStatusesOf(persisted.tasks, replay.tasks),
  };
}

/** Persisted steps or tasks with the replay's statuses (their own flags compare those); another count is its flag's too: the replay's list. */
function withStatusesOf<T extends { status: string }>(persisted: T[], replay: T[]): T[] {
  return persisted.length === replay.length ? persisted.map((x, i) => ({ ...x, status: replay[i].status })) : replay;
}

/**
 * Whether `persisted` says anything `replay` does not: every value it holds, at any depth, compared
 * with the replay's; a field it lacks is not compared, as a cache written before that field existed
 * lacks it (and a load believes it) — an upgrade is no drift.
 */
export function differsWherePersisted(replay: unknown, persisted: unknown): boolean {
  if (persisted === undefined) return false;
  if (persisted === null || typeof persisted !== 'object') return replay !== persisted;
  if (replay === null || typeof replay !== 'object' || Array.isArray(replay) !== Array.isArray(persisted)) return true;
  if (Array.isArray(persisted)) {
    const r = replay as unknown[];
    return r.length !== persisted.length || persisted.some((v, i) => differsWherePersisted(r[i], v));
  }
  const r = replay as Record<string, unknown>;
  return Object.entries(persisted).some(([k, v]) => v !== undefined && (r[k] === undefined || differsWherePersisted(r[k], v)));
}

/** Checkpoint order: highest seq, then latest ts_ms, then greatest checkpoint_id. */
export function compareCheckpoints(
  a: { seq: number; ts_ms: number; checkpoint_id: string },
  b: { seq: number; ts_ms: number; checkpoint_id: string },
): number {
  return a.seq - b.seq || a.ts_ms - b.ts_ms || (a.checkpoint_id < b.checkpoint_id ? -1 : a.checkpoint_id > b.checkpoint_id ? 1 : 0);
}
