// What one process has read of one run: the run's state, folded from its caches and its log,
// kept up with what other processes append, and the caches written back. The write side — the
// lock and the commit path — is RunHandle's (runHandle.ts), which builds on this.
//
// The file at the log's path is the truth, and it can change under a long-lived process: an
// editor's save or `git stash` replaces it, a person deletes the run folder and creates the run
// again. So every read first asks whether the file it holds is still the one at the path and
// reloads when it is not, telling listeners when history they were told is gone; a run whose
// log is gone ends its reader.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LostEvents } from '../../../../contract/attention';
import type { Diagnostic } from '../../../../contract/diagnostic';
import { EVENT, RUN_FORMAT, unknownToReader } from '../../../../contract/events';
import { CHECKPOINTS_DIR, EVENTS_FILE, INDEX_FILE } from '../../../../contract/layout';
import type { EventRecord } from '../../../../contract/schemas/records';
import { DomainError } from '../../engine/errors';
import { applyEvent, emptyRunState, RunState } from '../../engine/state';
import { removeStaleTempFiles } from './atomicFile';
import { CacheWriter } from './cacheWriter';
import { EventLog, LogLine, LogRewrittenError, TornTail } from './eventLog';
import { Damage, EventSequencer } from './eventSequencer';
import { whyUnreadable } from './fileIdentity';
import { AcceptedDamage } from './logRepair';
import { LogPages } from './logPages';
import { startFromCaches } from './snapshots';
import type { CommitNotice, StoreOptions } from '../types';
import type { LogPoint, RunSite } from './runSite';
import { keepEventBeforeJunk, modifiedAgo, restoreNewline, TornTailWatch } from './tornTail';
import { unreadableNewerRun } from './writeRefusals';
import { runFormatOf } from '../runFormat';
import { isHeld } from './archive/archiveFormat';

const NEWLINE_RESTORED = 'The last line had lost its newline (edited by hand?); it is a complete event and was kept, its newline restored.';

export class RunReader {
  readonly log: EventLog;
  /** The log read by seq, in pages. */
  readonly pages: LogPages;
  state: RunState;
  /** Seq of the last event consumed from the log. */
  protected logSeq = 0;
  private readonly caches: CacheWriter;
  private readonly torn: TornTailWatch;
  protected closed = false;
  /** The log is no longer at its path (the run was deleted): this reader serves nothing more. */
  private goneFlag = false;
  /** Lines that could not be folded and seqs missing, since the last repair: the run is read-only while there are any. */
  protected damage: Damage[] = [];
  /** The highest seq in any line read (folded or not): the seq rule never hands it out again. */
  protected seqFloor = 0;
  /** The run's format (context.run.created's payload.format); undefined until its first event is read. */
  protected format: number | undefined;
  /** event_id of the last event folded: tells a replaced log that kept our history from one that did not. */
  protected lastEventId: string | undefined;
  /** The damaged lines the repair events folded so far accepted. */
  private accepted = new AcceptedDamage();
  /** While a replaced log is read again: the last event this process had read before (refold). */
  private knownTail: LogPoint | undefined;
  /** The highest seq this process knew the log to hold, when the log was then found to end before it. */
  private recordedSeq = 0;
  /** The last read under the lock ended in a torn tail that is not still: another program may be writing it. */
  protected tailBeingWritten = false;

  readonly root: string;
  readonly runId: string;
  readonly dir: string;
  protected readonly opts: StoreOptions;
  private readonly emitCommit: (n: CommitNotice) => void;
  private readonly emitDiagnostic: (d: Diagnostic) => void;
  private readonly emitReset: NonNullable<RunSite['emitReset']>;
  protected readonly touched: NonNullable<RunSite['touched']>;

  protected constructor(site: RunSite) {
    ({
      root: this.root,
      runId: this.runId,
      dir: this.dir,
      opts: this.opts,
      emitCommit: this.emitCommit,
      emitDiagnostic: this.emitDiagnostic,
    } = site);
    this.emitReset = site.emitReset ?? (() => undefined);
    this.touched = site.touched ?? (() => undefined);
    this.log = new EventLog(path.join(this.dir, EVENTS_FILE));
    this.pages = new LogPages(this.log, this.runId, this.opts.maxLineBytes, () => this.touched(this));
    this.state = emptyRunState(this.runId);
    this.caches = new CacheWriter(this.dir, this.opts, (message, file) => this.diagnose(message, file));
    this.torn = new TornTailWatch(this.opts.tornReportMs, (message, line) => this.diagnose(message, undefined, line));
  }

  get exists(): boolean {
    return this.logSeq > 0;
  }

  /** Why a log with lines but no event of this run is no run (a copy of another run's folder), naming its first damage. */
  get noEventOfItsOwn(): string | undefined {
    if (this.logSeq !== 0 || this.damage.length === 0) return undefined;
    return `no event of run ${this.runId} can be read from its log (line ${this.damage[0].line}: ${this.damage[0].message})`;
  }

  /**
   * Whether the log ends in an unfinished line that changed within tornReportMs: another program is
   * likely writing it (an editor saving in place), so a log of no whole event yet is no missing run.
   */
  get beingWritten(): boolean {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.log.file);
    } catch {
      return false;
    }
    // A time ahead of this clock (skew, a copied folder) says nothing: no wait that never ends.
    const age = modifiedAgo(st, Date.now());
    if (age < 0 || age >= this.opts.tornReportMs) return false;
    // An unfinished line; or emptied (the first step of a save in place) while its caches say it held events.
    return this.torn.watching || (st.size === 0 && fs.existsSync(path.join(this.dir, INDEX_FILE)));
  }

  /** True once this handle found its log gone: the store drops it and looks at the disk again. */
  get gone(): boolean {
    return this.goneFlag;
  }

  /** The seq of the last event folded from the log. */
  get lastSeq(): number {
    return this.logSeq;
  }

  protected diagnose(message: string, file = this.log.file, line?: number): void {
    this.emitDiagnostic({ run_id: this.runId, file, ...(line !== undefined ? { line } : {}), message });
  }

  protected load(): void {
    this.touched(this);
    if (!this.opts.readOnly) {
      removeStaleTempFiles(this.dir);
      removeStaleTempFiles(path.join(this.dir, CHECKPOINTS_DIR));
    }
    const cached = this.tryLoadSnapshot();
    let fromSnapshot = cached.seq;
    // A newer Runboard's caches may hold what this one cannot read: its log is read whole, and judged.
    if (fromSnapshot && this.runFormat() > RUN_FORMAT) fromSnapshot = undefined;
    if (!fromSnapshot) this.resetToScratch();
    this.consumeNewSafely(undefined, false);
    this.refuseIfUnreadable();
    // Every part must end at the log's seq: one cache ahead (run.json claiming events the log
    // does not hold) would make the next commit skip seqs. Trust the log.
    const parts = [this.state.header.last_event_seq, this.state.blackboard.last_event_seq, this.state.commandsSeq];
    if (fromSnapshot && parts.some((seq) => seq !== this.logSeq)) {
      this.diagnose(`The caches are ahead of the log (seq ${Math.max(...parts)} > ${this.logSeq}); rebuilt from the log.`);
      this.resetToScratch();
      this.consumeNew(undefined, false);
    }
    // The index is written after the log, by Runboard alone: a log of the same run (not one created
    // again under its id) that ends before it — no last line still to be read — lost its tail.
    const index = cached.recorded;
    const tailToRead = this.torn.watching;
    if (index && index.seq > this.logSeq && this.exists && !tailToRead && index.createdAtMs === this.state.header.created_at_ms) {
      this.recordedSeq = Math.max(this.recordedSeq, index.seq);
      this.diagnose(lostTailText(this.runId, this.logSeq, index.seq));
    }
    this.caches.loadedAt(fromSnapshot ? Math.min(fromSnapshot, this.logSeq) : 0);
  }

  protected resetToScratch(): void {
    this.state = emptyRunState(this.runId);
    this.logSeq = 0;
    this.lastEventId = undefined;
    this.damage = [];
    this.accepted = new AcceptedDamage();
    this.seqFloor = 0;
    this.format = undefined;
    this.log.seek(0, 0);
  }

  /** The log's own bookkeeping as events are folded: the run's format, and damage a repair accepted. */
  private noteLogEvent(event: EventRecord, line: number): void {
    if (event.type === EVENT.runCreated) this.format = runFormatOf(event);
    else if (event.type === EVENT.logRepaired) {
      this.accepted.add(event, line);
      this.damage = this.accepted.left(this.damage);
      // A restore may have put back a format its damaged creation line held: read it again when asked.
      this.format = undefined;
    }
  }

  /**
   * Starts from the caches when they describe this log (snapshots.ts: startFromCaches); returns their
   * seq then, and, used or not, the seq the index was written at and when the run they hold was created.
   */
  private tryLoadSnapshot(): { seq?: number; recorded?: { seq: number; createdAtMs: number | undefined } } {
    let recorded: { seq: number; createdAtMs: number | undefined } | undefined;
    const start = startFromCaches(
      this.dir,
      this.runId,
      this.log,
      this.opts.maxLineBytes,
      (message, file) => this.diagnose(message, file),
      (seq, createdAtMs) => (recorded = { seq, createdAtMs }),
    );
    if (!start) return { recorded };
    this.state = start.state;
    this.logSeq = start.seq;
    this.lastEventId = start.eventId;
    this.log.seek(start.offset, start.line);
    return { seq: start.seq, recorded };
  }

  /**
   * Folds complete commits appended since the last read. Under the lock (`lockFd`, the lock's
   * descriptor) a torn tail is repaired: a crashed writer's fragment is cut off, but a complete
   * last event that lost only its newline (an editor's save) gets it back and is kept.
   * `collect: false` (loading) keeps no list of what was folded: a million parsed events held
   * to the end would all survive into the old generation for nothing.
   */
  private consumeNew(lockFd: number | undefined, collect = true): EventRecord[] {
    const reports: { message: string; line?: number }[] = [];
    try {
      return this.readNewLines(lockFd, collect, (message, line) => reports.push({ message, line }));
    } finally {
      // A line a repair event after it accepted is no news: said only while unrepaired.
      for (const r of reports) if (r.line === undefined || !this.accepted.has(r.line)) this.diagnose(r.message, undefined, r.line);
    }
  }

  private readNewLines(lockFd: number | undefined, collect: boolean, report: (message: string, line?: number) => void): EventRecord[] {
    const folded: EventRecord[] = [];
    const seq = new EventSequencer(
      this.runId,
      this.logSeq + 1,
      this.opts.maxLineBytes,
      report,
      (d) => this.damage.push(d),
      (e) => (e.seq > 1 && this.runFormat() > RUN_FORMAT ? unknownToReader(e) : undefined),
      this.lastEventId,
    );
    const onLine = (l: LogLine) => {
      for (const { event, start } of seq.push(l)) {
        applyEvent(this.state, event);
        this.logSeq = event.seq;
        this.lastEventId = event.event_id;
        this.log.indexSeq(event.seq, start);
        this.noteLogEvent(event, l.line);
        if (collect) folded.push(event);
      }
      if (seq.maxSeqSeen > this.seqFloor) this.seqFloor = seq.maxSeqSeen;
    };
    // A writer reads on only from where a line ended (EventLog.readNew).
    const readOn = () => this.log.readNew(onLine, lockFd !== undefined);
    let torn = readOn();
    // Under the lock a torn tail is mended or cut, once the file is still (tornTail.ts).
    let still: boolean | undefined;
    const mendable = () => lockFd !== undefined && (still ??= this.torn.still(lockFd, this.opts.tornSettleMs, Date.now()));
    this.tailBeingWritten = false;
    if (this.log.newlineMissing) {
      // The last event read lost its newline: a reader keeps what it read; a writer puts it back first.
      if (!mendable()) {
        this.tailBeingWritten = lockFd !== undefined;
        return folded;
      }
      this.log.restoreFinalNewline(lockFd!);
      if (this.opts.durability === 'fsync') this.log.syncNow(lockFd!);
      this.diagnose(NEWLINE_RESTORED, undefined, this.log.line);
      torn = readOn();
    }
    const unterminated = torn && lockFd === undefined ? this.readUnterminated(torn, seq, onLine) : 'no';
    if (unterminated === 'read') {
      torn = undefined;
    } else if (torn && mendable() && restoreNewline(this.log, lockFd!, torn, seq, this.opts)) {
      this.diagnose(NEWLINE_RESTORED, undefined, torn.line);
      torn = readOn();
    } else if (torn && mendable()) {
      const junk = keepEventBeforeJunk(this.log, lockFd!, torn, seq, this.opts);
      if (junk > 0) {
        this.diagnose(
          `The last line was a complete event followed by ${junk} bytes that are no event, without a newline (edited by hand?): ` +
            'the event was kept, its newline restored, and those bytes put on the next line, which is damage.',
          undefined,
          torn.line,
        );
        torn = readOn();
      }
    }
    const pending = seq.pendingStart;
    if (pending) {
      // The input ended inside a multi-event commit: not yet written (or torn), read it again later.
      const size = this.log.size();
      this.log.seek(pending.offset, pending.line - 1);
      torn = { offset: pending.offset, line: pending.line, bytes: size - pending.offset };
    }
    if (!torn) {
      this.torn.clear();
    } else if (mendable()) {
      // We hold the lock and the file is still: the fragment is a crashed writer's.
      this.log.truncateTo(lockFd!, torn.offset);
      this.torn.cut(torn);
    } else {
      // A whole event is read once the file is still, not reported as torn.
      this.torn.found(torn, Date.now(), unterminated === 'no');
      // A lock holder must not write after it: it waits (RunHandle.locked).
      this.tailBeingWritten = lockFd !== undefined;
    }
    return folded;
  }

  /**
   * A reader's torn tail that is a whole event ending a commit, in a file still for tornSettleMs:
   * its newline was removed (an editor's save) or its writer died before it. It is read as the
   * event it is — a lock holder keeps it too (tornTail.ts restoreNewline) — so a new reader does
   * not show the run without its last event until the next write. Returns whether it was read, or
   * is a whole event in a file not yet still.
   */
  private readUnterminated(torn: TornTail, seq: EventSequencer, onLine: (l: LogLine) => void): 'read' | 'settling' | 'no' {
    if (torn.bytes > this.opts.maxLineBytes) return 'no';
    const text = this.log.readText(torn.offset, torn.bytes);
    if (!seq.wouldComplete({ text, line: torn.line, start: torn.offset, end: torn.offset + torn.bytes })) return 'no';
    // The very event this process had read there (a save of the same lines without the last newline) needs no wait.
    if (!this.isKnownTail(text) && !this.torn.still(this.log.readDescriptor(), this.opts.tornSettleMs, Date.now())) return 'settling';
    onLine(this.log.takeUnterminated(torn));
    return 'read';
  }

  /** Whether `text` is the line of the event this process had read last before the log was replaced. */
  private isKnownTail(text: string): boolean {
    const known = this.knownTail;
    if (!known?.id) return false;
    try {
      const e = JSON.parse(text) as { seq?: unknown; event_id?: unknown };
      return e.seq === known.seq && e.event_id === known.id;
    } catch {
      return false;
    }
  }

  /**
   * Whether the file this handle reads is still the one at the path; when another has taken its
   * place, reload from that one. Throws RUN_NOT_FOUND (and the handle is gone) when there is none.
   * Returns whether there may be lines to read (one lstat tells both).
   */
  private followPath(): boolean {
    const { at, grown } = this.log.look();
    if (at === 'same') return grown;
    if (at === 'missing') throw this.markGone();
    this.adoptReplacedLog();
    return true;
  }

  /**
   * The file now at the path cannot be read (a symlink, permissions; lines none of which is this
   * run's): this handle ends, the store reports the run as unreadable.
   */
  private unreadableNow(why: string): DomainError {
    this.end(`The log was replaced and cannot be read: ${why}.`);
    return new DomainError('STORAGE_ERROR', `Cannot read run ${this.runId}: ${why}.`, { run_id: this.runId });
  }

  protected markGone(
    /** Undefined: said only when the run is not archived (archiving it is no problem of its files). */
    why: string | undefined = isHeld(this.root, this.runId, 'archive')
      ? undefined
      : `${this.log.file} was deleted while this process had the run open; the run is no longer served from it.`,
    /** The seq its history still goes to elsewhere (a compacted run); 0: the run is gone. */
    lastSeq = this.compactedSeq(),
    how = 'deleted',
  ): DomainError {
    this.end(why, lastSeq);
    return new DomainError('RUN_NOT_FOUND', `Run ${this.runId} is gone: its log ${this.log.file} was ${how}.`, { run_id: this.runId });
  }

  /**
   * The file at the path, read again, holds no event of this run (emptied; or only lines that are
   * not its events): as a new process would, this one no longer serves the run — it never writes
   * an event at seq 1 that is not the run's creation. RUN_NOT_FOUND, or STORAGE_ERROR naming the
   * first line that cannot be read.
   */
  private noEventLeft(what: string): DomainError {
    const why = this.noEventOfItsOwn;
    if (why !== undefined) return this.unreadableNow(why);
    return this.markGone(`${what} and holds no event any more; the run is no longer served from it.`, 0, 'emptied');
  }

  /** The run's last seq when its log left because another process compacted it (it goes on there), else 0. */
  private compactedSeq(): number {
    return isHeld(this.root, this.runId, 'compacted') ? this.logSeq : 0;
  }

  /** This handle serves nothing more (said once): listeners drop what they hold of the run (and read it again, when it goes on elsewhere). */
  private end(why: string | undefined, lastSeq = 0): void {
    if (this.goneFlag) return;
    this.goneFlag = true;
    if (why !== undefined) this.diagnose(why);
    this.emitReset({ root: this.root, run_id: this.runId, last_seq: lastSeq });
  }

  /**
   * The log at the path is another file than the one read (replaced by rename: an editor's save,
   * `sed -i`, rsync, `git stash`; or the run deleted and created again): reload from it, and tell
   * listeners (told up to `told`: all that was folded, unless a locked attempt folded more since)
   * what it means for them (refold). Returns whether the new file holds everything this process
   * had folded.
   */
  protected adoptReplacedLog(told: LogPoint = this.lastFolded()): boolean {
    const had = this.lastFolded();
    this.log.reopen();
    let rest: EventRecord[];
    try {
      rest = this.refold(told, `${this.log.file} was replaced by another program (an editor's save, git…)`, undefined, true);
    } catch (e) {
      if (e instanceof DomainError) throw e;
      throw this.unreadableNow(whyUnreadable(this.log.file, e as NodeJS.ErrnoException));
    }
    if (rest.length > 0) this.notify(rest);
    return this.holds(had);
  }

  /**
   * Folds the log again from its first line (it was replaced, or rewritten in place). Listeners
   * told the history up to `told` need what follows it, returned (when `collect`), or, when the
   * file no longer holds it, to be told the history was reset: they reload.
   */
  private refold(told: LogPoint, what: string, lockFd: number | undefined, collect: boolean): EventRecord[] {
    this.resetToScratch();
    this.knownTail = told;
    try {
      this.consumeNew(lockFd, false);
    } finally {
      this.knownTail = undefined;
    }
    if (!this.exists) throw this.noEventLeft(what);
    if (!this.holds(told)) {
      this.recordedSeq = Math.max(this.recordedSeq, told.seq);
      this.diagnose(
        `${what} and no longer holds the events this process had read or written up to seq ${told.seq}; ` +
          `reloaded from the file now at the path, which ends at seq ${this.logSeq}.`,
      );
      this.emitReset({ root: this.root, run_id: this.runId, last_seq: this.logSeq });
      return [];
    }
    return collect && this.logSeq > told.seq ? this.pages.readEvents(told.seq + 1, this.logSeq) : [];
  }

  protected lastFolded(): LogPoint {
    return { seq: this.logSeq, id: this.lastEventId };
  }

  /** Whether the log read holds the event at `p` (the same event: its id), or `p` is the empty start. */
  protected holds(p: LogPoint): boolean {
    return p.seq === 0 || (this.logSeq >= p.seq && this.pages.readEvents(p.seq, p.seq)[0]?.event_id === p.id);
  }

  /** Picks up lines other processes appended (no lock). Notifies listeners of what was folded. */
  catchUp(): EventRecord[] {
    if (this.closed || this.goneFlag) return [];
    try {
      // Nothing new and no torn tail to watch: done without opening the log (the watcher's poll
      // asks every run every second).
      if (!this.followPath() && !this.torn.watching) return [];
    } catch (e) {
      if (e instanceof DomainError) return [];
      throw e;
    }
    this.touched(this);
    const folded = this.consumeNewSafely(undefined);
    try {
      this.refuseIfUnreadable();
    } catch (e) {
      this.end((e as Error).message);
      throw e;
    }
    if (folded.length > 0) this.notify(folded);
    return folded;
  }

  /** The run format rule for readers: a run of a newer format that holds a line this Runboard cannot fold is refused, never read in part. */
  private refuseIfUnreadable(): void {
    if (this.logSeq === 0 || this.damage.length === 0) return;
    const format = this.runFormat();
    if (format > RUN_FORMAT) throw unreadableNewerRun(this.runId, format, this.damage[0]);
  }

  /**
   * The run's format, as its creation event says (PROTOCOL.md §Files); when that line is damaged,
   * as a repair restored it to the run, else the oldest.
   */
  protected runFormat(): number {
    if (this.format === undefined) {
      // Asked of every event folded: read once, also when the creation's line cannot be read.
      const created = this.pages.readEvents(1, 1)[0];
      this.format = created ? runFormatOf(created) : (this.state.header.format ?? 1);
    }
    return this.format;
  }

  /** consumeNew, reading the log again from its start when it was rewritten under us (in place: it shrank). */
  protected consumeNewSafely(lockFd: number | undefined, collect = true): EventRecord[] {
    try {
      return this.consumeNew(lockFd, collect);
    } catch (e) {
      if (!(e instanceof LogRewrittenError)) throw e;
      return this.refold(this.lastFolded(), `${e.file} ${e.what}`, lockFd, collect);
    }
  }

  protected notify(events: EventRecord[]): void {
    this.emitCommit({ root: this.root, run_id: this.runId, events, last_seq: this.logSeq });
    this.scheduleSnapshot();
  }

  private scheduleSnapshot(): void {
    if (!this.closed) this.caches.schedule(() => this.flush());
  }

  /** Writes the caches when they are behind. */
  flush(): void {
    if (this.opts.readOnly) return;
    // Never replace newer caches with older ones: catch up first.
    if (!this.closed) this.catchUp();
    // A damaged run keeps its old caches: a load from them reads the damage again, and says so. A run
    // gone from its folder (deleted, archived, compacted) has no caches to write.
    if (this.damage.length > 0 || !this.exists || this.goneFlag) return;
    // Read past the file's end (a last event without its newline): the caches would name an offset not there yet.
    if (this.log.newlineMissing) return;
    // The id of the event at the caches' seq (the one folded last, when that is the state's seq).
    this.caches.write(this.state, this.log, this.logSeq === this.state.commandsSeq ? this.lastEventId : undefined);
  }

  /** Events folded since the caches were last written (or loaded). */
  get snapshotLag(): number {
    return this.caches.lag(this.logSeq);
  }

  /** The log ends before a seq this process knew it to hold (an older copy put back): until it passes that seq again. */
  lostEvents(): LostEvents | undefined {
    return this.recordedSeq > this.logSeq ? { log_seq: this.logSeq, recorded_seq: this.recordedSeq } : undefined;
  }

  /** The damage found since the last repair, with the log's path. */
  damageReport(): (Damage & { file: string })[] {
    return this.damage.map((d) => ({ file: this.log.file, ...d }));
  }

  /** Closes this run's descriptors while it is idle; they are opened again when it is next used. */
  releaseFiles(): void {
    this.log.release();
  }

  close(): void {
    if (this.closed) return;
    this.caches.stop();
    if (this.opts.snapshotDelayMs !== null || this.snapshotLag >= this.opts.snapshotLagEvents) this.flush();
    this.closed = true;
    this.log.close();
  }
}

/** A log that ends before the seq Runboard's caches were written at: what was lost, why it may be, and what keeps it. */
function lostTailText(runId: string, logSeq: number, recordedSeq: number): string {
  const lost = recordedSeq === logSeq + 1 ? `seq ${recordedSeq} is` : `seqs ${logSeq + 1}–${recordedSeq} are`;
  return (
    `The log ends at seq ${logSeq}, but Runboard recorded events up to seq ${recordedSeq} (its caches say so): ${lost} not in it. ` +
    'An older copy of the log was put back (git stash or checkout, a backup), or a crash lost them before they reached the disk. ' +
    `Put the newer copy back to keep them (git stash pop). Until the log passes seq ${recordedSeq} the caches keep what they held: ` +
    `\`runboard replay ${runId}\` shows what differs; the run goes on from seq ${logSeq}.`
  );
}
