// The statuses of runs, steps and tasks, and what they mean to every side (PROTOCOL.md, SPEC.md
// §1). Plain values: the record schemas, the engine and the views all read these.

export const RUN_STATUSES = [
  'queued',
  'planning',
  'running',
  'awaiting_approval',
  'paused',
  'blocked',
  'failed',
  'completed',
  'cancelled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A run in one of these is finished: nothing can be claimed; only run_reopened changes it. */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['failed', 'completed', 'cancelled'];
export function isTerminal(status: string): boolean {
  return (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);
}

export const STEP_STATUSES = ['pending', 'runnable', 'in_progress', 'blocked', 'done', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** A task's statuses are a step's and `cancelled` (runs of format 4: withdrawn by a person or agent, never an attempt). */
export const TASK_STATUSES = [...STEP_STATUSES, 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A task in one of these is finished: it holds no lease, and a run may complete with it. */
export const FINISHED_TASK_STATUSES: readonly TaskStatus[] = ['done', 'cancelled'];
export function isFinishedTask(status: string): boolean {
  return (FINISHED_TASK_STATUSES as readonly string[]).includes(status);
}

/** A task in one of these was left there by its last agent, whom views name (contract/taskText.ts taskAgent). */
export const AGENT_KEPT_TASK_STATUSES: readonly TaskStatus[] = ['done', 'failed', 'blocked'];

/** The statuses a task may be created in (else TASK_STATUS_INVALID). */
export const CREATABLE_TASK_STATUSES = ['pending', 'runnable', 'blocked'] as const satisfies readonly TaskStatus[];

/** A task in one of these may be claimed (when its dependencies are done and its retry time has come). */
export const CLAIMABLE_TASK_STATUSES: readonly TaskStatus[] = ['pending', 'runnable'];
export function isClaimableStatus(status: string): boolean {
  return (CLAIMABLE_TASK_STATUSES as readonly string[]).includes(status);
}

/** The task board's columns, in the order work flows. */
export const BOARD_COLUMNS: readonly TaskStatus[] = ['pending', 'runnable', 'in_progress', 'blocked', 'done', 'failed', 'cancelled'];

/** How a task status reads to people (views' labels and groups). */
export const TASK_STATUS_LABEL: Record<TaskStatus, string> = {
  pending: 'Pending',
  runnable: 'Runnable',
  in_progress: 'In progress',
  blocked: 'Blocked',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
