// The run format rule (PROTOCOL.md §Files), for every store: a run records the format it was made
// in; a Runboard writes only runs of a format it knows, and reads newer ones when it can.
import { RUN_FORMAT } from '../../../contract/events';
import type { EventRecord } from '../../../contract/schemas/records';
import { DomainError } from '../engine/errors';

/** A run's format from its creation event (runs made before formats were recorded are format 1). */
export function runFormatOf(created: EventRecord | undefined): number {
  const f = (created?.payload as { format?: unknown } | undefined)?.format;
  return typeof f === 'number' && Number.isInteger(f) && f > 0 ? f : 1;
}

export function newerFormatError(runId: string, format: number): DomainError {
  return new DomainError(
    'RUN_FORMAT_UNSUPPORTED',
    `Run ${runId} was made by a newer Runboard (run format ${format}); this one writes format ${RUN_FORMAT} and only reads it. Update Runboard to change it.`,
    { run_id: runId, format, supported: RUN_FORMAT },
  );
}
