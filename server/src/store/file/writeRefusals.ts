// Why this Runboard will not read a run: one of a newer format that holds what this Runboard
// cannot fold (the run format rule, PROTOCOL.md §Files). A damaged run's refusal is the
// contract's (contract/writeRefusals.ts).
import { RUN_FORMAT } from '../../../../contract/events';
import { DomainError } from '../../engine/errors';
import type { Damage } from './eventSequencer';

export function unreadableNewerRun(runId: string, format: number, first: Damage): DomainError {
  return new DomainError(
    'RUN_FORMAT_UNSUPPORTED',
    `Run ${runId} was made by a newer Runboard (run format ${format}) and holds what this one (format ${RUN_FORMAT}) cannot read — line ${first.line}: ${first.message}. Update Runboard to open it.`,
    { run_id: runId, format, supported: RUN_FORMAT, line: first.line },
  );
}
