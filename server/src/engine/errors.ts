// Domain errors (contract/domainError.ts), and the engine's own kinds of them.
import { DomainError } from '../../../contract/domainError';
import { formatOf, SINCE_FORMAT, type FormatFeature } from '../../../contract/events';

export { DomainError };

/** RUN_FORMAT_TOO_OLD: `what` needs a run of the format that has `feature` (contract/events.ts SINCE_FORMAT). */
export function formatTooOld(run: { run_id: string; format?: number }, feature: FormatFeature, what: string): DomainError {
  const format = formatOf(run);
  const needed = SINCE_FORMAT[feature];
  return new DomainError('RUN_FORMAT_TOO_OLD', `Run ${run.run_id} is of format ${format}, which has no ${what} (format ${needed}).`, {
    run_id: run.run_id,
    format,
    needed,
  });
}

/** TASK_NOT_FOUND, said one way wherever a task is looked up (the id quoted: it may hold spaces). */
export function taskNotFound(runId: string, taskId: string): DomainError {
  return new DomainError('TASK_NOT_FOUND', `Run ${runId} has no task ${JSON.stringify(taskId)}.`, { task_id: taskId });
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
