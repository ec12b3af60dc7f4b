// The params of every PROTOCOL.md method as zod schemas: the one boundary check shared by the
// server, the CLI and the MCP server. Shape errors become -32602 with the issue paths; id
// formats, limits and the like are domain rules (RUN_ID_INVALID, LIMIT_EXCEEDED …) checked later.
import { z } from 'zod';
import { BLACKBOARD_OPS, RunStatusSchema, TASK_PATCH_OPS, TaskStatusSchema } from './records';
import { ParamsError, type ParamsIssue } from '../paramsError';
import { NUMBER_BOUNDS, type NumberBounds } from '../limits';

export { ParamsError, type ParamsIssue };

const root = z.string().min(1).optional();
const runId = z.string();
const commandId = z.string().min(1).max(200).optional();
const seq = z.number().int().nonnegative();
/** A count the protocol clamps rather than rejects; it must still be a number. */
const clampable = z.number().finite();
/** A whole number within bounds every side agrees on (contract/limits.ts). */
const bounded = (b: NumberBounds) => z.number().int().min(b.min).max(b.max);
const optionalText = z.string().optional();

const RunLocator = { root, run_id: runId };

export const CreateRunParams = z
  .object({
    root,
    run_id: z.string().optional(),
    objective: z.string(),
    run_type: z.string().optional(),
    workspace: z.object({ workspace_id: z.string().optional(), canonical_path: z.string().optional() }).optional(),
    source_client: z.string().optional(),
    model_provider: z.string().optional(),
    model_id: z.string().optional(),
    mcp_servers: z.array(z.string()).optional(),
    /** The plan's steps, in order (at most LIMITS.steps; clients make them from a multi-line objective: contract/planSteps.ts). */
    steps: z.array(z.string().trim().min(1)).optional(),
    /** Completing the last open task also completes the run. */
    auto_finish: z.boolean().optional(),
    command_id: commandId,
  })
  .superRefine((p, ctx) => {
    // A command id is remembered by its run: without the run's id a repeat would make another run.
    if (p.command_id !== undefined && p.run_id === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['command_id'],
        message: 'command_id needs run_id: give the run its id, so that a repeat finds it',
      });
    }
  });

export const ListRunsParams = z.object({
  root,
  workspace: z.string().optional(),
  run_type: z.string().optional(),
  source: z.string().optional(),
  status: RunStatusSchema.optional(),
  limit: clampable.optional(),
  /** Also list the archived runs (in `archived`: PROTOCOL.md §Archived runs). */
  archived: z.boolean().optional(),
  /** Also say what each listed run takes on disk (in `sizes`). */
  sizes: z.boolean().optional(),
});

/** Archive a run (PROTOCOL.md §Archived runs): a finished one, or with `force` any, its leases requeued first. */
export const ArchiveRunParams = z.object({
  ...RunLocator,
  force: z.boolean().optional(),
  reason: optionalText,
  /** Who archives (recorded in the archive; default "runboard"). */
  by: z.string().optional(),
});

export const RestoreRunParams = z.object(RunLocator);

/** Compact a finished run in place (PROTOCOL.md §Archived runs): still listed, its log kept as sealed segments. */
export const CompactRunParams = z.object({ ...RunLocator, by: z.string().optional() });

/** What needs a person (contract/attention.ts): in one run, or every run of `root` (or of all open roots). */
export const ListAttentionParams = z.object({
  root,
  run_id: z.string().optional(),
  /** A lease running out within this long without a heartbeat is listed (default ATTENTION.leaseWarningMs). */
  lease_warning_ms: bounded(NUMBER_BOUNDS.leaseWarningMs).optional(),
});

/** Flow metrics of a run (engine/flowMetrics.ts), its time cut in `slices` equal parts (default 20). */
export const RunStatsParams = z.object({
  ...RunLocator,
  slices: bounded(NUMBER_BOUNDS.slices).optional(),
});

export const GetRunParams = z.object(RunLocator);

export const AppendEventParams = z.object({
  ...RunLocator,
  type: z.string().trim().min(1),
  status: RunStatusSchema,
  step_id: z.string().optional(),
  payload: z.unknown().optional(),
  command_id: commandId,
});

export const ListEventsParams = z.object({
  ...RunLocator,
  since_seq: seq.optional(),
  tail: clampable.optional(),
  limit: clampable.optional(),
});

export const PatchBlackboardParams = z.object({
  ...RunLocator,
  op: z.enum([...BLACKBOARD_OPS, ...TASK_PATCH_OPS]),
  payload: z.unknown(),
  command_id: commandId,
});

export const GetBlackboardParams = z.object(RunLocator);

export const ListPatchesParams = z.object({ ...RunLocator, since_seq: seq.optional(), tail: clampable.optional() });

// The task fields creation and editTask check alike.
const taskPriority = bounded(NUMBER_BOUNDS.priority);
const taskMaxAttempts = bounded(NUMBER_BOUNDS.maxAttempts);
const taskLabels = z.array(z.string().trim().min(1).max(64)).max(20);

/** Fields people write for a task that TaskInput names otherwise: an unknown field is refused with its right name. */
export const TASK_INPUT_ALIASES: Readonly<Record<string, string>> = {
  task_id: 'id',
  taskId: 'id',
  name: 'payload.title',
  title: 'payload.title',
  description: 'payload.description',
  type: 'task_type',
  taskType: 'task_type',
  kind: 'task_type',
  depends_on: 'depends_on_task_ids',
  dependencies: 'depends_on_task_ids',
  deps: 'depends_on_task_ids',
  after: 'depends_on_task_ids',
  max_retries: 'max_attempts',
  retries: 'max_attempts',
  target: 'payload.output_target.path',
  output_target: 'payload.output_target',
};

/** What the fields of a task row hold, where their name does not say it. */
const TASK_FIELD_HINTS: Record<string, string> = { payload: 'payload (title, description, output_target…)' };

/**
 * What a task row with fields its schema does not know is told: each field, its right name where
 * there is one, and the fields there are — the schema's own (`known`; default TaskInput's).
 */
export function unknownTaskFields(keys: readonly string[], known: readonly string[] = Object.keys(TaskInput.shape)): string {
  const said = keys.map((k) => (TASK_INPUT_ALIASES[k] ? `"${k}" (did you mean "${TASK_INPUT_ALIASES[k]}"?)` : `"${k}"`));
  // command_id is allowed on a row and ignored: not a field of the task.
  const fields = known.filter((k) => k !== 'command_id').map((k) => TASK_FIELD_HINTS[k] ?? k);
  return `Unknown task field${keys.length > 1 ? 's' : ''} ${said.join(', ')}. A task has ${fields.join(', ')}.`;
}

export const TaskInput = z.strictObject(
  {
    id: z.string().optional().describe('The task id (letters, digits, . _ - :), unique in the run; default: task-<uuid>.'),
    task_type: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe(
        'What kind of work: implementation (needs payload.output_target.path), inspection, research, validation, fix_proposal, or your own. Default: implementation when payload.output_target is given, else work.',
      ),
    payload: z.unknown().optional().describe('An object: title (what every view shows), description, output_target {path} …'),
    status: TaskStatusSchema.optional().describe('pending (default), runnable or blocked.'),
    workflow_id: z.string().optional(),
    workflow_node_id: z.string().optional(),
    parent_task_id: z.string().optional(),
    depends_on_task_ids: z
      .array(z.string())
      .optional()
      .describe('Tasks (ids in the run or this file) that must be done before this one can be claimed.'),
    decision_ids: z.array(z.string()).optional(),
    artifact_ids: z.array(z.string()).optional(),
    priority: taskPriority.optional().describe('Higher is claimed first (default 0).'),
    max_attempts: taskMaxAttempts.optional().describe('Failures before the task stays failed (default 3).'),
    labels: taskLabels.optional().describe('Words to find and filter the task by (runs of format 3).'),
    /** Allowed on a row and ignored: the idempotency key is the call's own command_id. */
    command_id: z.string().optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? unknownTaskFields(issue.keys) : undefined) },
);
export type TaskInput = z.infer<typeof TaskInput>;

/**
 * How editTask and cancelTask reach a task that may be leased: its holder passes the lease token,
 * a person `force` (with cancelTask's cascade, also onto leased dependents); `expected_task_rev`
 * fences a stale view; `agent_id` says who.
 */
const TaskFence = {
  lease_token: z.string().optional(),
  force: z.boolean().optional(),
  expected_task_rev: z.number().int().optional(),
  agent_id: z.string().optional(),
  command_id: commandId,
};

/** Records a task's git worktree (PROTOCOL.md §Worktrees): its holder with the lease token, anyone once the task is not in progress. */
export const SetTaskWorktreeParams = z.object({
  ...RunLocator,
  task_id: z.string(),
  lease_token: z.string().optional(),
  /** A person records it on a task another holds (as editTask, cancelTask). */
  force: z.boolean().optional(),
  worktree: z.object({
    // Absolute, on the machine that made it (POSIX, or a Windows drive or UNC path): a relative one would name another folder from every other place.
    path: z
      .string()
      .min(1)
      .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), 'must be an absolute path (a relative one names another folder from elsewhere)'),
    branch: z.string().min(1),
    base: z.string().min(1),
    state: z.enum(['active', 'kept', 'removed']),
    note: z.string().optional(),
    merged_into: z.string().optional(),
  }),
  command_id: commandId,
});

export const EditTaskParams = z.object({
  ...RunLocator,
  task_id: z.string(),
  title: z.string().trim().min(1).optional(),
  description: optionalText,
  priority: taskPriority.optional(),
  depends_on_task_ids: z.array(z.string()).optional(),
  max_attempts: taskMaxAttempts.optional(),
  labels: taskLabels.optional(),
  /** Payload fields to set (merged; null removes one). */
  payload: z.record(z.string(), z.unknown()).optional(),
  ...TaskFence,
});

export const CancelTaskParams = z.object({
  ...RunLocator,
  task_id: z.string(),
  reason: optionalText,
  /** Cancel every unfinished task that waits on it, directly or not, too. */
  cascade: z.boolean().optional(),
  ...TaskFence,
});

export const FinishRunParams = z.object({
  ...RunLocator,
  status: z.enum(['completed', 'failed']),
  reason: optionalText,
  /** Complete even while tasks are in progress (their holders may still finish them). */
  force: z.boolean().optional(),
  command_id: commandId,
});

export const CreateTasksParams = z.object({
  ...RunLocator,
  // The 500-row limit is LIMIT_EXCEEDED, a domain rule, so the schema only asks for one row.
  tasks: z.array(TaskInput).min(1),
  command_id: commandId,
});

export const ClaimTaskParams = z.object({
  ...RunLocator,
  agent_id: z.string().trim().min(1),
  task_id: z.string().optional(),
  task_type: z.string().optional(),
  workflow_id: z.string().optional(),
  lease_ms: clampable.optional(),
  command_id: commandId,
});

export const TRANSITION_ACTIONS = ['heartbeat', 'status', 'complete', 'fail', 'release', 'retry'] as const;
export type TransitionAction = (typeof TRANSITION_ACTIONS)[number];

export const TransitionTaskParams = z
  .object({
    ...RunLocator,
    /** The task; without it, the task holding lease_token. */
    task_id: z.string().optional(),
    action: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(TRANSITION_ACTIONS)),
    lease_token: z.string().optional(),
    agent_id: z.string().optional(),
    status: TaskStatusSchema.optional(),
    error: optionalText,
    /** complete: a note of what the work produced (runs of format 2). */
    result: optionalText,
    lease_ms: clampable.optional(),
    expected_task_rev: z.number().int().optional(),
    /** complete: refuse a task whose worktree is active (WORKTREE_ACTIVE), so that its client checks it for uncommitted changes first. */
    if_no_worktree: z.boolean().optional(),
    command_id: commandId,
  })
  .superRefine((p, ctx) => {
    if (p.action === 'status' && p.status === undefined) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'status is required for action "status"' });
    }
    if (p.task_id === undefined && p.lease_token === undefined) {
      ctx.addIssue({ code: 'custom', path: ['task_id'], message: 'give task_id, or the lease_token of the task' });
    }
  });

export const RequeueTaskParams = z.object({
  ...RunLocator,
  task_id: z.string(),
  reason: optionalText,
  force: z.boolean().optional(),
  /** Who requeues: told to the holder of a revoked lease. */
  agent_id: z.string().optional(),
  /** Reopen too the tasks its cancel took along (still cancelled, `cancelled.cascade_from` = this task). */
  cascade: z.boolean().optional(),
  command_id: commandId,
});

export const CreateCheckpointParams = z.object({ ...RunLocator, reason: z.string() });
export const ListCheckpointsParams = z.object(RunLocator);
export const LatestCheckpointParams = z.object(RunLocator);

export const ReplayParams = z.object({
  ...RunLocator,
  from_checkpoint: z.boolean().optional(),
  checkpoint_id: z.string().min(1).optional(),
  upto_seq: z.number().int().optional(),
});

/**
 * Neither: what is damaged and whether it can be restored (a read). accept: records that it is
 * gone, and writes resume. restore: also puts back what a cache or checkpoint from before it holds.
 */
export const RepairRunParams = z.object({ ...RunLocator, accept: z.boolean().optional(), restore: z.boolean().optional() });

export const ValidateWorkspaceLeaseParams = z.object({
  ...RunLocator,
  phase: z.string(),
  current_path: z.string().min(1),
  step_id: z.string().optional(),
});

export const RebindWorkspaceParams = z.object({
  ...RunLocator,
  current_path: z.string().min(1),
  command_id: commandId,
});

/**
 * A JSON object of `value`s, returned as it came: z.record copies by assignment, which turns an
 * own "__proto__" key (a valid run id, and a key JSON.parse keeps) into a prototype and loses it.
 */
export function ownRecord<T>(value: z.ZodType<T>): z.ZodType<Record<string, T>> {
  // z.unknown + refine, not z.custom: MCP publishes the schema as JSON Schema, which custom types cannot be.
  return z
    .unknown()
    .refine((v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => value.safeParse(x).success), {
      message: 'expected an object',
    }) as unknown as z.ZodType<Record<string, T>>;
}

export const SubscribeParams = z.object({
  root,
  run_ids: z.array(z.string()).optional(),
  cursor: ownRecord(seq).optional(),
  tail: clampable.optional(),
});

export const UnsubscribeParams = z.object({ subscription_id: z.string() });

/** Every run-store method with its params schema (subscribe/unsubscribe belong to the server). */
export const METHOD_PARAMS = {
  createRun: CreateRunParams,
  listRuns: ListRunsParams,
  listAttention: ListAttentionParams,
  runStats: RunStatsParams,
  getRun: GetRunParams,
  appendEvent: AppendEventParams,
  finishRun: FinishRunParams,
  editTask: EditTaskParams,
  cancelTask: CancelTaskParams,
  listEvents: ListEventsParams,
  patchBlackboard: PatchBlackboardParams,
  getBlackboard: GetBlackboardParams,
  listPatches: ListPatchesParams,
  createTasks: CreateTasksParams,
  claimTask: ClaimTaskParams,
  transitionTask: TransitionTaskParams,
  requeueTask: RequeueTaskParams,
  createCheckpoint: CreateCheckpointParams,
  listCheckpoints: ListCheckpointsParams,
  latestCheckpoint: LatestCheckpointParams,
  replay: ReplayParams,
  repairRun: RepairRunParams,
  validateWorkspaceLease: ValidateWorkspaceLeaseParams,
  rebindWorkspace: RebindWorkspaceParams,
  archiveRun: ArchiveRunParams,
  restoreRun: RestoreRunParams,
  compactRun: CompactRunParams,
  setTaskWorktree: SetTaskWorktreeParams,
} as const;
export type StoreMethod = keyof typeof METHOD_PARAMS;
export type ParamsOf<M extends StoreMethod> = z.infer<(typeof METHOD_PARAMS)[M]>;
export type InputOf<M extends StoreMethod> = z.input<(typeof METHOD_PARAMS)[M]>;

/**
 * Whether the method takes a `command_id` (every mutating method of a run but createCheckpoint
 * and validateWorkspaceLease): a repeat under it is answered, not done again.
 */
export function takesCommandId(method: StoreMethod): boolean {
  return 'command_id' in METHOD_PARAMS[method].shape;
}

/**
 * One issue per field: the last zod found there. A number's integer check and its own bound both
 * fail on a huge value ("<= 9007199254740991; <= 2147483647"): the bound, checked last, is the one to say.
 */
export function issuesOf(error: z.ZodError): ParamsIssue[] {
  const byPath = new Map<string, ParamsIssue>();
  for (const i of error.issues) {
    const path = i.path.map(String).join('.');
    byPath.set(path, { path, message: i.message });
  }
  return [...byPath.values()];
}

/** Validates `raw` against `schema`; throws ParamsError naming every bad field. */
export function parseParams<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw ?? {});
  if (!r.success) throw new ParamsError(issuesOf(r.error));
  return r.data;
}

export function clamp(value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  return Math.min(max, Math.max(min, Math.floor(value)));
}
