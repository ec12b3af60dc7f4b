// The result shapes of PROTOCOL.md's methods (types only), shared by the store, the server, the
// extension, the CLI and the MCP server.
import type { AttentionItem } from './attention';
import type { NothingToClaim } from './taskRules';
import type { Blackboard, Checkpoint, EventRecord, PatchRow, RunRecord, Task } from './schemas/records';
import type { RunStatus, TaskStatus } from './statuses';

/** What replay found different between the replayed and the persisted state (SPEC.md §11.3). */
export interface DriftFlags {
  status_mismatch: boolean;
  why_next_step_mismatch: boolean;
  step_count_mismatch: boolean;
  step_status_mismatch: boolean;
  blackboard_revision_mismatch: boolean;
  blackboard_task_count_mismatch: boolean;
  blackboard_task_status_mismatch: boolean;
  last_event_seq_mismatch: boolean;
  /** The run record differs anywhere else (objective, a task's payload …); fields the persisted record lacks are not compared. */
  run_content_mismatch: boolean;
  /** The blackboard differs anywhere else (a fact, a decision, a question …), the same way. */
  blackboard_content_mismatch: boolean;
  mismatch: boolean;
}

export type Deduped<T> = T & { deduped?: true };
/** What a client says under a `deduped` answer: the CLI as a comment line, MCP in parentheses. */
export const REPEATED_COMMAND_TEXT = 'a repeat of a recorded command (the same command_id): its answer then; nothing was written now';

export interface CreateRunResult {
  run: RunRecord;
}
/** A run whose folder is there but cannot be read (permissions, a symlinked log…): listed with why. */
export interface UnreadableRun {
  root: string;
  run_id: string;
  message: string;
}
export interface ListRunsResult {
  runs: RunRecord[];
  unreadable?: UnreadableRun[];
  /** With `archived: true`: the archived runs, newest archive first. */
  archived?: ArchivedRunInfo[];
  /** With `sizes: true`: what each run in `runs` takes on disk (its log, caches and checkpoints), when the board can tell. */
  sizes?: { root: string; run_id: string; bytes: number; compacted?: true }[];
}
/** An archived run as listed (PROTOCOL.md §Archived runs). */
export interface ArchivedRunInfo {
  root: string;
  run_id: string;
  objective: string;
  status: RunStatus;
  last_seq: number;
  archived_at_ms: number;
  archived_by: string;
  reason?: string;
  /** What the archive takes on disk, and what the log took when it was archived. */
  archive_bytes: number;
  log_bytes: number;
}
export interface ArchiveRunResult {
  archived: ArchivedRunInfo;
  /** Tasks whose leases `force` requeued first. */
  requeued: string[];
  /** The run was archived already: nothing was done (a repeat). */
  already_archived?: true;
  /** Archived with force: the task worktrees it left on disk, which no list shows now (restore the run to settle them). */
  worktrees_left?: { task_id: string; path: string; branch: string; state: 'active' | 'kept' }[];
}
export interface RestoreRunResult {
  run: RunRecord;
  /** The run was live already: nothing was restored (a repeat, or a run never archived). */
  already_live?: true;
}
export interface CompactRunResult {
  compacted: ArchivedRunInfo;
}
/** One task's flow (PROTOCOL.md §runStats); times absent until they can be told. */
export interface TaskFlow {
  task_id: string;
  task_type: string;
  status: TaskStatus;
  /** Its claims: each a try at the work. */
  attempts: number;
  /** The agent that completed it. */
  agent?: string;
  /** From claimable (a claimable status, every dependency done) to its first claim. */
  wait_ms?: number;
  /** The time it spent in progress, every attempt's, until done (not the time it sat failed or back on the board). */
  work_ms?: number;
  /** From claimable to done. */
  cycle_ms?: number;
}
export interface CycleTimes {
  key: string;
  tasks: number;
  mean_ms: number;
  p90_ms: number;
}
export interface RunStatsResult {
  /** The seq the numbers are folded to. */
  seq: number;
  tasks: TaskFlow[];
  /** Equal slices of the run's time, first event to last: tasks done in each, and tasks by status at its end. */
  over_time: { end_ms: number; done: number; by_status: Record<TaskStatus, number> }[];
  cycle_by_type: CycleTimes[];
  cycle_by_agent: CycleTimes[];
}
export interface ListAttentionResult {
  /** Newest first. */
  items: AttentionItem[];
  /** The server's time the lease warnings were judged at. */
  now_ms: number;
}
/** Something in a run's log that could not be folded (PROTOCOL.md: damage). */
export interface LogDamage {
  file: string;
  line: number;
  missing?: [number, number];
  message: string;
  /** The line repeats the event just before it (its event_id): nothing it held is lost. */
  duplicate?: true;
}
export interface GetRunResult {
  run: RunRecord;
  blackboard: Blackboard;
  damage?: LogDamage[];
  /** Present when the run is archived: it is read-only until restored. */
  archived?: ArchivedRunInfo;
  /** Present when the run is compacted: its log is kept as sealed segments until a write restores it. */
  compacted?: ArchivedRunInfo;
}
/** Whether a cache or checkpoint from before the damage can restore what it lost, and what that puts back. */
export type RestoreOffer =
  | {
      available: true;
      from: 'cache' | 'checkpoint';
      checkpoint_id?: string;
      seq: number;
      /** The run's fields it puts back, by name (besides revision, last_event_seq and updated_at_ms). */
      run_fields: string[];
      tasks: string[];
      blackboard_items: number;
      commands: number;
    }
  | { available: false; reason: string };
export interface RepairRunResult {
  damage: LogDamage[];
  restore: RestoreOffer | null;
  event: EventRecord | null;
}
export interface AppendEventResult {
  event: EventRecord;
  run: RunRecord;
}
export interface ListEventsResult {
  events: EventRecord[];
  next_since_seq?: number;
}
export interface PatchBlackboardResult {
  patch: PatchRow;
  blackboard: Blackboard;
}
export interface GetBlackboardResult {
  blackboard: Blackboard;
}
export interface ListPatchesResult {
  patches: PatchRow[];
}
export interface CreateTasksResult {
  tasks: Task[];
}
export interface ClaimTaskResult {
  task: Task | null;
  /** When `task` is null: why nothing could be claimed (taskRules.ts NOTHING_TO_CLAIM). */
  reason?: NothingToClaim;
  /** With reason retry_later: when the first retry is due. */
  next_retry_at_ms?: number;
  /** With reason dependencies and a named task: its dependencies not done yet. */
  waiting_on?: string[];
  /** With reason run_paused: the reason the pause gave (the run's status_reason), for the agent it stops. */
  paused_reason?: string;
}
/** The task named, as it now is, and the tasks this call cancelled: it (unless it was cancelled already), then its dependents with cascade. */
export interface CancelTaskResult {
  task: Task;
  cancelled: Task[];
  /** This commit completed the run (its auto_finish): the tasks cancelled were its last open ones. */
  run_completed?: true;
}
export interface TaskResult {
  task: Task;
}
/** editTask: the task as it now is; `unchanged` when the edit changed nothing, so nothing was written. */
export interface EditTaskResult extends TaskResult {
  unchanged?: true;
}
/** The task named, as it now is; with cascade, the tasks reopened along with it. */
export interface RequeueTaskResult extends TaskResult {
  reopened?: Task[];
}
export interface TransitionTaskResult extends TaskResult {
  /** This commit completed the run (its auto_finish): the task was its last open one. */
  run_completed?: true;
}
export interface CreateCheckpointResult {
  checkpoint: Checkpoint;
}
export interface CheckpointSummary {
  checkpoint_id: string;
  seq: number;
  ts_ms: number;
  reason: string;
  unreadable?: true;
}
export interface ListCheckpointsResult {
  checkpoints: CheckpointSummary[];
}
export interface LatestCheckpointResult {
  checkpoint: Checkpoint | null;
}
export interface ReplayResult {
  run_id: string;
  from_checkpoint: boolean;
  checkpoint_seq: number | null;
  events_applied: number;
  replay: RunRecord;
  replay_blackboard: Blackboard;
  persisted: RunRecord;
  persisted_blackboard: Blackboard;
  drift: DriftFlags;
}
export interface ValidateWorkspaceLeaseResult {
  ok: boolean;
  mismatch: boolean;
  status: RunStatus;
  expected_path: string;
  actual_path: string;
}
export interface RebindWorkspaceResult {
  run: RunRecord;
}

export interface StoreResults {
  createRun: Deduped<CreateRunResult>;
  listRuns: ListRunsResult;
  listAttention: ListAttentionResult;
  runStats: RunStatsResult;
  getRun: GetRunResult;
  appendEvent: Deduped<AppendEventResult>;
  finishRun: Deduped<AppendEventResult>;
  editTask: Deduped<EditTaskResult>;
  cancelTask: Deduped<CancelTaskResult>;
  listEvents: ListEventsResult;
  patchBlackboard: Deduped<PatchBlackboardResult>;
  getBlackboard: GetBlackboardResult;
  listPatches: ListPatchesResult;
  createTasks: Deduped<CreateTasksResult>;
  claimTask: Deduped<ClaimTaskResult>;
  transitionTask: Deduped<TransitionTaskResult>;
  requeueTask: Deduped<RequeueTaskResult>;
  createCheckpoint: CreateCheckpointResult;
  listCheckpoints: ListCheckpointsResult;
  latestCheckpoint: LatestCheckpointResult;
  replay: ReplayResult;
  repairRun: RepairRunResult;
  validateWorkspaceLease: ValidateWorkspaceLeaseResult;
  rebindWorkspace: Deduped<RebindWorkspaceResult>;
  archiveRun: ArchiveRunResult;
  restoreRun: RestoreRunResult;
  compactRun: CompactRunResult;
  setTaskWorktree: Deduped<TaskResult>;
}
