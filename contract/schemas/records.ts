// The records of SPEC.md §1 as zod schemas, with PROTOCOL.md's fixes. Types are inferred from
// the schemas so the wire shape and the TypeScript shape cannot drift apart.
import { z } from 'zod';
import { LIMITS } from '../limits';
import { RUN_STATUSES, STEP_STATUSES, TASK_STATUSES } from '../statuses';

export const RunStatusSchema = z.enum(RUN_STATUSES);
export const StepStatusSchema = z.enum(STEP_STATUSES);
export const TaskStatusSchema = z.enum(TASK_STATUSES);

export const StepSchema = z.object({
  step_id: z.string(),
  title: z.string(),
  status: StepStatusSchema,
});
export type Step = z.infer<typeof StepSchema>;

export const WorkspaceLeaseSchema = z.object({
  workspace_id: z.string(),
  canonical_path: z.string(),
  lease_epoch: z.number().int().nonnegative(),
});
export type WorkspaceLease = z.infer<typeof WorkspaceLeaseSchema>;

export const TenantContextSchema = z.object({
  org_id: z.string(),
  workspace_id: z.string(),
  deployment_id: z.string().optional(),
  actor_id: z.string().optional(),
  source: z.string(),
});
export type TenantContext = z.infer<typeof TenantContextSchema>;

export const LOCAL_TENANT: TenantContext = { org_id: 'local', workspace_id: 'local', source: 'local_implicit' };

export const TaskSchema = z.object({
  id: z.string(),
  task_type: z.string(),
  payload: z.unknown(),
  status: TaskStatusSchema,
  workflow_id: z.string().optional(),
  workflow_node_id: z.string().optional(),
  parent_task_id: z.string().optional(),
  depends_on_task_ids: z.array(z.string()),
  decision_ids: z.array(z.string()),
  artifact_ids: z.array(z.string()),
  assigned_agent: z.string().optional(),
  priority: z.number().int(),
  attempt: z.number().int().nonnegative(),
  max_attempts: z.number().int().nonnegative(),
  last_error: z.string().optional(),
  next_retry_at_ms: z.number().optional(),
  lease_owner: z.string().optional(),
  lease_token: z.string().optional(),
  lease_expires_at_ms: z.number().optional(),
  /** The live lease's length (ms): its claim's, or its last heartbeat's that named one — a heartbeat naming none keeps it. */
  lease_ms: z.number().int().optional(),
  // Engine fields (PROTOCOL.md allows them): the most recent lease, kept after it ends so a
  // stale holder gets TASK_LEASE_EXPIRED rather than a confusing precondition error.
  last_lease_token: z.string().optional(),
  last_lease_expires_at_ms: z.number().optional(),
  /** The most recent lease was taken back by a requeue or a cancel (`by_cancel`; by whom, why): its holder is told so. */
  last_lease_revoked: z
    .object({ by: z.string().optional(), reason: z.string().optional(), by_cancel: z.literal(true).optional() })
    .optional(),
  /** What the work produced, noted on completion (complete's `result`; runs of format 2). */
  result: z.string().optional(),
  /** Words to find and filter the task by (runs of format 3). */
  labels: z.array(z.string()).optional(),
  /** Why, by whom and when the task was cancelled (status `cancelled`; runs of format 4); `cascade_from`: the task whose cancel cancelled it. */
  cancelled: z
    .object({ at_ms: z.number(), by: z.string().optional(), reason: z.string().optional(), cascade_from: z.string().optional() })
    .optional(),
  /** The git worktree the task is worked in (PROTOCOL.md §Worktrees; runs of format 5). */
  worktree: z
    .object({
      path: z.string(),
      branch: z.string(),
      /** What the branch was made from: the commit HEAD was at, or a dependency's branch, with others merged in (`<branch> + <branch> …`). */
      base: z.string(),
      /** active: there to work in; kept: left in place (it holds uncommitted changes); removed: the folder is gone, the branch stays — or, with a note saying what was left and why, it is no git worktree any more. */
      state: z.enum(['active', 'kept', 'removed']),
      note: z.string().optional(),
      /** The branch it was merged into (tasks merge). */
      merged_into: z.string().optional(),
    })
    .optional(),
  task_rev: z.number().int().positive(),
  created_ts: z.number(),
  updated_ts: z.number(),
  /** When its status last changed (absent: never since it was made, or before this field was written); an edit leaves it. */
  status_since_ms: z.number().optional(),
});
export type Task = z.infer<typeof TaskSchema>;
export type TaskWorktree = NonNullable<Task['worktree']>;

export const RunRecordSchema = z.object({
  run_id: z.string(),
  run_type: z.string(),
  tenant_context: TenantContextSchema,
  source_client: z.string().optional(),
  source_metadata: z.unknown().optional(),
  model_provider: z.string().optional(),
  model_id: z.string().optional(),
  mcp_servers: z.array(z.string()),
  status: RunStatusSchema,
  objective: z.string(),
  workspace: WorkspaceLeaseSchema,
  steps: z.array(StepSchema),
  tasks: z.array(TaskSchema),
  why_next_step: z.string().nullable(),
  revision: z.number().int(),
  last_event_seq: z.number().int().nonnegative(),
  created_at_ms: z.number(),
  started_at_ms: z.number().optional(),
  ended_at_ms: z.number().optional(),
  last_error: z.string().optional(),
  updated_at_ms: z.number(),
  // Engine field: the event type that last moved `status`, so a rebind knows whether the
  // pause came from a workspace mismatch (PROTOCOL.md §rebindWorkspace).
  status_changed_by: z.string().optional(),
  /** Engine field: when `status` last moved (the time of that event), so a pause is one attention item however the run changes during it. */
  status_changed_at_ms: z.number().optional(),
  /** The reason the run event that last moved `status` gave (`payload.reason`: run pause --reason …); absent when it gave none. */
  status_reason: z.string().optional(),
  /** Engine field, while `paused`: the status the pause came from — a resume returns a plan waiting for approval to `awaiting_approval`. */
  paused_from: RunStatusSchema.optional(),
  /** The run's format (contract/events.ts RUN_FORMAT); absent: 1. */
  format: z.number().int().positive().optional(),
  /** Completing the last open task also completes the run (createRun's auto_finish; format 2). */
  auto_finish: z.boolean().optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;
/** The run without its task list: tasks live in an indexed map in memory. */
export type RunHeader = Omit<RunRecord, 'tasks'>;

/** Who did something to a blackboard item, when, and what they said (runs of format 4). */
const ItemNoteSchema = z.object({ ts_ms: z.number(), by: z.string().optional(), text: z.string().optional() });
export type ItemNote = z.infer<typeof ItemNoteSchema>;

export const BlackboardItemSchema = z.object({
  id: z.string(),
  ts_ms: z.number(),
  text: z.string(),
  step_id: z.string().optional(),
  source_event_id: z.string().optional(),
  // Questions (format 4): `open_questions` holds the open ones, `closed_questions` the answered and resolved.
  question_status: z.enum(['open', 'answered', 'resolved']).optional(),
  /** The answer (text), and the decision it produced. */
  answer: ItemNoteSchema.extend({ decision_id: z.string().optional() }).optional(),
  /** Closed without an answer (text: a note). */
  resolution: ItemNoteSchema.optional(),
  /** Opened again after it was closed (text: why); an earlier answer or resolution stays for reference. */
  reopened: ItemNoteSchema.optional(),
  // Decisions (format 4).
  /** The decision that replaces this one. */
  superseded_by: z.string().optional(),
  /** The decision this one replaces. */
  supersedes: z.string().optional(),
  /** The question whose answer produced this decision. */
  answers_question: z.string().optional(),
  /** Who added it, where the op says (a superseding decision, one an answer produced). */
  by: z.string().optional(),
});
export type BlackboardItem = z.infer<typeof BlackboardItemSchema>;

export const ArtifactSchema = z.object({
  id: z.string(),
  ts_ms: z.number(),
  path: z.string(),
  artifact_type: z.string(),
  step_id: z.string().optional(),
  source_event_id: z.string().optional(),
});
export type Artifact = z.infer<typeof ArtifactSchema>;

export const SummariesSchema = z.object({ rolling: z.string(), latest_context_pack: z.string() });

/** blackboard.json: everything but tasks, at its own `last_event_seq`. */
export const StoredBlackboardSchema = z.object({
  facts: z.array(BlackboardItemSchema).default([]),
  decisions: z.array(BlackboardItemSchema).default([]),
  open_questions: z.array(BlackboardItemSchema).default([]),
  /** Questions answered or resolved, in the order they closed (format 4). */
  closed_questions: z.array(BlackboardItemSchema).default([]),
  artifacts: z.array(ArtifactSchema).default([]),
  summaries: SummariesSchema.default({ rolling: '', latest_context_pack: '' }),
  revision: z.number().int().nonnegative().default(0),
  last_event_seq: z.number().int().nonnegative().default(0),
});
export type StoredBlackboard = z.infer<typeof StoredBlackboardSchema>;
/** The blackboard's item lists: an item id is unique across all of them. */
export const BLACKBOARD_ITEM_LISTS = ['facts', 'decisions', 'open_questions', 'closed_questions', 'artifacts'] as const;
export type Blackboard = StoredBlackboard & { tasks: Task[] };

export const EventRecordSchema = z.object({
  event_id: z.string(),
  run_id: z.string(),
  seq: z.number().int().positive().max(LIMITS.seq),
  ts_ms: z.number(),
  type: z.string(),
  status: RunStatusSchema,
  revision: z.number().int(),
  step_id: z.string().optional(),
  task_id: z.string().optional(),
  command_id: z.string().optional(),
  command_method: z.string().optional(),
  command_fingerprint: z.string().optional(),
  // Runboard's own: on every event of a multi-event commit, the seq of its last event, so
  // readers fold a batch only when all of it is on disk.
  batch_end: z.number().int().positive().optional(),
  payload: z.unknown(),
});
export type EventRecord = z.infer<typeof EventRecordSchema>;

export const BLACKBOARD_OPS = [
  'add_fact',
  'add_decision',
  'add_open_question',
  'add_artifact',
  'set_rolling_summary',
  'set_latest_context_pack',
  // Runs of format 4: questions close and open again, decisions are replaced.
  'answer_question',
  'resolve_question',
  'reopen_question',
  'supersede_decision',
] as const;
export type BlackboardOp = (typeof BLACKBOARD_OPS)[number];
export const TASK_PATCH_OPS = ['add_task', 'update_task_lease', 'update_task_state'] as const;

export interface PatchRow {
  patch_id: string;
  seq: number;
  ts_ms: number;
  op: string;
  payload: unknown;
}

export interface Checkpoint {
  checkpoint_id: string;
  run_id: string;
  seq: number;
  ts_ms: number;
  reason: string;
  run: RunRecord;
  blackboard: Blackboard;
}
