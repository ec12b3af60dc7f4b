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
  /** A task withdrawn (cancelTask; runs of format 4). */
  taskCancelled: 'context.task.cancelled',
  /** A task's git worktree recorded or changed (setTaskWorktree; runs of format 5). */
  taskWorktree: 'context.task.worktree',
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
 * tasks are edited (context.task.edited) and carry labels. Format 4: tasks are cancelled
 * (context.task.cancelled), questions are answered, resolved and reopened, decisions superseded.
 * Format 5: tasks carry the git worktree they are worked in (context.task.worktree).
 */
export const RUN_FORMAT = 5;

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
  /** The task status `cancelled` and its event. */
  taskCancels: 4,
  /** answer_question, resolve_question, reopen_question, supersede_decision. */
  closingItems: 4,
  /** A task's git worktree (its `worktree` field and context.task.worktree). */
  worktrees: 5,
} as const;
export type FormatFeature = keyof typeof SINCE_FORMAT;

export function runHas(run: { format?: number }, feature: FormatFeature): boolean {
  return formatOf(run) >= SINCE_FORMAT[feature];
}

/**
 * The engine's own event types and blackboard ops that came with a format: a reader that knows
 * an older format refuses a run holding them rather than skipping them (PROTOCOL.md §Files).
 */
export const EVENT_SINCE: Readonly<Record<string, FormatFeature>> = {
  [EVENT.taskEdited]: 'taskEdits',
  [EVENT.taskCancelled]: 'taskCancels',
  [EVENT.taskWorktree]: 'worktrees',
};
export const BLACKBOARD_OP_SINCE: Readonly<Record<string, FormatFeature>> = {
  answer_question: 'closingItems',
  resolve_question: 'closingItems',
  reopen_question: 'closingItems',
  supersede_decision: 'closingItems',
};

/** Event types only Runboard's own methods write (appendEvent refuses them): a reader must know each one it meets. */
export function isReservedEventType(type: string): boolean {
  const lower = type.trim().toLowerCase();
  return lower.startsWith('context.') || lower.startsWith('workspace_');
}

const OWN_EVENT_TYPES: ReadonlySet<string> = new Set(Object.values(EVENT));

/**
 * Why a reader that knows run formats up to `readerFormat` cannot fold this event, or undefined
 * when it can: a reserved type it does not know, or a type or blackboard op of a later format.
 */
export function unknownToReader(e: { type: string; payload: unknown }, readerFormat: number = RUN_FORMAT): string | undefined {
  const since = (feature: FormatFeature | undefined) => (feature === undefined ? 0 : SINCE_FORMAT[feature]);
  const later = (what: string, format: number) =>
    `${what} comes with run format ${format}, and this Runboard reads formats up to ${readerFormat}`;
  if (isReservedEventType(e.type) && !OWN_EVENT_TYPES.has(e.type)) return `event type ${e.type} is not one this Runboard knows`;
  const typeFormat = since(Object.hasOwn(EVENT_SINCE, e.type) ? EVENT_SINCE[e.type] : undefined);
  if (typeFormat > readerFormat) return later(`event type ${e.type}`, typeFormat);
  if (e.type === EVENT.blackboardPatched) {
    const op = (e.payload as { op?: unknown } | null)?.op;
    if (typeof op === 'string' && Object.hasOwn(BLACKBOARD_OP_SINCE, op) && since(BLACKBOARD_OP_SINCE[op]) > readerFormat) {
      return later(`blackboard op ${op}`, since(BLACKBOARD_OP_SINCE[op]));
    }
  }
  return undefined;
}
