// Reading a run's log by seq, in pages (listEvents, replay, a subscriber's catch-up): from the
// byte offset of a seq the fold indexed, or from the top, through the same sequencing as the fold,
// so a page holds whole commits and what the fold would apply.
import type { EventRecord } from '../../../../contract/schemas/records';
import type { EventLog } from './eventLog';
import { EventSequencer } from './eventSequencer';

export class LogPages {
  constructor(
    private readonly log: EventLog,
    private readonly runId: string,
    private readonly maxLineBytes: number,
    /** The run is about to read its log (the store keeps the number of runs with open files bounded). */
    private readonly touched: () => void,
  ) {}

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
    this.touched();
    const seq = new EventSequencer(this.runId, start === 0 ? 1 : from, this.maxLineBytes);
    this.log.readRange(start, this.log.offset, (text, line, lineStart, lineEnd) => {
      const events = seq
        .push({ text, line, start: lineStart, end: lineEnd })
        .map((s) => s.event)
        .filter((e) => e.seq >= from);
      return events.length === 0 || visit(events, lineEnd);
    });
  }
}
