// When a run's caches (snapshots.ts) are written: about snapshotDelayMs after it changes — or, for a
// run whose caches take long to write (thousands of tasks, every command_id of its log), at least
// COST_FACTOR times as long as the last write took — and on close when they are behind. Never over
// caches another process already wrote at or past the same seq (newer caches are never replaced by
// older ones); errors become diagnostics.
import * as path from 'node:path';
import { INDEX_FILE, RUN_FILE } from '../../../../contract/layout';
import { RunState, stateSeq } from '../../engine/state';
import type { EventLog } from './eventLog';
import { FileStamp, sameStamp, stampAt } from './fileIdentity';
import { readLogIndex, writeSnapshots } from './snapshots';
import type { StoreOptions } from '../types';

/**
 * A write blocks its process (a server: every request) while it encodes and writes the caches; the
 * next one waits at least this many times as long, so caches take at most 1/COST_FACTOR of a
 * writer's time. A cold load then folds the few seconds of events since (bench row 6: a million
 * in 0.05 s from caches).
 */
export const COST_FACTOR = 50;

export class CacheWriter {
  /** The seq of the caches on disk, as far as this process knows. */
  private writtenSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  /** How long the last write took (ms). */
  private lastWriteMs = 0;
  /** index.json as this writer left it: while the file at the path is still that one, no other process wrote caches since. */
  private ownIndex: FileStamp | undefined;

  constructor(
    private readonly dir: string,
    private readonly opts: StoreOptions,
    private readonly report: (message: string, file: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The caches a load started from were at `seq`. */
  loadedAt(seq: number): void {
    this.writtenSeq = seq;
  }

  /** Events folded up to `seq` that the caches do not hold yet. */
  lag(seq: number): number {
    return seq - this.writtenSeq;
  }

  /** How long the next scheduled write waits: snapshotDelayMs, or COST_FACTOR times the last write's time when that is longer; null: never. */
  delayMs(): number | null {
    const delay = this.opts.snapshotDelayMs;
    return delay === null ? null : Math.max(delay, Math.ceil(COST_FACTOR * this.lastWriteMs));
  }

  /** `write` after delayMs() (once, however many changes come meanwhile). */
  schedule(write: () => void): void {
    const delay = this.delayMs();
    if (delay === null || this.timer || this.opts.readOnly) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      write();
    }, delay);
    this.timer.unref();
  }

  /** Writes the caches of `state` (read from `log`) when they are behind it. */
  write(state: RunState, log: Pick<EventLog, 'offset' | 'line' | 'identity'>, lastEventId: string | undefined): void {
    const seq = stateSeq(state);
    if (seq <= this.writtenSeq) return;
    const started = this.now();
    const indexFile = path.join(this.dir, INDEX_FILE);
    // Another process's caches are read (and left alone when as new — unless, at this seq, of another
    // event: written from an older copy of the log put back since); this writer's own it knows.
    if (!sameStamp(stampAt(indexFile), this.ownIndex)) {
      const onDisk = readLogIndex(this.dir);
      const i = 'value' in onDisk ? onDisk.value : undefined;
      const asNew =
        i !== undefined &&
        (i.last_event_seq > seq || (i.last_event_seq === seq && (lastEventId === undefined || i.last_event_id === lastEventId)));
      if (asNew) {
        this.writtenSeq = seq;
        return;
      }
    }
    try {
      writeSnapshots(this.dir, state, log, lastEventId, this.opts.durability === 'fsync');
      this.writtenSeq = seq;
      this.ownIndex = stampAt(indexFile);
    } catch (e) {
      this.report(`Cannot write the run's snapshot: ${(e as Error).message}`, path.join(this.dir, RUN_FILE));
    } finally {
      this.lastWriteMs = this.now() - started;
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
