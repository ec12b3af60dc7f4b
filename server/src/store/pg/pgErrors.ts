// How a PostgreSQL board says it cannot be reached or used: STORAGE_ERROR naming the board and
// what the driver said (never the connection's password: pg's messages do not carry it), as the
// whole board's failure (BoardUnavailableError), `transient` when the same call may work in a
// moment (the database unreachable or restarting), and `maybe_written` when the connection was
// lost on the message that commits (the database may have committed it). A domain error (RUN_NOT_FOUND, a decision's own
// rejection …) stays what it is.
import { DomainError } from '../../engine/errors';
import { BoardUnavailableError } from '../boardStore';

/** A connection lost on the message that commits: the database may have committed it, or not. */
export class CommitOutcomeUnknown extends Error {
  constructor(readonly lost: unknown) {
    super(lost instanceof Error ? lost.message : String(lost));
  }
}

/** What the commit message's failure means: unknown when the connection was lost on it, else what it was. */
export function commitFailure(e: unknown): unknown {
  // A client already cut sends nothing: the commit was not sent, so nothing was written.
  if (isNotQueryable(e)) return e;
  const code = (e as { code?: unknown }).code;
  return isOutage(code, e instanceof Error ? e.message : String(e)) ? new CommitOutcomeUnknown(e) : e;
}

/** pg's words for a query on a client whose connection was cut before it: the query was not sent. */
const NOT_QUERYABLE = /is not queryable/;

export function isNotQueryable(e: unknown): boolean {
  return e instanceof Error && (e as { code?: unknown }).code === undefined && NOT_QUERYABLE.test(e.message);
}

export function storageError(board: string, e: unknown): DomainError {
  if (e instanceof DomainError) return e;
  if (e instanceof CommitOutcomeUnknown) {
    // Not "wrote nothing": a call again with the same command_id is answered if it was written, done if not.
    return new BoardUnavailableError(
      `PostgreSQL board ${board}: the connection was lost as the change was committed (${e.message}): it may have been written. Call again with the same command_id: it is carried out once.`,
      { board, transient: true, maybe_written: true },
    );
  }
  const why = driverWords(e);
  const code = (e as { code?: unknown }).code;
  const fix = typeof code === 'string' ? FIX[code] : undefined;
  return new BoardUnavailableError(`PostgreSQL board ${board}: ${why}${fix ? ` — ${fix}` : ''}`, {
    board,
    ...(typeof code === 'string' ? { pg_code: code } : {}),
    ...(isOutage(code, why) ? { transient: true } : {}),
  });
}

/**
 * What the driver said. A host name with several addresses (`localhost`: ::1 and 127.0.0.1, on
 * macOS among others) fails as node's AggregateError, whose own message is empty: its attempts say it.
 */
function driverWords(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return e.errors.map(driverWords).join('; ');
  return e instanceof Error ? e.message || e.name : String(e);
}

/** Where the board's server is named: an unreachable one is said with where to correct it. */
const WHERE_NAMED = 'in .runboard/board.json (postgres.host and postgres.port, or the URL that url_env names; else PGHOST and PGPORT)';

/** What to do about a refusal that repeats, by SQLSTATE (or node's code): the driver's words say what, not where to look. */
const FIX: Record<string, string> = {
  ECONNREFUSED: `no PostgreSQL server answers there: start it, or correct where it is ${WHERE_NAMED}`,
  ENOTFOUND: `no such host: correct it ${WHERE_NAMED}`,
  '28P01':
    "the password is the one in the URL that url_env names, else the editor's secret for the board (Runboard: Set Database Password…), else PGPASSWORD, else the matching line of ~/.pgpass (PGPASSFILE)",
  '28000':
    'the database refuses this user from here (pg_hba.conf), or the user does not exist; the user is postgres.user in .runboard/board.json (or the one in the URL that url_env names), else PGUSER, else the name this process runs as',
  '3D000': 'create it (createdb), or name another in .runboard/board.json (postgres.database)',
  '42501':
    'the user needs CREATE on the schema the first time (Runboard makes its tables then; PROTOCOL.md §Boards), and SELECT, INSERT, UPDATE on them after',
};

/** pg's words for a statement unanswered within query_timeout: the connection is still busy with it. */
const QUERY_TIMEOUT = /^Query read timeout/;

/** Whether `e` is pg's query_timeout: nothing more may be sent on that connection (it would wait behind the statement). */
export function isQueryTimeout(e: unknown): boolean {
  return e instanceof Error && (e as { code?: unknown }).code === undefined && QUERY_TIMEOUT.test(e.message);
}

/** Node's codes of a connection that could not be made or was lost (not a wrong host name: ENOTFOUND stays). */
const CONNECTION_LOST = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);

/** SQLSTATE 55P03: a lock wait ran past lock_timeout (pgBoard.ts PG_TIMEOUTS) — its holder is slow or gone; in a moment it is not. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Whether the database could not be reached or went away — the same call may work in a moment —
 * as opposed to a refusal that repeats (a password, a missing database: SQLSTATE 28…, 3D000 …).
 * No code: pg's "Connection terminated unexpectedly" (or "… due to connection timeout"), its "Query
 * read timeout" (a statement unanswered past query_timeout: the connection is not used again), its
 * "… is not queryable" (a query on a client cut before it: the cut's own error is said where it is known), and not a
 * password none is set for. SQLSTATE class 08 (connection exception), 57P01–57P03 (shut down,
 * restarting, not accepting connections yet).
 */
function isOutage(code: unknown, why: string): boolean {
  // pg's own words: a connection cut, or a statement whose answer did not come within query_timeout (pgBoard.ts PG_TIMEOUTS).
  if (code === undefined) return /^Connection terminated/.test(why) || QUERY_TIMEOUT.test(why) || NOT_QUERYABLE.test(why);
  if (typeof code !== 'string') return false;
  return CONNECTION_LOST.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code) || code === LOCK_NOT_AVAILABLE;
}

/** `q`, its failure said as storageError. */
export async function onBoard<T>(board: string, q: () => Promise<T>): Promise<T> {
  try {
    return await q();
  } catch (e) {
    throw storageError(board, e);
  }
}
