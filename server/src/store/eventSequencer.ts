// Turns log lines into the events a fold may apply: parsed, checked, the next seq, and whole
// commits only. The events of one multi-event commit carry `batch_end` (the seq of its last
// event) and are released together, so neither a crash in the middle of a write nor a reader
// that looks during one ever sees part of a batch.
import { validateEventRecord } from '../engine/eventRecord';
import { EVENT, EventRecord } from '../engine/model';
import { LogLine } from './eventLog';

export interface Sequenced {
  event: EventRecord;
  /** Byte offset where the event's line starts. */
  start: number;
}

type Report = (message: string, line?: number) => void;

interface PendingBatch {
  items: Sequenced[];
  end: number;
  line: number;
}

export class EventSequencer {
  private pending: PendingBatch | undefined;

  constructor(
    private readonly runId: string,
    private nextSeq: number,
    private readonly maxLineBytes: number,
    private readonly report: Report = () => undefined,
  ) {}

  get next(): number {
    return this.nextSeq;
  }

  /** Where an incomplete batch at the end of the input begins, if the input ended inside one. */
  get pendingStart(): { offset: number; line: number; events: number } | undefined {
    const p = this.pending;
    return p && { offset: p.items[0].start, line: p.line, events: p.items.length };
  }

  /** Forgets an incomplete batch (it will be read again, or was cut off). */
  dropPending(): void {
    this.pending = undefined;
  }

  /**
   * Whether `l` (a final line that lacks only its newline) is an event this sequencer would fold
   * next, ending a commit: a complete last event that an editor's save stripped of its newline,
   * not a crashed writer's fragment. Reports nothing.
   */
  wouldComplete(l: LogLine): boolean {
    const e = this.parse(l, () => undefined);
    if (!e) return false;
    const p = this.pending;
    if (p) return e.seq === p.items[p.items.length - 1].event.seq + 1 && e.batch_end === p.end && e.seq === p.end;
    return e.seq === this.nextSeq && (e.batch_end === undefined || e.batch_end === e.seq) && (e.seq !== 1 || e.type === EVENT.runCreated);
  }

  /** The events this line completes: none, one, or a whole batch. */
  push(l: LogLine): Sequenced[] {
    const e = this.parse(l);
    if (this.pending) {
      const p = this.pending;
      const expected = p.items[p.items.length - 1].event.seq + 1;
      if (e && e.seq === expected && e.batch_end === p.end) {
        p.items.push({ event: e, start: l.start });
        if (e.seq < p.end) return [];
        this.pending = undefined;
        this.nextSeq = p.end + 1;
        return p.items;
      }
      this.report(`Incomplete commit of seqs ${p.items[0].event.seq}..${p.end} (lines ${p.line}–${l.line - 1}) skipped.`, p.line);
      this.pending = undefined;
    }
    if (!e) return [];
    if (e.seq !== this.nextSeq) {
      this.report(`Event seq ${e.seq} ${e.seq < this.nextSeq ? 'repeats' : 'skips ahead'} (expected ${this.nextSeq}); not folded.`, l.line);
      return [];
    }
    if (this.nextSeq === 1 && e.type !== EVENT.runCreated) {
      this.report(`The first event must be ${EVENT.runCreated}, not ${e.type}; not folded.`, l.line);
      return [];
    }
    if (e.batch_end !== undefined && e.batch_end > e.seq) {
      this.pending = { items: [{ event: e, start: l.start }], end: e.batch_end, line: l.line };
      return [];
    }
    this.nextSeq = e.seq + 1;
    return [{ event: e, start: l.start }];
  }

  private parse(l: LogLine, report: Report = this.report): EventRecord | undefined {
    if (l.text.trim() === '') return undefined;
    if (l.end - l.start > this.maxLineBytes) {
      report(`Line of ${l.end - l.start} bytes is over the ${this.maxLineBytes}-byte limit; skipped.`, l.line);
      return undefined;
    }
    let value: unknown;
    try {
      value = JSON.parse(l.text);
    } catch (err) {
      report(`Malformed line skipped: ${(err as Error).message}`, l.line);
      return undefined;
    }
    const e = validateEventRecord(value, this.runId);
    if (typeof e === 'string') {
      report(`Invalid event skipped: ${e}`, l.line);
      return undefined;
    }
    if (e.batch_end !== undefined && (e.batch_end < e.seq || e.batch_end > e.seq + 100_000)) {
      report(`Invalid event skipped: batch_end ${e.batch_end} does not fit seq ${e.seq}`, l.line);
      return undefined;
    }
    return e;
  }
}
