// The actions a task offers in this editor, and why it waits: the contract's rule (allowedActions) with whether this
// editor holds the task's lease. Trees carry them to package.json's menus in their contextValue,
// the board gets them per card, and the command pickers list the tasks that offer the command's
// action — so no view keeps a copy of the engine's rules.
import { allowedActions, awaitsMerge, waitReasons, worktreeOpen, type TaskAction } from '../../../contract/taskRules';
import type { RunRecord, Task } from '../../../contract/schemas/records';
import type { LeaseTokens } from './leaseTokens';
import type { TaskRef } from './refs';
import { waitText } from '../../../contract/taskText';

/** Tasks by id per run record (records are replaced, not changed, when a run changes). */
const byIdCache = new WeakMap<RunRecord, ReadonlyMap<string, Task>>();

function tasksById(run: RunRecord): ReadonlyMap<string, Task> {
  let m = byIdCache.get(run);
  if (!m) byIdCache.set(run, (m = new Map(run.tasks.map((t) => [t.id, t]))));
  return m;
}

/** The command (package.json) that takes each action; a cancelled task's requeue is shown as runboard.reopenTask. */
export const TASK_ACTION_COMMAND: Record<TaskAction, string> = {
  claim: 'runboard.claimTask',
  heartbeat: 'runboard.heartbeatTask',
  complete: 'runboard.completeTask',
  fail: 'runboard.failTask',
  release: 'runboard.releaseTask',
  retry: 'runboard.retryTask',
  requeue: 'runboard.requeueTask',
  cancel: 'runboard.cancelTask',
  edit: 'runboard.editTask',
};

/** Further commands that take an action (package.json shows them where it shows the action's own): a claim can be made in a git worktree too. */
export const TASK_ACTION_ALSO: Partial<Record<TaskAction, readonly string[]>> = {
  claim: ['runboard.claimTaskInWorktree'],
};

/** Why the task cannot be claimed now, in words; empty exactly when it can. */
export function waitTexts(run: RunRecord, task: Task, now = Date.now()): string[] {
  return waitReasons(task, run, tasksById(run), now).map((r) => waitText(r, now));
}

export function offeredActions(run: RunRecord, task: Task, ref: TaskRef, leases: LeaseTokens, now = Date.now()): TaskAction[] {
  return allowedActions(task, run, tasksById(run), now, leases.holds(ref, task));
}

/**
 * `task.<status>;<action>;…;[@worktree;][@merge;]` — package.json's menus show a command where
 * `viewItem =~ /;<action>;/` (task-wide ones where `/^task\./`); `@worktree;` while the task's git
 * worktree is there to open, `@merge;` while a done task's branch waits to be merged.
 */
export function taskContextValue(task: Task, actions: readonly TaskAction[]): string {
  const marks = `${worktreeOpen(task) ? '@worktree;' : ''}${awaitsMerge(task) ? '@merge;' : ''}`;
  return `task.${task.status};${actions.map((a) => `${a};`).join('')}${marks}`;
}
