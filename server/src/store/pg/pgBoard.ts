// A root's board kept in PostgreSQL (BoardStore): its runs are the board's rows, whichever
// machine made them, so every clone of the workspace whose .runboard/board.json names the board
// sees the same runs. The pool connects on first use (ready); a process that follows the board
// LISTENs for commits (pgListener.ts) and keeps its list of runs and its loaded runs current from
// them, catching every run up by seq after a reconnect; one that does not lists the runs again
// for each call that lists them (BoardStore.ready).
import type { Pool, PoolConfig } from 'pg';
import { nearestName } from '../../../../contract/nearestName';
import { archivedIdTaken } from '../../../../contract/writeRefusals';
import type { EventRecord } from '../../../../contract/schemas/records';
import { DomainError } from '../../engine/errors';
import type { ArchiveNote, BoardSite, BoardStore, RunLog } from '../boardStore';
import type { RunState } from '../../engine/state';
import { eventLines } from '../eventLines';
import { readOnlyError } from '../readOnly';
import { passwordFrom, pgDriver } from './pgDriver';
import { onBoard, storageError } from './pgErrors';
import { PgEventLog } from './pgEventLog';
import { PgListener } from './pgListener';
import { PgRunLog } from './pgRunLog';

/**
 * So that one machine's trouble does not stop the team: a database that takes connections but does
 * not answer fails the call (transient) instead of hanging it; a client cut off in the middle of a
 * commit — holding its run's row lock — is ended by the database, not after TCP gives up hours
 * later; a lock wait that long is an error to try again, not a hang. (A commit is two messages
 * decided in between in milliseconds: 10 s idle inside one is a client gone.) A statement whose
 * answer does not come (a backend frozen, a connection half-open that keepalive finds only after
 * minutes) fails the call, transient, and its connection is dropped: before, a server's calls
 * waited on it for good. Longer than a lock wait, which fails first; shorter than a routed
 * client's wait for an answer (routing/client.ts ANSWER_TIMEOUT_MS), so that it hears the error;
 * statements are pages or one command's lines (an import's one statement has its own,
 * PgEventLog.createRun).
 */
export const PG_TIMEOUTS = {
  connectionTimeoutMillis: 10_000,
  keepAlive: true,
  keepAliveInitialDelayMillis: 10_000,
  idle_in_transaction_session_timeout: 10_000,
  lock_timeout: 30_000,
  query_timeout: 40_000,
} satisfies PoolConfig;

export class PgBoard implements BoardStore {
  readonly shared = true;
  private pool: Pool | undefined;
  private opening: Promise<PgEventLog> | undefined;
  private readonly ids = new Set<string>();
  private readonly runs = new Map<string, PgRunLog>();
  /** Archived runs read on demand (never to list them). */
  private readonly archivedRuns = new Map<string, PgRunLog>();
  private readonly loading = new Map<string, Promise<PgRunLog | undefined>>();
  private following = 0;
  /** Whether `ids` was read from the database yet. */
  private listed = false;
  /** Whether an empty board's name was compared with the boards that have runs. */
  private nameChecked = false;
  private closed = false;
  private readonly config: PoolConfig;

  constructor(
    readonly root: string,
    private readonly site: BoardSite,
    /** The board's name: its runs' key in the database. */
    readonly board: string,
    config: PoolConfig,
    env: NodeJS.ProcessEnv,
  ) {
    // A URL's own password wins (pg reads it over this); else the editor's secret, PGPASSWORD or ~/.pgpass.
    this.config = { password: passwordFrom(env, board), ...PG_TIMEOUTS, ...config };
  }

  async ready(list = false): Promise<void> {
    const log = await this.open();
    // While followed, notices keep the list current once it was read; a command needs no list (it opens its run by id).
    if (!this.listed || (list && this.following === 0)) await this.refreshIds(log);
  }

  /** The database's clock: decisions on the board are timed by it, so machines with skewed clocks agree on leases. */
  async clock(): Promise<number> {
    const log = await this.open();
    return this.query(() => log.now());
  }

  runIds(): string[] {
    return [...this.ids].sort();
  }

  async openRun(runId: string): Promise<RunLog | undefined> {
    const loaded = this.runs.get(runId);
    if (loaded) return loaded;
    let pending = this.loading.get(runId);
    if (!pending) {
      pending = this.load(runId).finally(() => this.loading.delete(runId));
      this.loading.set(runId, pending);
    }
    return pending;
  }

  private async load(runId: string): Promise<PgRunLog | undefined> {
    const log = await this.open();
    const row = await this.query(() => log.runRow(runId));
    if (row === undefined || row.archived) return undefined;
    const h = new PgRunLog(this.root, runId, log, this.site);
    await h.load();
    this.ids.add(runId);
    this.runs.set(runId, h);
    return h;
  }

  isLoaded(runId: string): boolean {
    return this.runs.has(runId);
  }

  loadedRuns(): RunLog[] {
    return [...this.runs.values()];
  }

  async createRun(runId: string, first: EventRecord[]): Promise<RunLog> {
    if (this.site.options.readOnly) throw readOnlyError();
    const log = await this.open();
    await this.query(() => log.createRun(runId, eventLines(first))).catch(async (e: unknown) => {
      // The id of an archived run: said so, with how to get it back (as on files).
      const held =
        e instanceof DomainError && e.code === 'RUN_EXISTS' ? ((e.details.existing_run_id as string | undefined) ?? runId) : undefined;
      if (held !== undefined && (await this.query(() => log.archiveRow(held))))
        throw archivedIdTaken(runId, `on board ${this.board}`, held);
      throw e;
    });
    this.ids.add(runId);
    const h = await this.openRun(runId);
    if (!h) throw new DomainError('STORAGE_ERROR', `PostgreSQL board ${this.board}: run ${runId} was made but cannot be read back.`);
    this.site.listener.onCommit({ root: this.root, run_id: runId, events: first, last_seq: h.lastSeq });
    return h;
  }

  // ------------------------------------------------------------------ archived runs

  async archivedRunIds(): Promise<string[]> {
    const log = await this.open();
    return this.query(() => log.archivedIds());
  }

  /** An archived run, folded from the database on demand and kept; it answers RUN_ARCHIVED to every write. */
  async openArchived(runId: string): Promise<RunLog | undefined> {
    const log = await this.open();
    const facts = await this.query(() => log.archiveRow(runId));
    if (!facts) {
      this.archivedRuns.delete(runId);
      return undefined;
    }
    let h = this.archivedRuns.get(runId);
    if (!h) {
      h = new PgRunLog(this.root, runId, log, this.site);
      await h.load();
      this.archivedRuns.set(runId, h);
    }
    const { log_bytes, ...who } = facts;
    // The database keeps the lines as they are (TOAST compresses long ones): the archive is the log.
    h.archive = { ...who, archive_bytes: log_bytes, log_bytes };
    return h;
  }

  async archiveRun(runId: string, check: (state: RunState) => void, note: ArchiveNote): Promise<void> {
    if (this.site.options.readOnly) throw readOnlyError();
    if (note.compact) {
      throw new DomainError(
        'STORAGE_ERROR',
        `Board ${this.board} keeps its runs' events as rows of the database (which compresses them): there is nothing to compact.`,
        {
          run_id: runId,
        },
      );
    }
    const h = (await this.openRun(runId)) as PgRunLog | undefined;
    if (!h) throw new DomainError('RUN_NOT_FOUND', `Board ${this.board} has no live run ${runId}.`, { run_id: runId });
    await h.archiveRun(check, note);
    this.forget(runId, true);
    // Its fold is the archived run's: kept to read it, every write refused (openArchived sets its archive).
    this.archivedRuns.set(runId, h);
  }

  async restoreRun(runId: string): Promise<RunLog> {
    if (this.site.options.readOnly) throw readOnlyError();
    const log = await this.open();
    if (await this.query(() => log.archiveRow(runId))) await this.query(() => log.restore(runId));
    this.archivedRuns.delete(runId);
    this.ids.add(runId);
    const h = await this.openRun(runId);
    if (!h) throw new DomainError('RUN_NOT_FOUND', `Board ${this.board} has no run ${runId}.`, { run_id: runId });
    return h;
  }

  /** The run was archived (it leaves the list and the loaded runs: its subscribers read it again) or restored. */
  private forget(runId: string, archived: boolean): void {
    if (!archived) {
      this.archivedRuns.delete(runId);
      this.ids.add(runId);
      return;
    }
    this.ids.delete(runId);
    if (this.runs.delete(runId)) this.site.listener.onReset({ root: this.root, run_id: runId, last_seq: 0 });
  }

  follow(changed: (runId: string) => void): { close(): Promise<void> } {
    this.following++;
    let listener: PgListener | undefined;
    let stopped = false;
    // Each outage of the listener is said once, and so is its end (before, only the first outage of a process was).
    let outages = 0;
    let down = false;
    const everyRun = () => {
      if (down) {
        down = false;
        this.diagnose(`listening for commits again (outage ${outages}); the commits made meanwhile are caught up`, `${outages}`);
      }
      // After a reconnect notifications may have been lost: the list again — runs new to it are
      // told of — and every loaded run by seq.
      const known = new Set(this.ids);
      void this.open()
        .then((log) => this.refreshIds(log))
        .then(
          () => {
            for (const id of this.ids) if (!known.has(id) || this.runs.has(id)) changed(id);
            // A loaded run the list no longer has was archived meanwhile (its notice lost with the connection).
            for (const id of [...this.runs.keys()]) {
              if (this.ids.has(id)) continue;
              this.forget(id, true);
              changed(id);
            }
          },
          (e: unknown) => this.diagnose((e as Error).message),
        );
    };
    const start = PgListener.start(this.config, this.board, {
      commit: (runId, seq) => {
        const known = this.runs.get(runId);
        if (known && known.lastSeq >= seq) return;
        this.ids.add(runId);
        changed(runId);
      },
      archived: (runId, archived) => {
        this.forget(runId, archived);
        changed(runId);
      },
      resync: everyRun,
      unreachable: (e) => {
        if (!down) outages++;
        down = true;
        this.diagnose(`cannot listen for commits (${e.message}); trying again every second`, `${outages}`);
      },
    }).then((l) => {
      if (stopped) return l.close();
      listener = l;
      // Commits made between the board's first look and the listener's start are caught up now.
      everyRun();
    });
    return {
      close: async () => {
        if (stopped) return;
        stopped = true;
        this.following--;
        await start;
        await listener?.close();
      },
    };
  }

  close(): void {
    this.closed = true;
    this.runs.clear();
    void this.pool?.end().catch(() => undefined);
    this.pool = undefined;
  }

  /** The board's tables, made on first use; a failure is said and tried again on the next use. */
  private open(): Promise<PgEventLog> {
    if (this.closed) return Promise.reject(new DomainError('STORAGE_ERROR', 'The run store is closed.'));
    if (!this.opening) {
      const pool = (this.pool ??= this.newPool());
      this.opening = PgEventLog.open(pool, this.board).catch((e: unknown) => {
        this.opening = undefined;
        throw storageError(this.board, e);
      });
    }
    return this.opening;
  }

  private newPool(): Pool {
    const pool = new (pgDriver().Pool)(this.config);
    // An idle connection cut by the database (a restart) is reported here; the pool replaces it.
    pool.on('error', () => undefined);
    // A connection cut as it is handed out — its backend terminated in the very message that made it
    // ready, before its taker listens (pgEventLog.ts onClient) — would emit 'error' to no one and
    // end the process: every connection is heard from its start. Its taker then finds it cut.
    pool.on('connect', (client) => client.on('error', () => undefined));
    return pool;
  }

  private async refreshIds(log: PgEventLog): Promise<void> {
    const ids = await this.query(() => log.runIds());
    this.listed = true;
    this.ids.clear();
    for (const id of ids) this.ids.add(id);
    // A board name misspelled (names are case-sensitive) shows an empty board: say which one it may
    // mean — looked up once (the refresh of an empty board is no reason to ask again).
    if (ids.length === 0 && !this.nameChecked) {
      this.nameChecked = true;
      const others = await this.query(() => log.otherBoards());
      const meant = others.find((o) => o.toLowerCase() === this.board.toLowerCase()) ?? nearestName(this.board, others);
      if (meant !== undefined)
        this.diagnose(
          `has no runs; did you mean board "${meant}", which has? ("board" in .runboard/board.json; names are case-sensitive.)`,
        );
    }
  }

  private query<T>(q: () => Promise<T>): Promise<T> {
    return onBoard(this.board, q);
  }

  /** Said once per `occurrence` (an outage of the listener: the same words again in a later one are said again). */
  private diagnose(message: string, occurrence = ''): void {
    // A board's own error (storageError) names the board already: said once, not twice.
    const named = `PostgreSQL board ${this.board}: `;
    const said = message.startsWith(named) ? message : named + message;
    this.site.reportOnce(`postgres:${this.board}:${occurrence}:${said}`, { file: `postgres:${this.board}`, message: said });
  }
}
