// Which failures to read a run list it as unreadable (listRuns' `unreadable`), beside the runs that
// can be read, rather than failing the whole list: its files cannot be read, or a newer Runboard
// wrote it. A database board that cannot be reached is not one of them: every run of it fails
// alike, and the call says so (the store's BoardUnavailableError) — listed run by run, it read as
// "no runs" and "nothing needs you" while the database was down.
import { DomainError } from '../engine/errors';
import { BoardUnavailableError } from '../store/boardStore';

const LISTED_UNREADABLE: ReadonlySet<string> = new Set(['STORAGE_ERROR', 'RUN_FORMAT_UNSUPPORTED']);

export function listedAsUnreadable(e: unknown): e is DomainError {
  return e instanceof DomainError && LISTED_UNREADABLE.has(e.code) && !(e instanceof BoardUnavailableError);
}
