// What a run offers a person, by its status: the one rule the editor's menus, pickers and views
// follow. The engine refuses every change but run_reopened to a terminal run (RUN_TERMINAL).
import { isTerminal, type RunStatus } from './statuses';

export const RUN_ACTIONS = [
  'claim',
  'createTasks',
  'approve',
  'pause',
  'resume',
  'complete',
  'fail',
  'cancel',
  'reopen',
  'archive',
] as const;
export type RunAction = (typeof RUN_ACTIONS)[number];

/** Whether a claim in a run of this status can get a task: not in a finished run, nor a paused one (PROTOCOL.md §claimTask). */
export function handsOutTasks(status: RunStatus): boolean {
  return !isTerminal(status) && status !== 'paused';
}

export function runActions(status: RunStatus): RunAction[] {
  // Only a finished run is archived as it is (archiveRun without force: PROTOCOL.md §Archived runs).
  if (isTerminal(status)) return ['reopen', 'archive'];
  // A paused run offers resuming instead of pausing and claiming.
  return [
    ...(handsOutTasks(status) ? (['claim'] as const) : []),
    'createTasks',
    // A plan waiting for approval (planning_started) is approved with plan_approved.
    ...(status === 'awaiting_approval' ? (['approve'] as const) : []),
    status === 'paused' ? 'resume' : 'pause',
    'complete',
    'fail',
    'cancel',
  ];
}

/**
 * Whether a run's tasks leave nothing to do: every task `done` or `cancelled`, at least one `done`
 * (PROTOCOL.md §cancelTask, "A run's completion"). auto_finish completes the run then; otherwise
 * attention offers completing it.
 */
export function everyTaskFinished(done: number, cancelled: number, tasks: number): boolean {
  return done > 0 && done + cancelled === tasks;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whether a run is due for archiving after `days` days: finished, and unchanged for that long. */
export function dueForArchive(run: { status: RunStatus; updated_at_ms: number }, now: number, days: number): boolean {
  return days > 0 && isTerminal(run.status) && run.updated_at_ms <= now - days * DAY_MS;
}

/** The run's status as views say it: with the number of tasks in progress when there are any ("queued · 2 in progress"). */
export function runStatusText(run: { status: RunStatus; tasks: readonly { status: string }[] }): string {
  let working = 0;
  for (const t of run.tasks) if (t.status === 'in_progress') working++;
  return working > 0 ? `${run.status} · ${working} in progress` : run.status;
}

/** Runs that still want work: not terminal and not paused (the ones the views count as active). */
export function isActiveRun(status: string): boolean {
  return !isTerminal(status) && status !== 'paused';
}

/**
 * The reason to show beside a run's status: a pause's or a cancel's (`status_reason`) — a
 * completion's, failure's or reopening's is in `why_next_step` already. Undefined when there is none.
 */
export function statusReasonShown(run: { status: RunStatus; status_reason?: string }): string | undefined {
  return run.status === 'paused' || run.status === 'cancelled' ? run.status_reason : undefined;
}
