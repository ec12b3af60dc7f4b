// What a write to an archived run answers, whoever keeps the archive (PROTOCOL.md §Archived runs).
import { DomainError } from '../engine/errors';

export function archivedError(runId: string): DomainError {
  return new DomainError('RUN_ARCHIVED', `Run ${runId} is archived: restore it to change it (runboard run restore ${runId}).`, {
    run_id: runId,
  });
}
