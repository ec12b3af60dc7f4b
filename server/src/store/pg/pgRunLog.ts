// One run on a PostgreSQL board (RunLog): the fold of the events the database holds, kept caught
// up by seq, and commands as transactions (pgEventLog.ts: the run's row locked, the events others
// committed since read and folded, the group's events inserted with the next seqs). Commands that
// arrive while a transaction holds the run go together in the next one (group commit: one
// transaction, one WAL flush at COMMIT). Decisions are timed by the database's clock.
//
// Everything that changes this process's fold — a catch-up, a commit — runs one at a time, so
// listeners hear every seq once, in order. A transaction that fails after its events were folded
// (the connection lost, the database stopped) leaves the fold ahead of the database: the run is
// read again from the database before its next use, and listeners hear what it holds.
import { RUN_FORMAT } from '../../../../contract/events';
import type { RepairRunResult } from '../../../../contract/results';
import type { Checkpoint, EventRecord } from '../../../../contract/schemas/records';
import type { CommandStamp } from '../../engine/commandIndex';
import { DomainError } from '../../engine/errors';
import { validateEventRecord } from '../../engine/eventRecord';
import type { CommandContext } from '../../engine/ids';
import { applyEvent, emptyRunState, RunState } from '../../engine/state';
import type { ArchiveFacts, ArchiveNote, BoardSite, CheckpointListing, CommandOutcome, PageCursor, RunLog } from '../boardStore';
import { archivedError } from '../../../../contract/writeRefusals';
import { checkpointOf } from '../checkpointRecord';
import { commandSteps } from '../commandSteps';
import { eventLines } from '../eventLines';
import { GroupBody, GroupCommit } from '../groupCommit';
import { readOnlyError } from '../readOnly';
import { WriterClock } from '../writerClock';
import { newerFormatError, runFormatOf } from '../runFormat';
import { CommitPoint, PgEventLog, StoredEvent } from './pgEventLog';
import { onBoard, storageError } from './pgErrors';

/** Events read from the database per query, when a read spans more. */
const PAGE = 2000;

export class PgRunLog implements RunLog {
  state: RunState;
  lastSeq = 0;
  readonly gone = false;
  /** Set on an archived run (read-only: every write answers RUN_ARCHIVED). */
  archive: ArchiveFacts | undefined;
  /** The last step that changes the fold; the next one runs after it. */
  private tail: Promise<unknown> = Promise.resolve();
  /** The fold may hold events the database does not (a failed commit): read the run again first. */
  private stale = false;
  /** The last seq listeners were told of. */
  private toldSeq = 0;
  /** The run's first event (its format), once folded. */
  private firstEvent: EventRecord | undefined;
  /** The database's time at the commit being decided (CommitPoint.nowMs). */
  private dbNow: number | undefined;
  private readonly clock: WriterClock;
  private readonly groups: GroupCommit;

  constructor(
    readonly root: string,
    readonly runId: string,
    private readonly log: PgEventLog,
    private readonly site: BoardSite,
  ) {
    this.state = emptyRunState(runId);
    this.clock = new WriterClock(
      { clock: () => this.dbNow ?? site.options.clock(), ids: site.options.ids },
      (message) => site.listener.onDiagnostic({ run_id: runId, file: this.where(), message }),
      true,
    );
    this.groups = new GroupCommit(
      async (body) => (await this.held(body))!,
      () => this.state,
      this.clock,
    );
  }

  /** Where the run is kept, for messages: the board, not a file. */
  where(): string {
    return `postgres:${this.log.board}/${this.runId}`;
  }

  /** The run read from the database (every event, folded); listeners are not told (a first load). */
  async load(): Promise<void> {
    await this.serially(() => this.foldFromDatabase());
    this.toldSeq = this.lastSeq;
  }

  catchUp(): Promise<EventRecord[]> {
    return this.serially(async () => {
      if (this.stale) return this.freshen();
      const heard: EventRecord[] = [];
      await this.foldFromDatabase((folded) => {
        heard.push(...folded);
        this.tell(folded);
      });
      return heard;
    });
  }

  command<T>(
    stamp: CommandStamp | undefined,
    decide: (state: RunState, ctx: CommandContext) => EventRecord[],
    result: (applied: EventRecord[], state: RunState, ctx: CommandContext) => T,
  ): Promise<CommandOutcome<T>> {
    if (this.site.options.readOnly) return Promise.reject(readOnlyError());
    if (this.archive) return Promise.reject(archivedError(this.runId));
    return this.groups.command(stamp, decide, result);
  }

  /**
   * Requeues what expired — unless another transaction holds the run (another server's timer, or
   * any command: each requeues expired leases first), so N servers' timers make one requeue, and
   * none waits for another.
   */
  async expireLeases(): Promise<void> {
    if (this.site.options.readOnly) throw readOnlyError();
    const nothing = { stamp: undefined, decide: () => [], result: () => undefined };
    await this.held((append, committed) => commandSteps(() => this.state, this.clock, nothing, append, committed), true);
  }

  /** Archives the run: under its row lock, on the caught-up fold, `check` may refuse; then the archive row is written. */
  async archiveRun(check: (state: RunState) => void, note: ArchiveNote): Promise<void> {
    if (this.site.options.readOnly) throw readOnlyError();
    await this.serially(async () => {
      await this.freshen();
      const heard: EventRecord[] = [];
      try {
        await this.log.archive(
          this.runId,
          this.lastSeq,
          (since) => {
            heard.push(...this.fold(since));
            check(this.state);
          },
          note,
        );
      } catch (e) {
        throw storageError(this.log.board, e);
      } finally {
        this.tell(heard);
      }
    });
  }

  /** `body` in a transaction on the run, after what changes the fold before it (undefined: skipped, `skipLocked`). */
  private held<R>(body: GroupBody<R>, skipLocked = false): Promise<R | undefined> {
    return this.serially(async () => {
      await this.freshen();
      return this.transaction(body, skipLocked);
    });
  }

  /** One transaction: the run locked, others' events folded, `body`'s events inserted; listeners hear both once it commits. */
  private async transaction<R>(body: GroupBody<R>, skipLocked: boolean): Promise<R | undefined> {
    const before = this.lastSeq;
    const heard: EventRecord[] = [];
    try {
      const decide = (since: StoredEvent[], at: CommitPoint) => {
        heard.push(...this.fold(since));
        this.dbNow = at.nowMs;
        const format = runFormatOf(this.firstEvent);
        if (format > RUN_FORMAT) throw newerFormatError(this.runId, format);
        const lines: string[] = [];
        const mine: EventRecord[] = [];
        const value = body((events) => {
          if (events.length === 0) return [];
          const commitLines = eventLines(events);
          lines.push(...commitLines);
          // Folded as they will be read back, so memory equals a fresh load.
          return this.fold(commitLines.map((line, i) => ({ seq: events[i].seq, line })));
        }, mine);
        return { lines, value: { value, mine } };
      };
      const committed = await this.log.commit(this.runId, this.lastSeq, decide, { skipLocked });
      if (!committed) return undefined;
      heard.push(...committed.value.mine);
      return committed.value.value;
    } catch (e) {
      // Folded beyond what the database committed (or folded part of a page): read the run again before its next use.
      if (this.lastSeq !== before + heard.length) {
        this.stale = true;
        heard.length = 0;
      }
      throw storageError(this.log.board, e);
    } finally {
      this.dbNow = undefined;
      this.tell(heard);
    }
  }

  /** After a failed commit: the run read again from the database; listeners hear what it holds beyond what they were told. */
  private async freshen(): Promise<EventRecord[]> {
    if (!this.stale) return [];
    this.state = emptyRunState(this.runId);
    this.lastSeq = 0;
    this.firstEvent = undefined;
    // What listeners have not heard of is kept as it is folded again.
    const beyond: EventRecord[] = [];
    await this.foldFromDatabase((folded) => beyond.push(...folded.filter((e) => e.seq > this.toldSeq)));
    this.stale = false;
    if (this.lastSeq < this.toldSeq) {
      // The database holds less than listeners heard of (restored from a backup): they read the run again.
      this.toldSeq = this.lastSeq;
      this.site.listener.onReset({ root: this.root, run_id: this.runId, last_seq: this.lastSeq });
      return [];
    }
    this.tell(beyond);
    return beyond;
  }

  /** Folds the events after the last folded that the database holds, a page at a time, each page passed to `onPage`. */
  private async foldFromDatabase(onPage?: (folded: EventRecord[]) => void): Promise<void> {
    for (;;) {
      const page = await this.query(() => this.log.readSince(this.runId, this.lastSeq, undefined, PAGE));
      const folded = this.fold(page);
      onPage?.(folded);
      if (page.length < PAGE) return;
    }
  }

  /** Stored lines, parsed and checked, folded in order: what a fresh load would fold. */
  private fold(stored: StoredEvent[]): EventRecord[] {
    const out: EventRecord[] = [];
    for (const s of stored) {
      if (s.seq !== this.lastSeq + 1) {
        throw new DomainError('STORAGE_ERROR', `Run ${this.runId} on board ${this.log.board}: seq ${s.seq} follows ${this.lastSeq}.`);
      }
      const e = this.parse(s);
      applyEvent(this.state, e);
      this.lastSeq = e.seq;
      if (e.seq === 1) this.firstEvent = e;
      out.push(e);
    }
    return out;
  }

  private parse(s: StoredEvent): EventRecord {
    let value: unknown;
    try {
      value = JSON.parse(s.line);
    } catch (e) {
      throw this.unreadable(s.seq, (e as Error).message);
    }
    const e = validateEventRecord(value, this.runId);
    if (typeof e === 'string') throw this.unreadable(s.seq, e);
    return e;
  }

  private unreadable(seq: number, why: string): DomainError {
    const message = `Run ${this.runId} on board ${this.log.board}: the event at seq ${seq} cannot be read (${why}).`;
    this.site.reportOnce(`${this.where()}#${seq}`, { run_id: this.runId, file: this.where(), message });
    return new DomainError('STORAGE_ERROR', message, { run_id: this.runId, seq });
  }

  private tell(events: EventRecord[]): void {
    if (events.length === 0) return;
    this.toldSeq = events[events.length - 1].seq;
    this.site.listener.onCommit({ root: this.root, run_id: this.runId, events, last_seq: this.lastSeq });
  }

  /** Steps that change the fold, one after another (a failed one does not stop the next). */
  private serially<T>(step: () => Promise<T>): Promise<T> {
    const run = this.tail.then(step, step);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** A query, its failure said as STORAGE_ERROR naming the board. */
  private query<T>(q: () => Promise<T>): Promise<T> {
    return onBoard(this.log.board, q);
  }

  // ------------------------------------------------------------------ reads

  async readEvents(from: number, to: number, onEvent?: (e: EventRecord) => void): Promise<EventRecord[]> {
    const out: EventRecord[] = [];
    let after = from - 1;
    while (after < to) {
      const page = await this.query(() => this.log.readSince(this.runId, after, to, PAGE));
      for (const s of page) {
        const e = this.parse(s);
        if (onEvent) onEvent(e);
        else out.push(e);
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1].seq;
    }
    return out;
  }

  /** Events `from`..`to`, extended to the end of the commit holding `to` (its batch_end). */
  async readPage(from: number, to: number): Promise<{ events: EventRecord[]; next: PageCursor | undefined }> {
    const events = await this.readEvents(from, to);
    const end = events[events.length - 1]?.batch_end;
    if (end !== undefined && end > to) events.push(...(await this.readEvents(to + 1, end)));
    return { events, next: undefined };
  }

  async listCheckpoints(): Promise<CheckpointListing[]> {
    const rows = await this.query(() => this.log.listCheckpoints(this.runId));
    return rows.map((r) => ({ ...r, file: `${this.where()}/checkpoints/${r.checkpoint_id}` }));
  }

  async readCheckpoint(c: CheckpointListing): Promise<Checkpoint> {
    const body = await this.query(() => this.log.readCheckpoint(this.runId, c.checkpoint_id));
    if (body === undefined) throw new Error('the checkpoint is gone');
    return checkpointOf(JSON.parse(body));
  }

  async writeCheckpoint(c: Checkpoint): Promise<void> {
    if (this.site.options.readOnly) throw readOnlyError();
    await this.query(() => this.log.writeCheckpoint(this.runId, c, JSON.stringify(c)));
  }

  /**
   * The database keeps nothing of a run besides its events and checkpoints: what a fresh load
   * yields is the fold of the events, so replay's drift shows where a replay (from a checkpoint,
   * up to a seq) differs from them.
   */
  persisted(): Record<string, never> {
    return {};
  }

  flush(): void {}

  /** A database's rows are not put back by a file copy: nothing recorded goes missing here. */
  lostEvents(): undefined {
    return undefined;
  }

  /** The database checks every line as it is stored and read: there is no damage to repair in place. */
  damageReport(): [] {
    return [];
  }

  examineDamage(): Omit<RepairRunResult, 'event'> {
    return { damage: [], restore: null };
  }

  async repair(): Promise<RepairRunResult> {
    if (this.site.options.readOnly) throw readOnlyError();
    return { damage: [], restore: null, event: null };
  }

  releaseFiles(): void {}

  close(): void {}
}
