// How a PostgreSQL board says it cannot be reached or used: STORAGE_ERROR naming the board and
// what the driver said (never the connection's password: pg's messages do not carry it), as the
// whole board's failure (BoardUnavailableError). A domain error (RUN_NOT_FOUND, a decision's own
// rejection …) stays what it is.
import { DomainError } from '../../engine/errors';
import { BoardUnavailableError } from '../boardStore';

export function storageError(board: string, e: unknown): DomainError {
  if (e instanceof DomainError) return e;
  const why = e instanceof Error ? e.message || e.name : String(e);
  const code = (e as { code?: unknown }).code;
  return new BoardUnavailableError(`PostgreSQL board ${board}: ${why}`, {
    board,
    ...(typeof code === 'string' ? { pg_code: code } : {}),
  });
}

/** `q`, its failure said as storageError. */
export async function onBoard<T>(board: string, q: () => Promise<T>): Promise<T> {
  try {
    return await q();
  } catch (e) {
    throw storageError(board, e);
  }
}
