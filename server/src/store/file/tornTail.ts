// A final line without its newline. When it is a complete event (an editor removed the newline)
// the lock holder puts the newline back, and a reader reads it once the file is still. Otherwise,
// to a reader it is "not yet written" (a writer may be in the middle of it) and is reported only
// once it has stayed for tornReportMs; a lock holder knows no Runboard writer is in the middle of
// it, so it cuts a fragment off (saying so unless it was said already) — once the file has been
// still for tornSettleMs: a program that ignores the lock (an editor saving in place, block by
// block) may be, and its next block would land on what was written meanwhile. Each torn line is
// reported once.
import * as fs from 'node:fs';
import type { EventLog, TornTail } from './eventLog';
import type { EventSequencer } from './eventSequencer';
import type { StoreOptions } from '../types';

type Report = (message: string, line: number) => void;

export class TornTailWatch {
  private seen: { offset: number; since: number; reported: boolean } | undefined;
  /** The file as a lock holder last saw it with a torn tail (size and mtime), and since when. */
  private lastLook: { stamp: string; since: number } | undefined;

  constructor(
    private readonly reportAfterMs: number,
    private readonly report: Report,
  ) {}

  /** Whether a torn line is being watched (a reader looks again even when the log did not grow). */
  get watching(): boolean {
    return this.seen !== undefined;
  }

  /** The log ends with a complete line. */
  clear(): void {
    this.seen = undefined;
  }

  /** A reader found `torn` at the end of the log at `now`; `report`: a fragment, said once it has stayed for reportAfterMs. */
  found(torn: TornTail, now: number, report: boolean): void {
    if (this.seen?.offset !== torn.offset) this.seen = { offset: torn.offset, since: now, reported: false };
    else if (report && !this.seen.reported && now - this.seen.since >= this.reportAfterMs) {
      this.seen.reported = true;
      this.report(
        `Torn line: ${torn.bytes} bytes of an incomplete commit for over ${this.reportAfterMs} ms; the next writer will cut it off.`,
        torn.line,
      );
    }
  }

  /**
   * Whether the file under the lock (`fd`) has been still for `settleMs` at `now`: its mtime that
   * long ago, or its size and mtime unchanged since this holder first saw them (a clock that
   * disagrees with the file system's only makes the wait longer).
   */
  still(fd: number, settleMs: number, now: number): boolean {
    const st = fs.fstatSync(fd);
    if (modifiedAgo(st, now) >= settleMs) return true;
    const stamp = `${st.size}:${st.mtimeMs}`;
    if (this.lastLook?.stamp !== stamp) {
      this.lastLook = { stamp, since: now };
      return false;
    }
    return now - this.lastLook.since >= settleMs;
  }

  /** A lock holder cut `torn` off. */
  cut(torn: TornTail): void {
    if (!(this.seen?.offset === torn.offset && this.seen.reported)) {
      this.report(
        `Torn write (${torn.bytes} bytes of an incomplete commit) repaired: truncated back to the last complete commit.`,
        torn.line,
      );
    }
    this.seen = undefined;
  }
}

/**
 * How long ago a file was modified, at `now` (Date.now()): in whole milliseconds, as `now` is — a
 * file written within this millisecond is not from the future. Negative only for a time ahead of
 * this clock (skew, a copied folder).
 */
export function modifiedAgo(st: Pick<fs.Stats, 'mtimeMs'>, now: number): number {
  return now - Math.floor(st.mtimeMs);
}

/**
 * A final line without its newline that is a complete, valid event ending a commit was written
 * whole and lost only its newline (an editor's "no newline at end of file"): its newline is put
 * back (under the lock, through `lockFd`), never truncated. Returns whether it was.
 */
export function restoreNewline(
  log: EventLog,
  lockFd: number,
  torn: TornTail,
  seq: EventSequencer,
  opts: Pick<StoreOptions, 'maxLineBytes' | 'durability'>,
): boolean {
  if (torn.bytes > opts.maxLineBytes) return false;
  const text = log.readText(torn.offset, torn.bytes);
  if (!seq.wouldComplete({ text, line: torn.line, start: torn.offset, end: torn.offset + torn.bytes })) return false;
  log.append(lockFd, Buffer.from('\n'));
  if (opts.durability === 'fsync') log.syncNow(lockFd);
  return true;
}

/**
 * A final line that is a complete event ending a commit followed by bytes that are no part of it
 * (its newline removed and something typed after it): no writer leaves that — a crashed writer's
 * fragment is a prefix of one line, and a complete line has its newline. The event is kept, its
 * newline put back, and the bytes after it go on a line of their own, which is damage (the run is
 * read-only until `repairRun`): cutting the whole tail lost an acknowledged event and handed its
 * seq out again. Returns the bytes' count, or 0 when the tail is not that.
 */
export function keepEventBeforeJunk(
  log: EventLog,
  lockFd: number,
  torn: TornTail,
  seq: EventSequencer,
  opts: Pick<StoreOptions, 'maxLineBytes' | 'durability'>,
): number {
  if (torn.bytes > opts.maxLineBytes) return 0;
  const bytes = Buffer.from(log.readText(torn.offset, torn.bytes), 'utf8');
  // The event's end is one of the last few closing braces; whole-line tails are restoreNewline's.
  for (let end = bytes.lastIndexOf(CLOSE_BRACE), tries = 0; end > 0 && tries < 16; end = bytes.lastIndexOf(CLOSE_BRACE, end - 1), tries++) {
    const head = bytes.subarray(0, end + 1);
    const rest = bytes.subarray(end + 1);
    if (rest.toString('utf8').trim() === '') continue;
    if (!seq.wouldComplete({ text: head.toString('utf8'), line: torn.line, start: torn.offset, end: torn.offset + head.length })) continue;
    log.truncateTo(lockFd, torn.offset + head.length);
    log.append(lockFd, Buffer.concat([Buffer.from('\n'), rest, Buffer.from('\n')]));
    if (opts.durability === 'fsync') log.syncNow(lockFd);
    return rest.length;
  }
  return 0;
}

const CLOSE_BRACE = 0x7d;
