// When a run's caches (snapshots.ts) are written: about snapshotDelayMs after it changes, and on
// close when they are behind. Never over caches another process already wrote at or past the same
// seq (newer caches are never replaced by older ones); errors become diagnostics.
import * as path from 'node:path';
import { RUN_FILE } from '../../../../contract/layout';
import { RunState, stateSeq } from '../../engine/state';
import type { EventLog } from './eventLog';
import { readLogIndex, writeSnapshots } from './snapshots';
import type { StoreOptions } from '../types';

export class CacheWriter {
  /** The seq of the caches on disk, as far as this process knows. */
  private writtenSeq = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly opts: StoreOptions,
    private readonly report: (message: string, file: string) => void,
  ) {}

  /** The caches a load started from were at `seq`. */
  loadedAt(seq: number): void {
    this.writtenSeq = seq;
  }

  /** Events folded up to `seq` that the caches do not hold yet. */
  lag(seq: number): number {
    return seq - this.writtenSeq;
  }

  /** `write` in about snapshotDelayMs (once, however many changes come meanwhile). */
  schedule(write: () => void): void {
    const delay = this.opts.snapshotDelayMs;
    if (delay === null || this.timer || this.opts.readOnly) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      write();
    }, delay);
    this.timer.unref();
  }

  /** Writes the caches of `state` (read from `log`) when they are behind it. */
  write(state: RunState, log: Pick<EventLog, 'offset' | 'line' | 'identity'>): void {
    const seq = stateSeq(state);
    if (seq <= this.writtenSeq) return;
    const onDisk = readLogIndex(this.dir);
    if ('value' in onDisk && onDisk.value.last_event_seq >= seq) {
      this.writtenSeq = seq;
      return;
    }
    try {
      writeSnapshots(this.dir, state, log, this.opts.durability === 'fsync');
      this.writtenSeq = seq;
    } catch (e) {
      this.report(`Cannot write the run's snapshot: ${(e as Error).message}`, path.join(this.dir, RUN_FILE));
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
