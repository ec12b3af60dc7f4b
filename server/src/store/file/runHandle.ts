// One run in the file store (RunLog): the run's lock, the commit path — lock, catch up, the command's
// steps, append in one write, fold, unlock — checkpoints and repairs. Reads and folds: runReader.ts.
//
// Every commit locks the file at the log's path (runLock.ts) and reloads when that is not the
// file it read, and a commit whose file was replaced while it wrote is not acknowledged unless
// the new file holds it.
import * as path from 'node:path';
import { EVENT, RUN_FORMAT } from '../../../../contract/events';
import { LIMITS } from '../../../../contract/limits';
import { WAITING_FILE } from '../../../../contract/layout';
import { CHECKPOINTS_DIR } from '../../../../contract/layout';
import type { RepairRunResult } from '../../../../contract/results';
import type { Checkpoint, EventRecord } from '../../../../contract/schemas/records';
import type { CommandStamp } from '../../engine/commandIndex';
import { DomainError } from '../../engine/errors';
import { restoresAnything } from '../../engine/logRestore';
import { applyEvent, RunState, toBlackboard, toRunRecord } from '../../engine/state';
import { CommandContext } from '../../engine/ids';
import type { CheckpointListing, CommandOutcome, PageCursor, RunLog } from '../boardStore';
import { GroupCommit, HoldAgain } from '../groupCommit';
import { readOnlyError } from '../readOnly';
import { listCheckpoints, readCheckpointFile, writeCheckpoint } from './checkpoints';
import { crashPoint } from './crashPoints';
import { LogRewrittenError } from './eventLog';
import { compareAtPath, sameFile } from './fileIdentity';
import {
  inspectLog,
  LogInspection,
  planRestore,
  RestorePlan,
  restoreOffer,
  restoreSources,
  restoreUnavailable,
  seqsToCheck,
} from './logRepair';
import { RunReader } from './runReader';
import type { LogPoint, RunSite } from './runSite';
import { readBlackboardSnapshot, readRunSnapshot } from './snapshots';
import { HeldLock, LogMissingError, OsRunLock } from './runLock';
import { damagedError } from '../../../../contract/writeRefusals';
import { newerFormatError } from '../runFormat';
import { WriterClock } from '../writerClock';
import { eventLines } from '../eventLines';
import { folderBytes } from './folderBytes';
import type { ArchiveSource } from './archive/archiveWriter';

export class RunHandle extends RunReader implements RunLog {
  private readonly lock: OsRunLock;
  private readonly clock: WriterClock;
  /** Commands that arrive while a commit holds the lock go together (group commit): one append each, one sync. */
  private readonly groups: GroupCommit;

  private constructor(site: RunSite) {
    super(site);
    this.clock = new WriterClock(this.opts, (message) => this.diagnose(message));
    this.lock = new OsRunLock(this.log.file, path.join(this.dir, WAITING_FILE), this.opts.lockTimeoutMs);
    // The lock held, the group's appends go through its descriptor; `locked` syncs them once.
    this.groups = new GroupCommit(
      (body) =>
        this.locked(false, (held, notices) => {
          const out = body((events) => this.append(held, events), notices);
          crashPoint('before-unlock');
          return out;
        }),
      () => this.state,
      this.clock,
    );
  }

  /** An existing run, loaded from its caches and log. */
  static open(site: RunSite): RunHandle {
    const h = new RunHandle(site);
    try {
      h.load();
    } catch (e) {
      // A run this Runboard refuses to read (a newer format) holds no file open.
      h.close();
      throw e;
    }
    return h;
  }

  /** For a new run: the folder exists, the log is empty; seq 1 is appended by `create`. */
  static forNewRun(site: RunSite): RunHandle {
    return new RunHandle(site);
  }

  private append(held: HeldLock, events: EventRecord[]): EventRecord[] {
    if (events.length === 0) return [];
    // Only a seq written by hand at the very limit leads here: no reader would fold what followed.
    if (events[events.length - 1].seq > LIMITS.seq) {
      throw new DomainError('STORAGE_ERROR', `Run ${this.runId} has reached the highest seq an event may carry (${LIMITS.seq}).`, {
        run_id: this.runId,
      });
    }
    const lines = eventLines(events);
    const data = Buffer.from(lines.join('\n') + '\n', 'utf8');
    try {
      this.log.append(held.fd, data);
    } catch (e) {
      // Rewritten in place since it was read, under the lock: the attempt goes again, on what the file holds now.
      if (e instanceof LogRewrittenError) throw new OnAnotherFile();
      const message = `Cannot write ${this.log.file}: ${(e as Error).message}`;
      this.diagnose(message);
      throw new DomainError('STORAGE_ERROR', message);
    }
    // Fold what is now on disk (re-parsed), so memory always equals a fresh load.
    const applied: EventRecord[] = [];
    let start = this.log.offset;
    for (const line of lines) {
      const e = JSON.parse(line) as EventRecord;
      applyEvent(this.state, e);
      this.log.indexSeq(e.seq, start);
      start += Buffer.byteLength(line, 'utf8') + 1;
      this.logSeq = e.seq;
      this.lastEventId = e.event_id;
      applied.push(e);
    }
    this.log.seek(start, this.log.line + lines.length);
    return applied;
  }

  /**
   * Runs one command under the lock. `decide` sees the caught-up state and returns the events
   * to append (or throws a DomainError: nothing is written). `result` reads the state after the
   * fold. With a stamp, a repeat of a recorded command returns `{repeat}` and writes nothing.
   *
   * Group commit: commands that arrive while another group holds the lock wait for it, then go
   * together — decided in order, each on the state the ones before it left, appended, and synced
   * once; each is answered only after that sync.
   */
  command<T>(
    stamp: CommandStamp | undefined,
    decide: (state: RunState, ctx: CommandContext) => EventRecord[],
    result: (applied: EventRecord[], state: RunState, ctx: CommandContext) => T,
  ): Promise<CommandOutcome<T>> {
    return this.groups.command(stamp, decide, result);
  }

  /** What this Runboard may not write: a run of a newer format, or a damaged log until it is repaired. */
  private assertWritable(): void {
    const format = this.runFormat();
    if (format > RUN_FORMAT) throw newerFormatError(this.runId, format);
    if (this.damage.length > 0) throw damagedError(this.runId, this.log.file, this.damageReport());
  }

  /**
   * The whole log read again from its first line (damage the caches cover is found only so), and
   * whether a cache or checkpoint can restore what the damage lost. What it finds is this run's
   * damage from now on: the run is read-only until it is repaired.
   */
  examineDamage(): Omit<RepairRunResult, 'event'> {
    this.catchUp();
    const { inspection, restore } = this.inspect();
    this.damage = inspection.damage;
    return { damage: this.damageReport(), restore: restoreOffer(restore) };
  }

  private inspect(): { inspection: LogInspection; restore: RestorePlan | null } {
    const sources = restoreSources(this.dir, this.runId);
    const inspection = inspectLog(this.log, this.runId, this.opts.maxLineBytes, seqsToCheck(sources));
    if (inspection.damage.length === 0) return { inspection, restore: null };
    const restore = planRestore(inspection, sources, (state, after) =>
      this.pages.readEvents(after + 1, this.logSeq, (e) => applyEvent(state, e)),
    );
    return { inspection, restore };
  }

  /**
   * Repairs the damage in the whole log with one `context.log.repaired` event listing it, at a seq
   * above every seq in the file: the lines stay as they are, folding goes around them, and writes
   * resume. With `restore`, the event also carries what a cache or checkpoint from before the
   * damage holds and the fold around it lacks (RESTORE_UNAVAILABLE when none does). Returns the
   * damage, the restore plan, and the event (null when there was nothing to repair).
   */
  async repair(restore: boolean): Promise<RepairRunResult> {
    return this.locked(
      false,
      (held, notices) => {
        const { inspection, restore: plan } = this.inspect();
        this.damage = inspection.damage;
        const damage = this.damageReport();
        if (damage.length === 0) return { damage, restore: null, event: null };
        const restored = restore ? plan : undefined;
        if (restored && !restored.available) throw restoreUnavailable(this.runId, restored.reason);
        const ctx = this.clock.context(this.state.header.updated_at_ms);
        // Folded from the first line, as a fresh load would: the event's difference is against this.
        this.state = inspection.folded;
        const header = restored?.available ? restored.restored.run : this.state.header;
        const event: EventRecord = {
          event_id: ctx.ids.newId('evt'),
          run_id: this.runId,
          seq: Math.max(this.logSeq, this.seqFloor, inspection.maxSeq) + 1,
          ts_ms: ctx.now,
          type: EVENT.logRepaired,
          status: header.status,
          revision: this.state.header.revision + 1,
          payload: {
            damage: damage.map(({ file: _f, duplicate: _d, ...d }) => d),
            ...(restored?.available && restoresAnything(restored.restored, this.state.header) ? { restored: restored.restored } : {}),
          },
        };
        notices.push(...this.append(held, [event]));
        this.damage = [];
        return { damage, restore: restoreOffer(plan), event };
      },
      { repairing: true },
    );
  }

  /**
   * Takes the run out of the log's folder (archive/runArchive.ts): under the lock, on the caught-up
   * state of the file at the path, `check` may refuse (a run not finished, still holding leases);
   * then `move` gets what it needs to write the archive and moves the run's folder away, all before
   * the lock is let go — no writer can commit in between. The handle is gone after.
   */
  async moveToArchive(stillListed: boolean, check: (state: RunState) => void, move: (src: ArchiveSource) => Promise<void>): Promise<void> {
    if (this.opts.readOnly) throw readOnlyError();
    const held = await this.lockAtPath();
    const notices: EventRecord[] = [];
    try {
      notices.push(...this.consumeNewSafely(held.fd));
      if (this.tailBeingWritten) throw tailStillWritten(this.log.file);
      this.assertWritable();
      check(this.state);
      await move({
        runId: this.runId,
        fd: held.fd,
        logBytes: this.log.offset,
        lastSeq: this.logSeq,
        final: { run_id: this.runId, seq: this.logSeq, run: toRunRecord(this.state), blackboard: toBlackboard(this.state) },
        checkpoints: this.listCheckpoints(),
      });
    } finally {
      held.release();
      if (notices.length > 0) this.notify(notices);
    }
    // A compacted run is still the board's: listeners read it again from where it is now, every seq there.
    if (stillListed) this.markGone(`Run ${this.runId} was compacted: it is read from its sealed segments now.`, this.logSeq);
    else this.markGone(`Run ${this.runId} was archived: it is read from its archive now.`);
  }

  /** `body` under the run's lock, on the log at the path (RUN_NOT_FOUND once there is none). */
  async whileLocked<T>(body: () => T | Promise<T>): Promise<T> {
    const held = await this.lockAtPath();
    try {
      return await body();
    } finally {
      held.release();
    }
  }

  /**
   * The run's lock, held on the file at the log's path, which this handle has read. A lock taken on
   * a file that left the path meanwhile is no lock on the run: another process archived or
   * compacted it (RUN_NOT_FOUND, the handle gone: the caller looks again), or restored or replaced
   * it (taken again on the file there now). Archiving on a lock of a file gone from the path
   * removed the archive the other process had just made, and with it the run.
   */
  private async lockAtPath(): Promise<HeldLock> {
    for (let attempt = 1; ; attempt++) {
      const held = await this.lockOrFail();
      try {
        // A lock behind the reader is let go (onFileAtPath), to be taken on the file the reader holds.
        const at = this.onFileAtPath(held) ? compareAtPath(this.log.file, held.identity) : undefined;
        if (at === 'same') return held;
        if (at === 'missing') throw this.markGone();
        if (at === 'replaced') this.reloadAfterReplace(this.lastFolded());
      } catch (e) {
        held.release();
        throw e;
      }
      held.release();
      if (attempt >= MAX_ATTEMPTS) throw replacedTooOften(this.log.file, attempt);
    }
  }

  /** Appends seq 1 of a new run; RUN_EXISTS when another process created it first. */
  async create(events: EventRecord[]): Promise<void> {
    await this.locked(true, (held, notices) => {
      if (this.exists) throw new DomainError('RUN_EXISTS', `Run ${this.runId} already exists.`, { run_id: this.runId });
      notices.push(...this.append(held, events));
    });
  }

  /**
   * `body` under the run's lock, on the caught-up state of the file at the log's path. Its writes
   * go to the file it locked; when that turns out, afterwards, not to be the file at the path any
   * more (another program replaced it: Runboard writers lock), they went to a file nobody reads.
   * They count only if the file now at the path holds them (it was copied after them); else the
   * body runs again on that file, and nothing it wrote before was acknowledged.
   */
  private async locked<T>(create: boolean, body: (held: HeldLock, notices: EventRecord[]) => T, { repairing = false } = {}): Promise<T> {
    if (this.closed) throw new DomainError('STORAGE_ERROR', 'The run store is closed.');
    if (this.opts.readOnly) throw readOnlyError();
    this.touched(this);
    const tailDeadline = Date.now() + TAIL_WAIT_LIMIT_FACTOR * this.opts.tornSettleMs;
    for (let attempt = 1; ; attempt++) {
      const held = await this.lockOrFail(create);
      crashPoint('after-lock');
      const notices: EventRecord[] = [];
      let waitForTail = false;
      try {
        if (!this.onFileAtPath(held)) continue;
        const told = this.lastFolded();
        notices.push(...this.consumeNewSafely(held.fd));
        if (this.tailBeingWritten) {
          if (Date.now() > tailDeadline) throw tailStillWritten(this.log.file);
          throw new TailBeingWritten();
        }
        if (!repairing) this.assertWritable();
        const readTo = this.logSeq;
        const out = body(held, notices);
        // One sync for everything this hold wrote, before anyone is answered (group commit).
        if (this.logSeq > readTo && this.opts.durability === 'fsync') await this.syncOrFail(held);
        // One check, written or not: a body that wrote nothing must have answered from the file at the path too.
        if (compareAtPath(this.log.file, held.identity) !== 'same') {
          const wrote = this.logSeq > readTo;
          // The reload tells listeners what the file at the path holds after `told`: this attempt's notices are void.
          notices.length = 0;
          if (!this.reloadAfterReplace(told) || !wrote) throw new OnAnotherFile();
        }
        return out;
      } catch (e) {
        // What was read before the tail stands (its notices go out); nothing was written.
        if (e instanceof TailBeingWritten) waitForTail = true;
        else {
          if (!(e instanceof OnAnotherFile)) throw e;
          // What this attempt appended is not acknowledged: its notices are void (the next attempt reads the file anew).
          notices.length = 0;
          if (attempt >= MAX_ATTEMPTS) throw replacedTooOften(this.log.file, attempt);
        }
      } finally {
        held.release();
        if (notices.length > 0) this.notify(notices);
      }
      // Not an attempt on another file: the same one, looked at again once its writer may have finished.
      if (waitForTail) {
        attempt--;
        await new Promise((r) => setTimeout(r, TAIL_POLL_MS));
      }
    }
  }

  /**
   * The reader and the lock should hold the same file. When they differ one of them is behind the
   * file at the path: a reader behind reloads; a lock behind is let go, to be taken on the file at
   * the path (returns false: take it again).
   */
  private onFileAtPath(held: HeldLock): boolean {
    if (!this.log.hasIdentity || sameFile(this.log.identity(), held.identity)) return true;
    if (compareAtPath(this.log.file, held.identity) === 'same') {
      this.adoptReplacedLog();
      return true;
    }
    this.lock.forget();
    return false;
  }

  /** The locked file left the path: reload from the one there; whether it holds all this process had read and written. */
  private reloadAfterReplace(told: LogPoint): boolean {
    if (this.log.atPath() === 'missing') throw this.markGone();
    this.lock.forget();
    return this.adoptReplacedLog(told);
  }

  /** Syncs what this hold wrote — inline (a lone caller) or on the thread pool (a server's, StoreOptions.syncOffLoop); a failure is STORAGE_ERROR. */
  private async syncOrFail(held: HeldLock): Promise<void> {
    try {
      if (this.opts.syncOffLoop) await this.log.sync(held.fd);
      else this.log.syncNow(held.fd);
    } catch (e) {
      const message = `Cannot sync ${this.log.file}: ${(e as Error).message}`;
      this.diagnose(message);
      throw new DomainError('STORAGE_ERROR', message);
    }
  }

  private async lockOrFail(create = false): Promise<HeldLock> {
    if (this.gone) throw this.markGone();
    try {
      return await this.lock.acquire({ create });
    } catch (e) {
      if (e instanceof DomainError) throw e;
      if (e instanceof LogMissingError) throw this.markGone();
      const message = `Cannot lock ${this.log.file}: ${(e as Error).message}`;
      this.diagnose(message);
      throw new DomainError('STORAGE_ERROR', message);
    }
  }

  readEvents(from: number, to: number, onEvent?: (e: EventRecord) => void): EventRecord[] {
    return this.pages.readEvents(from, to, onEvent);
  }

  readPage(from: number, to: number, resume?: PageCursor): { events: EventRecord[]; next: PageCursor | undefined } {
    // A cursor is a byte offset only while it follows on from the page before.
    const start = resume?.after === from - 1 ? (resume.at as number) : undefined;
    const { events, next } = this.pages.readPage(from, to, start);
    return { events, next: events.length > 0 ? { after: events[events.length - 1].seq, at: next } : undefined };
  }

  listCheckpoints(): CheckpointListing[] {
    return listCheckpoints(this.dir, this.runId);
  }

  readCheckpoint(c: CheckpointListing): Checkpoint {
    return readCheckpointFile(c.file, this.runId);
  }

  writeCheckpoint(c: Checkpoint): void {
    if (this.opts.readOnly) throw readOnlyError();
    try {
      writeCheckpoint(this.dir, c, this.opts.durability === 'fsync');
    } catch (e) {
      const message = `Cannot write the checkpoint: ${(e as Error).message}`;
      this.diagnose(message, path.join(this.dir, CHECKPOINTS_DIR));
      throw new DomainError('STORAGE_ERROR', message);
    }
  }

  /** The caches as they are on disk (run.json of another run, or unreadable, counts as not kept). */
  persisted(): Awaited<ReturnType<RunLog['persisted']>> {
    const run = readRunSnapshot(this.dir);
    const bb = readBlackboardSnapshot(this.dir);
    return {
      ...('value' in run && run.value.run_id === this.runId ? { run: run.value } : {}),
      ...('value' in bb ? { blackboard: bb.value } : {}),
    };
  }

  /** The run folder's files, checkpoints included (a file gone meanwhile counts nothing). */
  diskBytes(): number {
    return folderBytes(this.dir);
  }

  /** Lease expiry for the server's timer: requeues what expired, under the lock. */
  async expireLeases(): Promise<void> {
    await this.command(
      undefined,
      () => [],
      () => undefined,
    );
  }

  override releaseFiles(): void {
    super.releaseFiles();
    this.lock.idle();
  }

  override close(): void {
    super.close();
    this.lock.close();
  }
}

/** The work under the lock was done on a file that is no longer at the log's path, or no longer as it was read: do it again. */
class OnAnotherFile extends HoldAgain {}

/** The log ends in a torn tail that is not still: looked at again, after a pause, under a new hold. */
class TailBeingWritten extends Error {}

/** How long a writer waits for a torn tail that another program may be writing, in tornSettleMs, and how often it looks. */
const TAIL_WAIT_LIMIT_FACTOR = 5;
const TAIL_POLL_MS = 50;

function tailStillWritten(file: string): DomainError {
  return new DomainError(
    'STORAGE_ERROR',
    `${file} ends in an unfinished line that keeps changing: another program is writing it (an editor saving it?). Nothing was recorded; try again once it is done.`,
    { transient: true },
  );
}

/** How often a command is done again on a log that keeps being replaced under it. */
const MAX_ATTEMPTS = 5;

function replacedTooOften(file: string, attempts: number): DomainError {
  return new DomainError(
    'STORAGE_ERROR',
    `${file} was replaced ${attempts} times while Runboard wrote to it; nothing was recorded. Try again.`,
  );
}
