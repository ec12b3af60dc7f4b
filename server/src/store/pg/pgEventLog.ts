// A board's runs in PostgreSQL (issue 19): every run's events in one table, appended by
// transactions — what the file store's log and lock are (store/file/eventLog.ts, runLock.ts) for
// a board shared by many machines. A commit locks its run's row (SELECT … FOR UPDATE), reads the
// events others committed since this process last looked, decides on them, inserts its events
// with the next seqs and commits: seqs stay contiguous across machines, a rejected decision
// writes nothing, and an acknowledged one is durable (synchronous_commit on, PostgreSQL's
// default). Decisions are timed by the database's clock, so machines with skewed clocks agree on
// leases. Each commit notifies EVENTS_CHANNEL with its run and last seq — one notification per
// transaction, however many events — and listeners (pgListener.ts) catch up by seq.
import type { Pool, PoolClient, QueryConfig, QueryResult } from 'pg';
import { escapeLiteral } from './pgDriver';
import { DomainError } from '../../engine/errors';
import type { ArchiveNote } from '../boardStore';
import { archivedError } from '../../../../contract/writeRefusals';
import { CommitOutcomeUnknown, commitFailure, isNotQueryable, isQueryTimeout } from './pgErrors';

/** How long the one statement that writes a new run's events (an import: the whole run) may take. */
const IMPORT_TIMEOUT_MS = 30 * 60_000;

/**
 * The channel of commit notifications: payload `{"board", "run_id", "seq"}` (the run's last seq),
 * with `"archived": true` or `"restored": true` when the run was archived or restored.
 */
export const EVENTS_CHANNEL = 'runboard_events';

/** One event as stored: its seq and its JSON line, exactly as the file store would write it. */
export interface StoredEvent {
  seq: number;
  line: string;
}

/** What a decision is given: the seq its first event takes, and the database's clock (ms). */
export interface CommitPoint {
  nextSeq: number;
  nowMs: number;
}

export interface Decision<T> {
  /** The events' JSON lines, the first with seq `nextSeq`, the next +1 … (none: nothing is written). */
  lines: string[];
  value: T;
  /** A statement of the same transaction besides the events (archiving and restoring). */
  statement?: string;
}

/** Who archived a run, when and why (PROTOCOL.md §Archived runs: runboard_archived). */
export interface ArchiveRow {
  archived_at_ms: number;
  archived_by: string;
  reason?: string;
  /** The run's lines, in bytes. */
  log_bytes: number;
}

/** A checkpoint as listed. */
export interface CheckpointRow {
  checkpoint_id: string;
  seq: number;
  ts_ms: number;
  reason: string;
}

export interface Committed<T> {
  /** What the decision returned. */
  value: T;
}

// Tables made by whichever process opens the board first; an advisory lock keeps two first
// processes from racing on CREATE (PostgreSQL's IF NOT EXISTS is not safe under concurrency).
const SCHEMA_LOCK = 0x52554e42; // "RUNB"
/** The tables' layout; a database made by a newer Runboard (a higher version) is not written by this one. */
const SCHEMA_VERSION = 1;
// Archived runs (PROTOCOL.md §Archived runs): made also in a database whose tables an earlier
// Runboard made — it adds what that one ignores, so the layout's version stays 1.
const ARCHIVED_TABLE = `
  CREATE TABLE IF NOT EXISTS runboard_archived (
    board text NOT NULL,
    run_id text NOT NULL,
    archived_at_ms bigint NOT NULL,
    archived_by text NOT NULL,
    reason text,
    -- The run's lines' bytes when it was archived: measured once, not at every look.
    log_bytes bigint NOT NULL,
    PRIMARY KEY (board, run_id),
    FOREIGN KEY (board, run_id) REFERENCES runboard_runs (board, run_id)
  );`;
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS runboard_runs (
    board text NOT NULL,
    run_id text NOT NULL,
    last_seq bigint NOT NULL,
    PRIMARY KEY (board, run_id)
  );
  CREATE UNIQUE INDEX IF NOT EXISTS runboard_runs_folded ON runboard_runs (board, lower(run_id));
  CREATE TABLE IF NOT EXISTS runboard_events (
    board text NOT NULL,
    run_id text NOT NULL,
    seq bigint NOT NULL,
    line text NOT NULL,
    PRIMARY KEY (board, run_id, seq),
    FOREIGN KEY (board, run_id) REFERENCES runboard_runs (board, run_id)
  );
  CREATE TABLE IF NOT EXISTS runboard_checkpoints (
    board text NOT NULL,
    run_id text NOT NULL,
    checkpoint_id text NOT NULL,
    seq bigint NOT NULL,
    ts_ms bigint NOT NULL,
    reason text NOT NULL,
    body text NOT NULL,
    PRIMARY KEY (board, run_id, checkpoint_id),
    FOREIGN KEY (board, run_id) REFERENCES runboard_runs (board, run_id)
  );
  CREATE TABLE IF NOT EXISTS runboard_schema (version integer NOT NULL);
  ${ARCHIVED_TABLE}
  INSERT INTO runboard_schema (version) SELECT ${SCHEMA_VERSION} WHERE NOT EXISTS (SELECT 1 FROM runboard_schema);`;

const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;
/** Whether the run of the row `r` of runboard_runs is archived. */
const ARCHIVED_EXISTS = `EXISTS (SELECT 1 FROM runboard_archived a WHERE a.board = r.board AND a.run_id = r.run_id)`;

export class PgEventLog {
  private constructor(
    private readonly pool: Pool,
    readonly board: string,
  ) {}

  /**
   * The board `board` on `pool`'s database, its tables made when missing. The pool's owner listens
   * for its 'error' events: idle clients report there the connections a restart cut.
   */
  static async open(pool: Pool, board: string): Promise<PgEventLog> {
    // Every process opens the board: the tables are made (under the lock) only when they are not there yet.
    const version =
      (await schemaVersion(pool)) ??
      (await inTransaction(pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
        await c.query(SCHEMA);
        return (await schemaVersion(c))!;
      }));
    if (version <= SCHEMA_VERSION && !(await hasArchivedTable(pool))) {
      await inTransaction(pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
        await c.query(ARCHIVED_TABLE);
      });
    }
    if (version > SCHEMA_VERSION) {
      throw new DomainError(
        'STORAGE_ERROR',
        `The database's Runboard tables are of a newer layout (version ${version}; this Runboard knows ${SCHEMA_VERSION}). Update Runboard to use this board.`,
      );
    }
    return new PgEventLog(pool, board);
  }

  /** The database's clock, ms since the epoch. */
  now(): Promise<number> {
    return nowMs(this.pool);
  }

  /** The run's last seq and whether it is archived, or undefined when the board has no such run. */
  async runRow(runId: string): Promise<{ lastSeq: number; archived: boolean } | undefined> {
    const r = await this.pool.query<{ last_seq: string; archived: boolean }>(
      `SELECT last_seq, ${ARCHIVED_EXISTS} AS archived FROM runboard_runs r WHERE r.board = $1 AND r.run_id = $2`,
      [this.board, runId],
    );
    return r.rowCount === 0 ? undefined : { lastSeq: Number(r.rows[0].last_seq), archived: r.rows[0].archived };
  }

  /** Who archived the run, when, why, and its size; undefined when it is not archived. */
  async archiveRow(runId: string): Promise<ArchiveRow | undefined> {
    const r = await this.pool.query<{ archived_at_ms: string; archived_by: string; reason: string | null; log_bytes: string }>(
      'SELECT archived_at_ms, archived_by, reason, log_bytes FROM runboard_archived WHERE board = $1 AND run_id = $2',
      [this.board, runId],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    return {
      archived_at_ms: Number(row.archived_at_ms),
      archived_by: row.archived_by,
      ...(row.reason !== null ? { reason: row.reason } : {}),
      log_bytes: Number(row.log_bytes),
    };
  }

  /** The board's archived run ids. */
  async archivedIds(): Promise<string[]> {
    const r = await this.pool.query<{ run_id: string }>('SELECT run_id FROM runboard_archived WHERE board = $1 ORDER BY run_id', [
      this.board,
    ]);
    return r.rows.map((row) => row.run_id);
  }

  /**
   * Archives the run: under its row lock, the events since `knownSeq` go to `check` (which throws
   * to refuse), then the archive row is inserted and listeners notified — or, archived already,
   * RUN_ARCHIVED.
   */
  async archive(runId: string, knownSeq: number, check: (since: StoredEvent[]) => void, note: ArchiveNote): Promise<void> {
    await this.commit(runId, knownSeq, (since) => {
      check(since);
      return { lines: [], value: undefined, statement: this.archiving(runId, note) };
    });
  }

  /** Restores the run: its archive row removed under its row lock, listeners notified. */
  async restore(runId: string): Promise<void> {
    const statement = this.announced(runId, 'restored', `DELETE FROM runboard_archived WHERE ${this.whereRun(runId)}`);
    await this.commit(runId, Number.MAX_SAFE_INTEGER, () => ({ lines: [], value: undefined, statement }), {
      skipLocked: false,
      archivedToo: true,
    });
  }

  /** The statement that archives the run — the row, with its lines' bytes measured now — and says so. */
  private archiving(runId: string, note: ArchiveNote): string {
    const lit = escapeLiteral;
    const reason = note.reason !== undefined ? lit(note.reason) : 'NULL';
    const bytes = `(SELECT coalesce(sum(octet_length(line) + 1), 0) FROM runboard_events WHERE ${this.whereRun(runId)})`;
    return this.announced(
      runId,
      'archived',
      `INSERT INTO runboard_archived (board, run_id, archived_at_ms, archived_by, reason, log_bytes) VALUES (${lit(this.board)}, ${lit(runId)}, ${Math.trunc(note.at_ms)}, ${lit(note.by)}, ${reason}, ${bytes})`,
    );
  }

  /** `change` (a statement on runboard_archived), followed by the notification that the run was archived or restored. */
  private announced(runId: string, what: 'archived' | 'restored', change: string): string {
    const payload = JSON.stringify({ board: this.board, run_id: runId, seq: 0, [what]: true });
    return `WITH changed AS (${change}) SELECT pg_notify(${escapeLiteral(EVENTS_CHANNEL)}, ${escapeLiteral(payload)})`;
  }

  /** Keeps a checkpoint of the run (its JSON `body`); committed when this resolves. */
  async writeCheckpoint(runId: string, c: CheckpointRow, body: string): Promise<void> {
    await this.pool.query(
      'INSERT INTO runboard_checkpoints (board, run_id, checkpoint_id, seq, ts_ms, reason, body) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [this.board, runId, c.checkpoint_id, c.seq, c.ts_ms, c.reason, body],
    );
  }

  /** The run's checkpoints, without their bodies, seq ascending. */
  async listCheckpoints(runId: string): Promise<CheckpointRow[]> {
    const r = await this.pool.query<{ checkpoint_id: string; seq: string; ts_ms: string; reason: string }>(
      'SELECT checkpoint_id, seq, ts_ms, reason FROM runboard_checkpoints WHERE board = $1 AND run_id = $2 ORDER BY seq, ts_ms, checkpoint_id',
      [this.board, runId],
    );
    return r.rows.map((row) => ({ checkpoint_id: row.checkpoint_id, seq: Number(row.seq), ts_ms: Number(row.ts_ms), reason: row.reason }));
  }

  /** A checkpoint's JSON body, or undefined when it is not kept. */
  async readCheckpoint(runId: string, checkpointId: string): Promise<string | undefined> {
    const r = await this.pool.query<{ body: string }>(
      'SELECT body FROM runboard_checkpoints WHERE board = $1 AND run_id = $2 AND checkpoint_id = $3',
      [this.board, runId, checkpointId],
    );
    return r.rows[0]?.body;
  }

  /** The board's run ids, archived ones left out. */
  async runIds(): Promise<string[]> {
    const r = await this.pool.query<{ run_id: string }>(
      `SELECT run_id FROM runboard_runs r WHERE r.board = $1 AND NOT ${ARCHIVED_EXISTS} ORDER BY run_id`,
      [this.board],
    );
    return r.rows.map((row) => row.run_id);
  }

  /** The other boards of this database that have runs (a board name spelled differently finds none of theirs). */
  async otherBoards(): Promise<string[]> {
    const r = await this.pool.query<{ board: string }>(
      'SELECT DISTINCT board FROM runboard_runs WHERE board <> $1 ORDER BY board LIMIT 20',
      [this.board],
    );
    return r.rows.map((row) => row.board);
  }

  /** Creates the run with its first events (seq 1 …); RUN_EXISTS when the board has it already (made by anyone, on any machine). */
  async createRun(runId: string, lines: string[]): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      const made = await c.query('INSERT INTO runboard_runs (board, run_id, last_seq) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING', [
        this.board,
        runId,
      ]);
      if (made.rowCount === 0) {
        // The row in the way may differ in case (the table is unique by lower(run_id)): named as it is.
        const held = await c.query<{ run_id: string }>('SELECT run_id FROM runboard_runs WHERE board = $1 AND lower(run_id) = lower($2)', [
          this.board,
          runId,
        ]);
        const clash = held.rows.find((r) => r.run_id !== runId)?.run_id;
        throw clash !== undefined
          ? new DomainError('RUN_EXISTS', `Run ${clash} exists on board ${this.board} and differs from ${runId} only in case.`, {
              run_id: runId,
              existing_run_id: clash,
            })
          : new DomainError('RUN_EXISTS', `Run ${runId} exists on board ${this.board}.`, { run_id: runId });
      }
      // An import is one statement of the whole run: it may take longer than any command's (pg reads a statement's own query_timeout; its types omit it).
      const statement: QueryConfig & { query_timeout: number } = {
        text: this.appending(runId, 1, lines),
        query_timeout: IMPORT_TIMEOUT_MS,
      };
      await c.query(statement);
    });
  }

  /**
   * One command on the run: under its row lock, the events after `knownSeq`, then `decide` on
   * them; its lines are inserted with the next seqs and committed, or — when it throws — nothing
   * is, and the error is the caller's. RUN_NOT_FOUND when the board has no such run.
   */
  async commit<T>(runId: string, knownSeq: number, decide: (since: StoredEvent[], at: CommitPoint) => Decision<T>): Promise<Committed<T>>;
  /** With `skipLocked`: undefined, at once, when another transaction holds the run (it decides in this one's stead). */
  async commit<T>(
    runId: string,
    knownSeq: number,
    decide: (since: StoredEvent[], at: CommitPoint) => Decision<T>,
    opts: { skipLocked: boolean; archivedToo?: boolean },
  ): Promise<Committed<T> | undefined>;
  async commit<T>(
    runId: string,
    knownSeq: number,
    decide: (since: StoredEvent[], at: CommitPoint) => Decision<T>,
    { skipLocked = false, archivedToo = false } = {},
  ): Promise<Committed<T> | undefined> {
    // Two messages while the run is held, whatever the commit: the row lock serialises every
    // machine's commands on the run, so it is held for as short as can be. Statements without
    // parameters (literals escaped by pg) go several to a message.
    const where = this.whereRun(runId);
    const lock = `SELECT last_seq, ${NOW_MS} AS now_ms, ${ARCHIVED_EXISTS} AS archived FROM runboard_runs r WHERE ${where} FOR UPDATE OF r${skipLocked ? ' SKIP LOCKED' : ''}`;
    // Read after the lock is granted: whatever the previous holder committed is in it.
    const read = `SELECT seq, line FROM runboard_events WHERE ${where} AND seq > ${Math.trunc(knownSeq)} ORDER BY seq`;
    // What this commit writes first, and answers: kept to tell, when the connection is lost as it
    // commits, whether it landed (its first line at its seq: lines carry unique event ids).
    let first: { seq: number; line: string } | undefined;
    let answer: Committed<T> | undefined;
    try {
      return await twoMessageTransaction(this.pool, `${lock}; ${read}`, (results) => {
        const [locked, after] = results as [
          QueryResult<{ last_seq: string; now_ms: string; archived: boolean }>,
          QueryResult<{ seq: string; line: string }>,
        ];
        if (locked.rowCount === 0 && skipLocked) return { last: undefined, out: undefined };
        if (locked.rowCount === 0) throw new DomainError('RUN_NOT_FOUND', `Board ${this.board} has no run ${runId}.`, { run_id: runId });
        // Archived on any machine: nothing is written to it (a lease timer skips it).
        if (locked.rows[0].archived && !archivedToo) {
          if (skipLocked) return { last: undefined, out: undefined };
          throw archivedError(runId);
        }
        const lastSeq = Number(locked.rows[0].last_seq);
        const since = after.rows.map((row) => ({ seq: Number(row.seq), line: row.line }));
        const decision = decide(since, { nextSeq: lastSeq + 1, nowMs: Number(locked.rows[0].now_ms) });
        const out = { value: decision.value };
        if (decision.lines.length > 0) first = { seq: lastSeq + 1, line: decision.lines[0] };
        answer = out;
        const statements = [
          ...(decision.lines.length > 0 ? [this.appending(runId, lastSeq + 1, decision.lines)] : []),
          ...(decision.statement ? [decision.statement] : []),
        ];
        return { last: statements.length > 0 ? statements.join('; ') : undefined, out };
      });
    } catch (e) {
      if (!(e instanceof CommitOutcomeUnknown) || !first) throw e;
      await this.assertLanded(where, first, e);
      return answer;
    }
  }

  /**
   * A commit whose answer was lost with its connection: returns when it landed (its first line is
   * at its seq), looked at under the run's row lock — a commit still under way has ended, one way or
   * the other, once it is granted. Else throws: the connection's error when it did not land (nothing
   * written), `lost` (maybe_written) when the database cannot be asked.
   */
  private async assertLanded(where: string, first: { seq: number; line: string }, lost: CommitOutcomeUnknown): Promise<void> {
    const found = await inTransaction(this.pool, async (c) => {
      await c.query(`SELECT 1 FROM runboard_runs WHERE ${where} FOR UPDATE`);
      const r = await c.query<{ line: string }>(`SELECT line FROM runboard_events WHERE ${where} AND seq = ${first.seq}`);
      return r.rows[0]?.line === first.line;
    }).catch(() => {
      throw lost;
    });
    if (!found) throw lost.lost;
  }

  /** One statement: the events with seqs from `firstSeq`, the run's last seq moved to the last of them, the notification (sent at COMMIT). */
  private appending(runId: string, firstSeq: number, lines: string[]): string {
    const lit = escapeLiteral;
    const last = firstSeq + lines.length - 1;
    const payload = JSON.stringify({ board: this.board, run_id: runId, seq: last });
    const rows = lines.map((line, i) => `(${lit(this.board)}, ${lit(runId)}, ${firstSeq + i}, ${lit(line)})`).join(', ');
    return (
      `WITH inserted AS (INSERT INTO runboard_events (board, run_id, seq, line) VALUES ${rows}), ` +
      `moved AS (UPDATE runboard_runs SET last_seq = ${last} WHERE ${this.whereRun(runId)}) ` +
      `SELECT pg_notify(${lit(EVENTS_CHANNEL)}, ${lit(payload)})`
    );
  }

  private whereRun(runId: string): string {
    return `board = ${escapeLiteral(this.board)} AND run_id = ${escapeLiteral(runId)}`;
  }

  /** The run's events after `afterSeq`, up to `toSeq` (default: all), ascending; at most `limit` of them. */
  async readSince(runId: string, afterSeq: number, toSeq = Number.MAX_SAFE_INTEGER, limit?: number): Promise<StoredEvent[]> {
    const r = await this.pool.query<{ seq: string; line: string }>(
      'SELECT seq, line FROM runboard_events WHERE board = $1 AND run_id = $2 AND seq > $3 AND seq <= $4 ORDER BY seq LIMIT $5',
      [this.board, runId, afterSeq, toSeq, limit ?? null],
    );
    return r.rows.map((row) => ({ seq: Number(row.seq), line: row.line }));
  }
}

/** Whether the table of archived runs is there (a database an earlier Runboard made lacks it). */
async function hasArchivedTable(pool: Pool): Promise<boolean> {
  return (await pool.query<{ made: boolean }>("SELECT to_regclass('runboard_archived') IS NOT NULL AS made")).rows[0].made;
}

/** The tables' layout version, or undefined when they are not made yet. */
async function schemaVersion(db: Pool | PoolClient): Promise<number | undefined> {
  try {
    return (await db.query<{ version: number }>('SELECT max(version) AS version FROM runboard_schema')).rows[0].version;
  } catch (e) {
    if ((e as { code?: string }).code === '42P01') return undefined; // undefined_table
    throw e;
  }
}

async function nowMs(c: Pool | PoolClient): Promise<number> {
  const r = await c.query<{ now_ms: string }>(`SELECT ${NOW_MS} AS now_ms`);
  return Number(r.rows[0].now_ms);
}

/** Sends the message that commits: a connection lost on it leaves the outcome unknown (pgErrors.ts CommitOutcomeUnknown). */
async function commit(c: PoolClient, sql: string): Promise<void> {
  try {
    await c.query(sql);
  } catch (e) {
    throw commitFailure(e);
  }
}

/** `body` in one transaction on a client of `pool`: committed when it returns, rolled back when it throws. */
async function inTransaction<T>(pool: Pool, body: (c: PoolClient) => Promise<T>): Promise<T> {
  return onClient(pool, async (c) => {
    await c.query('BEGIN');
    const out = await body(c);
    await commit(c, 'COMMIT');
    return out;
  });
}

/**
 * A transaction of two messages: BEGIN with the statements `first` (their results passed to
 * `then`), and the statement `then` returns, if any, with COMMIT. Rolled back when `then` throws.
 */
async function twoMessageTransaction<T>(
  pool: Pool,
  first: string,
  then: (results: QueryResult[]) => { last: string | undefined; out: T },
): Promise<T> {
  return onClient(pool, async (c) => {
    const [, ...results] = (await c.query(`BEGIN; ${first}`)) as unknown as QueryResult[];
    const { last, out } = then(results);
    if (last) await commit(c, `${last}; COMMIT`);
    else await c.query('COMMIT');
    return out;
  });
}

/** `body` on a client of `pool`, rolled back when it throws (a transaction it began). */
async function onClient<T>(pool: Pool, body: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  // A connection cut between two queries (the database stopping, a backend terminated) is said on
  // the client, not on a query: unheard, that 'error' would end the process. The next query fails
  // with pg's "not queryable", which names no cause: the cut is what the caller hears (an outage, to
  // be tried again), and the client is not reused.
  let cutWith: Error | undefined;
  const cut = (e: Error) => (broken = cutWith ??= e);
  c.on('error', cut);
  try {
    return await body(c);
  } catch (e) {
    // A statement that timed out still holds the connection: a ROLLBACK would wait behind it (a
    // second timeout). The connection is dropped instead; the database rolls back what it began.
    const cause = e instanceof CommitOutcomeUnknown ? e.lost : e;
    if (isQueryTimeout(cause)) broken = cause as Error;
    // A connection that cannot even roll back is not given back to the pool.
    else await c.query('ROLLBACK').catch((rollback: Error) => (broken ??= rollback));
    throw cutWith !== undefined && isNotQueryable(e) ? cutWith : e;
  } finally {
    c.release(broken);
    // Its socket may still say it ended after this: heard, not a crash (the pool has let go of it).
    if (broken === undefined) c.off('error', cut);
  }
}
