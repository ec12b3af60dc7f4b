// auto_finish (createRun's flag; runs of format 2): the commit that leaves no task open — every
// task done or cancelled, at least one done — also completes the run.
import { EVENT, runHas } from '../../../contract/events';
import type { Task } from '../../../contract/schemas/records';
import { everyTaskFinished } from '../../../contract/runRules';
import { isFinishedTask, isTerminal } from '../../../contract/statuses';
import type { EventFields } from './eventBuilder';
import type { RunState } from './state';

/** The run_completed event to add after the command's task changes (`changed`: id → the task after), or undefined. */
export function autoFinishEvent(state: RunState, changed: ReadonlyMap<string, Task>): EventFields | undefined {
  const h = state.header;
  if (!h.auto_finish || !runHas(h, 'autoFinish') || isTerminal(h.status)) return undefined;
  let done = state.index.count('done');
  let cancelled = state.index.count('cancelled');
  let finishing = false;
  for (const [id, after] of changed) {
    const before = state.tasks.get(id)?.status;
    done += Number(after.status === 'done') - Number(before === 'done');
    cancelled += Number(after.status === 'cancelled') - Number(before === 'cancelled');
    if (isFinishedTask(after.status) && (before === undefined || !isFinishedTask(before))) finishing = true;
  }
  if (!finishing || !everyTaskFinished(done, cancelled, state.tasks.size)) return undefined;
  const reason = cancelled > 0 ? 'every task is done or cancelled (auto_finish)' : 'every task is done (auto_finish)';
  return { type: EVENT.runCompleted, status: 'completed', payload: { reason } };
}
