// Domain errors (contract/domainError.ts), and the engine's own kinds of them.
import { DomainError, taskNotFound } from '../../../contract/domainError';
import { formatOf, SINCE_FORMAT, type FormatFeature } from '../../../contract/events';

export { DomainError, taskNotFound };

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

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
