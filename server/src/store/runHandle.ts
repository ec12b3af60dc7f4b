// One run of one root in this process: its state (folded from snapshot + log), its log, its
// lock, and the commit path — lock, catch up on other writers, expire leases, decide, append
// in one write, fold, unlock.
//
// The file at the log's path is the truth, and it can change under a long-lived process: an
// editor's save or `git stash` replaces it, a person deletes the run folder and creates the run
// again. So every read first asks whether the file it holds is still the one at the path, every
// commit locks the file at the path (runLock.ts) and reloads when that is not the file it read,
// and a commit whose file was replaced while it wrote is not acknowledged unless the new file
// holds it. A run whose log is gone ends its handle.
import * as path from 'node:path';
import { CommandStamp, findRepeat, stampEvents } from '../engine/commandIndex';
import { DomainError } from '../engine/errors';
import { CommandContext } from '../engine/ids';
import { EventRecord } from '../../../contract/schemas/records';
import { CHECKPOINTS_DIR, EVENTS_FILE, WAITING_FILE } from '../../../contract/layout';
import { restoresAnything } from '../engine/logRestore';
import { applyEvent, CommandEntry, emptyRunState, RunState, stateFromRecords, stateSeq } from '../engine/state';
import { decideExpireLeases } from '../engine/taskLifecycle';
import { EventLog, LogRewrittenError, TornTail } from './eventLog';
import { removeStaleTempFiles } from './atomicFile';
import { crashPoint } from './crashPoints';
import { Damage, EventSequencer } from './eventSequencer';
import { compareAtPath, sameFile, whyUnreadable } from './fileIdentity';
import { damageAfterRepair, inspectLog, LogInspection, planRestore, RestorePlan, restoreSources, restoreUnavailable, seqsToCheck } from './logRepair';
import { HeldLock, LogMissingError, OsRunLock } from './runLock';
import { readBlackboardSnapshot, readLogIndex, readRunSnapshot, writeSnapshots } from './snapshots';
import { readOnlyError } from './readOnly';
import { CommitNotice, ResetNotice, StoreOptions } from './types';
import { EVENT, RUN_FORMAT } from '../../../contract/events';
import { Diagnostic } from '../../../contract/diagnostic';


/** Where a run lives and whom it tells about commits and problems. */
export interface RunSite {
  root: string;
  runId: string;
  dir: string;
  opts: StoreOptions;
  emitCommit: (n: CommitNotice) => void;
  emitDiagnostic: (d: Diagnostic) => void;
  /** The run's history was replaced under this process: what listeners had is no longer the log. */
  emitReset?: (n: ResetNotice) => void;
  /** This run is about to use its files: the store keeps the number of runs with open descriptors bounded. */
  touched?: (h: RunHandle) => void;
}

export type CommandOutcome<T> = { result: T } | { repeat: CommandEntry };

export class RunHandle {
  readonly log: EventLog;
  private readonly lock: OsRunLock;
  state: RunState;
  /** Seq of the last event consumed from the log. */
  private logSeq = 0;
  private snapshotSeq = 0;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private torn: { offset: number; since: number; reported: boolean } | undefined;
  private closed = false;
  /** The log is no longer at its path (the run was deleted): this handle serves nothing more. */
  private goneFlag = false;
  private reportedSkew = false;
  /** Lines that could not be folded and seqs missing, since the last repair: the run is read-only while there are any. */
  private damage: Damage[] = [];
  /** The highest seq in any line read (folded or not): the seq rule never hands it out again. */
  private seqFloor = 0;
  /** The run's format (context.run.created's payload.format); undefined until its first event is read. */
  private format: number | undefined;
  /** event_id of the last event folded: tells a replaced log that kept our history from one that did not. */
  private lastEventId: string | undefined;

  readonly root: string;
  readonly runId: string;
  readonly dir: string;
  private readonly opts: StoreOptions;
  private readonly emitCommit: (n: CommitNotice) => void;
  private readonly emitDiagnostic: (d: Diagnostic) => void;
  private readonly emitReset: NonNullable<RunSite['emitReset']>;
  private readonly touched: NonNullable<RunSite['touched']>;

  private constructor(site: RunSite) {
    ({ root: this.root, runId: this.runId, dir: this.dir, opts: this.opts, emitCommit: this.emitCommit, emitDiagnostic: this.emitDiagnostic } = site);
    this.emitReset = site.emitReset ?? (() => undefined);
    this.touched = site.touched ?? (() => undefined);
    this.log = new EventLog(path.join(this.dir, EVENTS_FILE));
    this.lock = new OsRunLock(this.log.file, path.join(this.dir, WAITING_FILE), this.opts.lockTimeoutMs);
    this.state = emptyRunState(this.runId);
  }

  /** An existing run, loaded from its caches and log. */
  static open(site: RunSite): RunHandle {
    const h = new RunHandle(site);
    h.load();
    return h;
  }

  /** For a new run: the folder exists, the log is empty; seq 1 is appended by `create`. */
  static forNewRun(site: RunSite): RunHandle {
    return new RunHandle(site);
  }

  get exists(): boolean {
    return this.logSeq > 0;
  }

  /** True once this handle found its log gone: the store drops it and looks at the disk again. */
  get gone(): boolean {
    return this.goneFlag;
  }

  /** The seq of the last event folded from the log. */
  get lastSeq(): number {
    return this.logSeq;
  }

  private diagnose(message: string, file = this.log.file, line?: number): void {
    this.emitDiagnostic({ run_id: this.runId, file, ...(line !== undefined ? { line } : {}), message });
  }

  // ------------------------------------------------------------------ loading

  private load(): void {
    this.touched(this);
    if (!this.opts.readOnly) {
      removeStaleTempFiles(this.dir);
      removeStaleTempFiles(path.join(this.dir, CHECKPOINTS_DIR));
    }
    const fromSnapshot = this.tryLoadSnapshot();
    if (!fromSnapshot) this.resetToScratch();
    this.consumeNewSafely(undefined, false);
    // Every part must end at the log's seq: one cache ahead (run.json claiming events the log
    // does not hold) would make the next commit skip seqs. Trust the log.
    const parts = [this.state.header.last_event_seq, this.state.blackboard.last_event_seq, this.state.commandsSeq];
    if (fromSnapshot && parts.some((seq) => seq !== this.logSeq)) {
      this.diagnose(`The caches are ahead of the log (seq ${Math.max(...parts)} > ${this.logSeq}); rebuilt from the log.`);
      this.resetToScratch();
      this.consumeNew(undefined, false);
    }
    this.snapshotSeq = fromSnapshot ? Math.min(fromSnapshot, this.logSeq) : 0;
  }

  private resetToScratch(): void {
    this.state = emptyRunState(this.runId);
    this.logSeq = 0;
    this.lastEventId = undefined;
    this.damage = [];
    this.seqFloor = 0;
    this.format = undefined;
    this.log.seek(0, 0);
  }

  /** The log's own bookkeeping as events are folded: the run's format, and damage a repair accepted. */
  private noteLogEvent(event: EventRecord, line: number): void {
    if (event.type === EVENT.runCreated) this.format = runFormatOf(event);
    else if (event.type === EVENT.logRepaired) this.damage = damageAfterRepair(this.damage, line);
  }

  /** Starts from the caches when they agree with each other and the log; returns their seq. */
  private tryLoadSnapshot(): number | undefined {
    const run = readRunSnapshot(this.dir);
    const bb = readBlackboardSnapshot(this.dir);
    const idx = readLogIndex(this.dir);
    for (const [name, r] of [['run.json', run], ['blackboard.json', bb], ['index.json', idx]] as const) {
      if ('error' in r) this.diagnose(`Unreadable snapshot ${name}: ${r.error}; rebuilding from the log.`, path.join(this.dir, name));
    }
    if (!('value' in run) || !('value' in bb) || !('value' in idx)) return undefined;
    const i = idx.value;
    if (run.value.run_id !== this.runId) return undefined;
    if (run.value.last_event_seq < i.last_event_seq || bb.value.last_event_seq < i.last_event_seq) return undefined;
    // The caches describe this file only if its line at their offset is still their last event, and
    // it is the file they were written from: one replaced since (an editor's save, a restored copy)
    // may differ anywhere before the offset, so it is folded whole and its damage found.
    if (i.log_file && !sameFile(i.log_file, this.log.identity())) return undefined;
    if (i.last_event_seq > 0 && seqOfLine(this.log.lineBefore(i.log_offset, this.opts.maxLineBytes)) !== i.last_event_seq) return undefined;
    this.state = stateFromRecords(run.value, bb.value, { seq: i.last_event_seq, entries: i.commands });
    this.logSeq = i.last_event_seq;
    this.log.seek(i.log_offset, i.log_line);
    return i.last_event_seq;
  }

  // ------------------------------------------------------------------ reading the log

  private newSequencer(report: boolean): EventSequencer {
    return new EventSequencer(
      this.runId,
      this.logSeq + 1,
      this.opts.maxLineBytes,
      report ? (message, line) => this.diagnose(message, undefined, line) : undefined,
      (d) => this.damage.push(d),
    );
  }

  /**
   * Folds complete commits appended since the last read. Under the lock (`lockFd`, the lock's
   * descriptor) a torn tail is repaired: a crashed writer's fragment is cut off, but a complete
   * last event that lost only its newline (an editor's save) gets it back and is kept.
   * `collect: false` (loading) keeps no list of what was folded: a million parsed events held
   * to the end would all survive into the old generation for nothing.
   */
  private consumeNew(lockFd: number | undefined, collect = true): EventRecord[] {
    const folded: EventRecord[] = [];
    const seq = this.newSequencer(true);
    const onLine = (l: Parameters<Parameters<EventLog['readNew']>[0]>[0]) => {
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
    let torn = this.log.readNew(onLine);
    if (torn && lockFd !== undefined && this.restoreNewline(lockFd, torn, seq)) torn = this.log.readNew(onLine);
    const pending = seq.pendingStart;
    if (pending) {
      // The input ended inside a multi-event commit: not yet written (or torn), read it again later.
      const size = this.log.size();
      this.log.seek(pending.offset, pending.line - 1);
      torn = { offset: pending.offset, line: pending.line, bytes: size - pending.offset };
    }
    if (!torn) {
      this.torn = undefined;
    } else if (lockFd !== undefined) {
      // We hold the lock, so nobody is mid-write: the fragment is a crashed writer's.
      this.log.truncateTo(lockFd, torn.offset);
      if (!(this.torn?.offset === torn.offset && this.torn.reported)) {
        this.diagnose(`Torn write (${torn.bytes} bytes of an incomplete commit) repaired: truncated back to the last complete commit.`, undefined, torn.line);
      }
      this.torn = undefined;
    } else {
      const now = Date.now();
      if (this.torn?.offset !== torn.offset) this.torn = { offset: torn.offset, since: now, reported: false };
      else if (!this.torn.reported && now - this.torn.since >= this.opts.tornReportMs) {
        this.torn.reported = true;
        this.diagnose(`Torn line: ${torn.bytes} bytes of an incomplete commit for over ${this.opts.tornReportMs} ms; the next writer will cut it off.`, undefined, torn.line);
      }
    }
    return folded;
  }

  /**
   * A final line without its newline that is a complete, valid event ending a commit was written
   * whole and lost only its newline (an editor's "no newline at end of file"): it is put back,
   * never truncated. Under the lock only. Returns whether it did.
   */
  private restoreNewline(lockFd: number, torn: TornTail, seq: EventSequencer): boolean {
    if (torn.bytes > this.opts.maxLineBytes) return false;
    const text = this.log.readText(torn.offset, torn.bytes);
    if (!seq.wouldComplete({ text, line: torn.line, start: torn.offset, end: torn.offset + torn.bytes })) return false;
    this.log.append(lockFd, Buffer.from('\n'), this.opts.durability === 'fsync');
    this.diagnose('The last line had lost its newline (edited by hand?); it is a complete event and was kept, its newline restored.', undefined, torn.line);
    return true;
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

  /** The file now at the path cannot be read (a symlink, permissions): this handle ends, the store reports the run as unreadable. */
  private unreadableNow(e: NodeJS.ErrnoException): DomainError {
    const why = whyUnreadable(this.log.file, e);
    this.end(`The log was replaced and cannot be read: ${why}.`);
    return new DomainError('STORAGE_ERROR', `Cannot read run ${this.runId}: ${why}.`, { run_id: this.runId });
  }

  private markGone(): DomainError {
    this.end(`${this.log.file} was deleted while this process had the run open; the run is no longer served from it.`);
    return new DomainError('RUN_NOT_FOUND', `Run ${this.runId} is gone: its log ${this.log.file} was deleted.`, { run_id: this.runId });
  }

  /** This handle serves nothing more (said once): listeners drop what they hold of the run. */
  private end(why: string): void {
    if (this.goneFlag) return;
    this.goneFlag = true;
    this.diagnose(why);
    this.emitReset({ root: this.root, run_id: this.runId, last_seq: 0 });
  }

  /**
   * The log at the path is another file than the one read (replaced by rename: an editor's save,
   * `sed -i`, rsync, `git stash`; or the run deleted and created again): reload from it, and tell
   * listeners (told up to `told`: all that was folded, unless a locked attempt folded more since)
   * what it means for them (refold). Returns whether the new file holds everything this process
   * had folded.
   */
  private adoptReplacedLog(told: LogPoint = this.lastFolded()): boolean {
    const had = this.lastFolded();
    this.log.reopen();
    let rest: EventRecord[];
    try {
      rest = this.refold(told, `${this.log.file} was replaced by another program (an editor's save, git…)`, undefined, true);
    } catch (e) {
      throw this.unreadableNow(e as NodeJS.ErrnoException);
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
    this.consumeNew(lockFd, false);
    if (!this.holds(told)) {
      this.diagnose(
        `${what} and no longer holds the events this process had read or written up to seq ${told.seq}; ` +
          `reloaded from the file now at the path, which ends at seq ${this.logSeq}.`,
      );
      this.emitReset({ root: this.root, run_id: this.runId, last_seq: this.logSeq });
      return [];
    }
    return collect && this.logSeq > told.seq ? this.readEvents(told.seq + 1, this.logSeq) : [];
  }

  private lastFolded(): LogPoint {
    return { seq: this.logSeq, id: this.lastEventId };
  }

  /** Whether the log read holds the event at `p` (the same event: its id), or `p` is the empty start. */
  private holds(p: LogPoint): boolean {
    return p.seq === 0 || (this.logSeq >= p.seq && this.readEvents(p.seq, p.seq)[0]?.event_id === p.id);
  }

  /** Picks up lines other processes appended (no lock). Notifies listeners of what was folded. */
  catchUp(): EventRecord[] {
    if (this.closed || this.goneFlag) return [];
    try {
      // Nothing new and no torn tail to watch: done without opening the log (the watcher's poll
      // asks every run every second).
      if (!this.followPath() && !this.torn) return [];
    } catch (e) {
      if (e instanceof DomainError) return [];
      throw e;
    }
    this.touched(this);
    const folded = this.consumeNewSafely(undefined);
    if (folded.length > 0) this.notify(folded);
    return folded;
  }

  /** A torn line still pending, for the watcher to look again later. */
  get hasPendingTail(): boolean {
    return this.torn !== undefined && !this.torn.reported;
  }

  /** consumeNew, reading the log again from its start when it was rewritten under us (in place: it shrank). */
  private consumeNewSafely(lockFd: number | undefined, collect = true): EventRecord[] {
    try {
      return this.consumeNew(lockFd, collect);
    } catch (e) {
      if (!(e instanceof LogRewrittenError)) throw e;
      return this.refold(this.lastFolded(), `${e.file} ${e.what}`, lockFd, collect);
    }
  }

  // ------------------------------------------------------------------ writing

  private append(held: HeldLock, events: EventRecord[]): EventRecord[] {
    if (events.length === 0) return [];
    const batchEnd = events[events.length - 1].seq;
    const lines = events.map((e) => (events.length === 1 ? JSON.stringify(e) : JSON.stringify(withBatchEnd(e, batchEnd))));
    const data = Buffer.from(lines.join('\n') + '\n', 'utf8');
    try {
      this.log.append(held.fd, data, this.opts.durability === 'fsync');
    } catch (e) {
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
   */
  command<T>(
    stamp: CommandStamp | undefined,
    decide: (state: RunState, ctx: CommandContext) => EventRecord[],
    result: (applied: EventRecord[], state: RunState, ctx: CommandContext) => T,
  ): Promise<CommandOutcome<T>> {
    return this.locked(false, (held, notices) => {
      const ctx = this.commandContext();
      // A clock behind the log's time would judge leases by a past that other writers left: it leaves them be.
      if (!this.clockBehind(ctx)) notices.push(...this.append(held, decideExpireLeases(this.state, ctx)));
      if (stamp) {
        const repeat = findRepeat(this.state, stamp);
        if (repeat) return { repeat };
      }
      const applied = this.append(held, stampEvents(decide(this.state, ctx), stamp));
      notices.push(...applied);
      crashPoint('before-unlock');
      return { result: result(applied, this.state, ctx) };
    });
  }

  /**
   * The command's time: this process's clock, but never before the log's latest event. A writer
   * whose clock is behind would otherwise stamp the log out of order and hand out leases that the
   * other writers see as expired on arrival.
   */
  private commandContext(): CommandContext & { clock: number } {
    const clock = this.opts.clock();
    return { now: Math.max(clock, this.state.header.updated_at_ms), ids: this.opts.ids, clock };
  }

  /** True (and said once) when this process's clock is behind the log's latest event by more than CLOCK_SKEW_MS. */
  private clockBehind(ctx: { now: number; clock: number }): boolean {
    const behind = ctx.now - ctx.clock;
    if (behind <= CLOCK_SKEW_MS) return false;
    if (!this.reportedSkew) {
      this.reportedSkew = true;
      this.diagnose(
        `This process's clock is ${Math.round(behind / 1000)} s behind the run's latest event: it does not expire leases ` +
          '(others will), and stamps its events with the log\'s time. Check the machine\'s clock (NTP).',
      );
    }
    return true;
  }

  /** What this Runboard may not write: a run of a newer format, or a damaged log until it is repaired. */
  private assertWritable(): void {
    const format = this.format ?? (this.format = runFormatOf(this.readEvents(1, 1)[0]));
    if (format > RUN_FORMAT) {
      throw new DomainError(
        'RUN_FORMAT_UNSUPPORTED',
        `Run ${this.runId} was made by a newer Runboard (run format ${format}); this one writes format ${RUN_FORMAT} and only reads it. Update Runboard to change it.`,
        { run_id: this.runId, format, supported: RUN_FORMAT },
      );
    }
    if (this.damage.length > 0) throw this.damagedError();
  }

  private damagedError(): DomainError {
    const where = this.damage.slice(0, 5).map((d) => `line ${d.line}: ${d.message}`).join('; ');
    const more = this.damage.length > 5 ? ` (and ${this.damage.length - 5} more)` : '';
    return new DomainError(
      'RUN_DAMAGED',
      `Run ${this.runId} is read-only: ${this.log.file} has lines that cannot be folded — ${where}${more}. ` +
        `Reads fold around them. \`runboard repair ${this.runId}\` shows them and whether a cache or checkpoint can put back what they held ` +
          `(\`--restore\`); \`--accept\` records them as gone. Either way writes resume.`,
      { run_id: this.runId, damage: this.damageReport() },
    );
  }

  /** The damage found since the last repair, with the log's path. */
  damageReport(): (Damage & { file: string })[] {
    return this.damage.map((d) => ({ file: this.log.file, ...d }));
  }

  /**
   * The whole log read again from its first line (damage the caches cover is found only so), and
   * whether a cache or checkpoint can restore what the damage lost. What it finds is this run's
   * damage from now on: the run is read-only until it is repaired.
   */
  examineDamage(): { damage: (Damage & { file: string })[]; restore: RestorePlan | null } {
    this.catchUp();
    const { inspection, restore } = this.inspect();
    this.damage = inspection.damage;
    return { damage: this.damageReport(), restore };
  }

  private inspect(): { inspection: LogInspection; restore: RestorePlan | null } {
    const sources = restoreSources(this.dir);
    const inspection = inspectLog(this.log, this.runId, this.opts.maxLineBytes, seqsToCheck(sources));
    if (inspection.damage.length === 0) return { inspection, restore: null };
    const restore = planRestore(inspection, sources, (state, after) => this.readEvents(after + 1, this.logSeq, (e) => applyEvent(state, e)));
    return { inspection, restore };
  }

  /**
   * Repairs the damage in the whole log with one `context.log.repaired` event listing it, at a seq
   * above every seq in the file: the lines stay as they are, folding goes around them, and writes
   * resume. With `restore`, the event also carries what a cache or checkpoint from before the
   * damage holds and the fold around it lacks (RESTORE_UNAVAILABLE when none does). Returns the
   * damage, the restore plan, and the event (null when there was nothing to repair).
   */
  async repair(restore: boolean): Promise<{ damage: (Damage & { file: string })[]; restore: RestorePlan | null; event: EventRecord | null }> {
    return this.locked(
      false,
      (held, notices) => {
        const { inspection, restore: plan } = this.inspect();
        this.damage = inspection.damage;
        const damage = this.damageReport();
        if (damage.length === 0) return { damage, restore: null, event: null };
        const restored = restore ? plan : undefined;
        if (restored && !restored.available) throw restoreUnavailable(this.runId, restored.reason);
        const ctx = this.commandContext();
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
            damage: damage.map(({ file: _f, ...d }) => d),
            ...(restored?.available && restoresAnything(restored.restored, this.state.header) ? { restored: restored.restored } : {}),
          },
        };
        notices.push(...this.append(held, [event]));
        this.damage = [];
        return { damage, restore: plan, event };
      },
      { repairing: true },
    );
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
    for (let attempt = 1; ; attempt++) {
      const held = await this.lockOrFail(create);
      crashPoint('after-lock');
      const notices: EventRecord[] = [];
      try {
        if (!this.onFileAtPath(held)) continue;
        const told = this.lastFolded();
        notices.push(...this.consumeNewSafely(held.fd));
        if (!repairing) this.assertWritable();
        const readTo = this.logSeq;
        const out = body(held, notices);
        // One check, written or not: a body that wrote nothing must have answered from the file at the path too.
        if (compareAtPath(this.log.file, held.identity) !== 'same') {
          const wrote = this.logSeq > readTo;
          // The reload tells listeners what the file at the path holds after `told`: this attempt's notices are void.
          notices.length = 0;
          if (!this.reloadAfterReplace(told) || !wrote) throw new OnAnotherFile();
        }
        return out;
      } catch (e) {
        if (!(e instanceof OnAnotherFile)) throw e;
        if (attempt >= MAX_ATTEMPTS) {
          throw new DomainError('STORAGE_ERROR', `${this.log.file} was replaced ${attempt} times while Runboard wrote to it; nothing was recorded. Try again.`);
        }
      } finally {
        held.release();
        if (notices.length > 0) this.notify(notices);
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

  private notify(events: EventRecord[]): void {
    this.emitCommit({ root: this.root, run_id: this.runId, events, last_seq: this.logSeq });
    this.scheduleSnapshot();
  }

  private async lockOrFail(create = false): Promise<HeldLock> {
    if (this.goneFlag) throw this.markGone();
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

  /** Lease expiry for the server's timer: requeues what expired, under the lock. */
  async expireLeases(): Promise<void> {
    await this.command(undefined, () => [], () => undefined);
  }

  // ------------------------------------------------------------------ paged reads

  /** Events with from ≤ seq ≤ to, read from disk (the same checks as the fold). */
  readEvents(from: number, to: number, onEvent?: (e: EventRecord) => void): EventRecord[] {
    const out: EventRecord[] = [];
    if (to < from) return out;
    this.scan(from, this.log.offsetFor(from), (events) => {
      for (const e of events) {
        if (e.seq > to) return false;
        if (onEvent) onEvent(e);
        else out.push(e);
      }
      return events[events.length - 1].seq < to;
    });
    return out;
  }

  /**
   * A page for a reader that goes through the log in order: events with seq ≥ `from`, through the
   * end of the commit that holds seq `to`, read from byte `start` (where seq `from` begins, or 0),
   * with `next`, where the following page starts. Pages are read in one pass each, whatever the
   * log's length: a subscriber replaying a large log never reads it from its start again.
   */
  readPage(from: number, to: number, start = this.log.offsetFor(from)): { events: EventRecord[]; next: number } {
    const events: EventRecord[] = [];
    let next = start;
    this.scan(from, start, (commit, lineEnd) => {
      next = lineEnd;
      events.push(...commit);
      return commit[commit.length - 1].seq < to;
    });
    return { events, next };
  }

  /**
   * The log's commits from byte `start` (where seq `from` begins, or 0 to read from the top as a
   * fold would), each with its events of seq ≥ `from` and the end of its last line, until `visit`
   * returns false.
   */
  private scan(from: number, start: number, visit: (events: EventRecord[], lineEnd: number) => boolean): void {
    this.touched(this);
    const seq = new EventSequencer(this.runId, start === 0 ? 1 : from, this.opts.maxLineBytes);
    this.log.readRange(start, this.log.offset, (text, line, lineStart, lineEnd) => {
      const events = seq.push({ text, line, start: lineStart, end: lineEnd }).map((s) => s.event).filter((e) => e.seq >= from);
      return events.length === 0 || visit(events, lineEnd);
    });
  }

  // ------------------------------------------------------------------ caches

  private scheduleSnapshot(): void {
    const delay = this.opts.snapshotDelayMs;
    if (delay === null || this.snapshotTimer || this.closed || this.opts.readOnly) return;
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = undefined;
      this.writeSnapshotsNow();
    }, delay);
    this.snapshotTimer.unref();
  }

  /** Writes the caches when they are behind; errors become diagnostics. */
  writeSnapshotsNow(): void {
    if (this.opts.readOnly) return;
    // Never replace newer caches with older ones: catch up first, and leave caches another
    // process already wrote at (or past) our seq alone.
    if (!this.closed) this.catchUp();
    // A damaged run keeps its old caches: a load from them reads the damage again, and says so.
    if (this.damage.length > 0) return;
    if (!this.exists || stateSeq(this.state) <= this.snapshotSeq) return;
    const onDisk = readLogIndex(this.dir);
    if ('value' in onDisk && onDisk.value.last_event_seq >= stateSeq(this.state)) {
      this.snapshotSeq = stateSeq(this.state);
      return;
    }
    try {
      writeSnapshots(this.dir, this.state, this.log, this.opts.durability === 'fsync');
      this.snapshotSeq = stateSeq(this.state);
    } catch (e) {
      this.diagnose(`Cannot write the run's snapshot: ${(e as Error).message}`, path.join(this.dir, 'run.json'));
    }
  }

  /** Events folded since the caches were last written (or loaded). */
  get snapshotLag(): number {
    return this.logSeq - this.snapshotSeq;
  }

  /** Closes this run's descriptors while it is idle; they are opened again when it is next used. */
  releaseFiles(): void {
    this.log.release();
    this.lock.idle();
  }

  close(): void {
    if (this.closed) return;
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    this.snapshotTimer = undefined;
    if (this.opts.snapshotDelayMs !== null || this.snapshotLag >= this.opts.snapshotLagEvents) this.writeSnapshotsNow();
    this.closed = true;
    this.log.close();
    this.lock.close();
  }
}

/**
 * `{...rest, batch_end, payload}` built key by key: objects made by rest/spread stringify
 * about half as fast, and a 500-task batch stringifies 500 of them under the lock.
 */
function withBatchEnd(e: EventRecord, batchEnd: number): Record<string, unknown> {
  const src = e as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(src)) if (key !== 'payload') out[key] = src[key];
  out.batch_end = batchEnd;
  out.payload = e.payload;
  return out;
}

/** An event of the log, by seq and event_id (seq 0: before the first). */
interface LogPoint {
  seq: number;
  id: string | undefined;
}

/** The work under the lock was done on a file that is no longer at the log's path: do it again. */
class OnAnotherFile extends Error {}

/** How often a command is done again on a log that keeps being replaced under it. */
const MAX_ATTEMPTS = 5;

/** How far behind the log's latest event a writer's clock may be and still expire leases (RELIABILITY.md: clocks). */
const CLOCK_SKEW_MS = 5_000;

/** A run's format from its creation event (runs made before formats were recorded are format 1). */
function runFormatOf(created: EventRecord | undefined): number {
  const f = (created?.payload as { format?: unknown } | undefined)?.format;
  return typeof f === 'number' && Number.isInteger(f) && f > 0 ? f : 1;
}

/** The seq of a log line that parses as a record, else undefined. */
function seqOfLine(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as { seq?: unknown; event_seq?: unknown } | null;
    const seq = record?.seq ?? record?.event_seq; // upstream logs say event_seq (SPEC.md §1.7)
    return typeof seq === 'number' ? seq : undefined;
  } catch {
    return undefined;
  }
}
