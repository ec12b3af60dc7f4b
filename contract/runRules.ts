// What a run offers a person, by its status: the one rule the editor's menus, pickers and views
// follow. The engine refuses every change but run_reopened to a terminal run (RUN_TERMINAL).
import { isTerminal, type RunStatus } from './statuses';

export const RUN_ACTIONS = ['claim', 'createTasks', 'pause', 'resume', 'cancel', 'reopen'] as const;
export type RunAction = (typeof RUN_ACTIONS)[number];

export function runActions(status: RunStatus): RunAction[] {
  if (isTerminal(status)) return ['reopen'];
  return ['claim', 'createTasks', status === 'paused' ? 'resume' : 'pause', 'cancel'];
}

/** Runs that still want work: not terminal and not paused (the ones the views count as active). */
export function isActiveRun(status: string): boolean {
  return !isTerminal(status) && status !== 'paused';
}
