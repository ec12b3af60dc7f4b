// The event types the engine writes and the run format (PROTOCOL.md §Files): the engine, the
// server and the extension read the same declaration.
export const EVENT = {
  runCreated: 'context.run.created',
  taskCreated: 'context.task.created',
  taskClaimed: 'context.task.claimed',
  taskHeartbeat: 'context.task.heartbeat',
  taskStarted: 'context.task.started',
  taskCompleted: 'context.task.completed',
  taskFailed: 'context.task.failed',
  taskBlocked: 'context.task.blocked',
  taskRequeued: 'context.task.requeued',
  taskStaleRequeued: 'context.task.stale_requeued',
  /** A task's fields edited (editTask; runs of format 3). */
  taskEdited: 'context.task.edited',
  blackboardPatched: 'context.blackboard.patched',
  artifactAdded: 'context.artifact.added',
  workspaceValidated: 'workspace_validated',
  workspaceMismatch: 'workspace_mismatch',
  workspaceRebound: 'workspace_rebound',
  /** Accepts the damage found before it (lines that could not be folded, missing seqs): writes resume. */
  logRepaired: 'context.log.repaired',
  /** A person or agent finished the run (finishRun), or its last open task was completed (auto_finish). */
  runCompleted: 'run_completed',
  runFailed: 'run_failed',
} as const;

/**
 * The run format this Runboard writes (context.run.created's payload.format and the run's
 * `format`); runs of a newer one are read, never written. Format 2 (PROTOCOL.md §Files): step
 * events move the run's next step along, and run_completed / run_failed finish the run. Format 3:
 * tasks are edited (context.task.edited) and carry labels.
 */
export const RUN_FORMAT = 3;

/** A run's format: absent on runs made before formats were recorded in the run. */
export function formatOf(run: { format?: number }): number {
  return run.format ?? 1;
}

/**
 * The run format that first has each change (PROTOCOL.md §Files): a run of an older format folds
 * as it did, and refuses what its format lacks. One declaration: every check asks `runHas`.
 */
export const SINCE_FORMAT = {
  /** Step events move the plan along; run_completed / run_failed finish the run. */
  planMoves: 2,
  autoFinish: 2,
  resultNotes: 2,
  /** A requeue of a task out of attempts gives it one more. */
  requeueRaisesAttempts: 2,
  taskEdits: 3,
  labels: 3,
} as const;
export type FormatFeature = keyof typeof SINCE_FORMAT;

export function runHas(run: { format?: number }, feature: FormatFeature): boolean {
  return formatOf(run) >= SINCE_FORMAT[feature];
}
