// A final line without its newline. When it is a complete event (an editor removed the newline)
// the lock holder puts the newline back. Otherwise, to a reader it is "not yet written" (a writer may be in the
// middle of it) and is reported only once it has stayed for tornReportMs; a lock holder knows no
// one is writing, so it cuts a fragment off (saying so unless it was said already). Each torn
// line is reported once.
import type { EventLog, TornTail } from './eventLog';
import type { EventSequencer } from './eventSequencer';
import type { StoreOptions } from '../types';

type Report = (message: string, line: number) => void;

export class TornTailWatch {
  private seen: { offset: number; since: number; reported: boolean } | undefined;

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

  /** A reader found `torn` at the end of the log at `now`. */
  found(torn: TornTail, now: number): void {
    if (this.seen?.offset !== torn.offset) this.seen = { offset: torn.offset, since: now, reported: false };
    else if (!this.seen.reported && now - this.seen.since >= this.reportAfterMs) {
      this.seen.reported = true;
      this.report(
        `Torn line: ${torn.bytes} bytes of an incomplete commit for over ${this.reportAfterMs} ms; the next writer will cut it off.`,
        torn.line,
      );
    }
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
