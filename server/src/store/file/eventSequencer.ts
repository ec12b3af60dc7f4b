// Turns log lines into the events a fold may apply: parsed, checked, the next seq, and whole
// commits only. The events of one multi-event commit carry `batch_end` (the seq of its last
// event) and are released together, so neither a crash in the middle of a write nor a reader
// that looks during one ever sees part of a batch.
//
// Damage — a complete line that cannot be folded (malformed, invalid, a repeated seq, part of a
// commit cut short) or seqs missing before a line — is reported and folded around: the events
// after it still count, with the seqs they carry. Every reader of the log (loads, catch-ups, paged
// reads) sequences it the same way. The store makes a damaged run read-only until it is repaired.
import { validateEventRecord } from '../../engine/eventRecord';
import { EventRecord } from '../../../../contract/schemas/records';
import { LogLine } from './eventLog';
import { EVENT } from '../../../../contract/events';
import { LIMITS } from '../../../../contract/limits';
import { parseLogLine } from './logLine';

export interface Sequenced {
  event: EventRecord;
  /** Byte offset where the event's line starts. */
  start: number;
}

type Report = (message: string, line?: number) => void;

/** Something in the log that could not be folded: at `line` (1-based), or the seqs missing before it. */
export interface Damage {
  line: number;
  /** Seqs no line holds any more (from, to), when seqs are missing before `line`. */
  missing?: [number, number];
  message: string;
  /** The line repeats the event folded just before it (its event_id): nothing it held is lost. */
  duplicate?: true;
}

/**
 * A seq in a line that could not be parsed, as far as it can be read: the seq rule never reuses it.
 * One above any seq an event may carry is no seq (the rule would have writes go on past it).
 */
function seqInText(text: string): number | undefined {
  const m = /"seq"\s*:\s*(\d{1,16})/.exec(text);
  return m && Number(m[1]) <= LIMITS.seq ? Number(m[1]) : undefined;
}

interface PendingBatch {
  items: Sequenced[];
  end: number;
  line: number;
}

export class EventSequencer {
  private pending: PendingBatch | undefined;
  /** The highest seq of any line read, folded or not. */
  maxSeqSeen = 0;

  constructor(
    private readonly runId: string,
    private nextSeq: number,
    private readonly maxLineBytes: number,
    private readonly report: Report = () => undefined,
    private readonly onDamage: (d: Damage) => void = () => undefined,
    /** Why this reader cannot fold a well-formed event (the run format rule: runReader.ts), or undefined. */
    private readonly unknown: (e: EventRecord) => string | undefined = () => undefined,
    /** The event_id of the event at nextSeq − 1, when known (a reader reading on from it): a line that repeats it is a doubled line. */
    private lastFoldedId?: string,
  ) {}

  private damaged(line: number, message: string, more: Pick<Damage, 'missing' | 'duplicate'> = {}): void {
    this.report(message, line);
    this.onDamage({ line, message, ...more });
  }

  /** Where an incomplete batch at the end of the input begins, if the input ended inside one. */
  get pendingStart(): { offset: number; line: number } | undefined {
    const p = this.pending;
    return p && { offset: p.items[0].start, line: p.line };
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
    // A blank line (an editor's, inside a commit too) holds nothing and breaks nothing.
    if (l.text.trim() === '') return [];
    const e = this.parse(l);
    if (e && e.seq > this.maxSeqSeen) this.maxSeqSeen = e.seq;
    if (this.pending) {
      const p = this.pending;
      const expected = p.items[p.items.length - 1].event.seq + 1;
      if (e && e.seq === expected && e.batch_end === p.end) {
        p.items.push({ event: e, start: l.start });
        if (e.seq < p.end) return [];
        this.pending = undefined;
        this.nextSeq = p.end + 1;
        this.lastFoldedId = e.event_id;
        return p.items;
      }
      this.damaged(p.line, `Incomplete commit of seqs ${p.items[0].event.seq}..${p.end} (lines ${p.line}–${l.line - 1}) skipped.`);
      this.pending = undefined;
    }
    if (!e) return [];
    if (e.seq < this.nextSeq) {
      // A copy of the line before (an editor's or a merge's doubling) loses nothing: said so, for the repair's offer.
      if (e.seq === this.nextSeq - 1 && e.event_id === this.lastFoldedId) {
        this.damaged(l.line, `Event seq ${e.seq} is written twice: this line repeats the event before it; not folded (nothing is lost).`, {
          duplicate: true,
        });
      } else this.damaged(l.line, `Event seq ${e.seq} repeats (expected ${this.nextSeq}); not folded.`);
      return [];
    }
    if (e.seq === 1 && e.type !== EVENT.runCreated) {
      this.report(`The first event must be ${EVENT.runCreated}, not ${e.type}; not folded.`, l.line);
      return [];
    }
    if (e.seq > this.nextSeq) {
      // Folded around the hole: what comes after it still counts.
      this.damaged(l.line, `Seqs ${this.nextSeq}..${e.seq - 1} are missing before this line (seq ${e.seq}); folded around them.`, {
        missing: [this.nextSeq, e.seq - 1],
      });
    }
    if (e.batch_end !== undefined && e.batch_end > e.seq) {
      this.pending = { items: [{ event: e, start: l.start }], end: e.batch_end, line: l.line };
      this.nextSeq = e.seq;
      return [];
    }
    this.nextSeq = e.seq + 1;
    this.lastFoldedId = e.event_id;
    return [{ event: e, start: l.start }];
  }

  /** The line's event, or undefined (reported as damage, unless a dry run passes its own `report`). */
  private parse(l: LogLine, report?: Report): EventRecord | undefined {
    if (l.text.trim() === '') return undefined;
    const bad = (message: string): undefined => {
      if (report) report(message, l.line);
      else {
        const seq = seqInText(l.text);
        if (seq !== undefined && seq > this.maxSeqSeen) this.maxSeqSeen = seq;
        this.damaged(l.line, message);
      }
      return undefined;
    };
    if (l.end - l.start > this.maxLineBytes)
      return bad(`Line of ${l.end - l.start} bytes is over the ${this.maxLineBytes}-byte limit; skipped.`);
    let value: unknown;
    try {
      value = parseLogLine(l.text);
    } catch (err) {
      return bad(`Malformed line skipped: ${(err as Error).message}`);
    }
    const e = validateEventRecord(value, this.runId);
    if (typeof e === 'string') return bad(`Invalid event skipped: ${e}`);
    const unknown = this.unknown(e);
    if (unknown !== undefined) return bad(`Event not folded: ${unknown}`);
    if (e.batch_end !== undefined && (e.batch_end < e.seq || e.batch_end > e.seq + 100_000)) {
      return bad(`Invalid event skipped: batch_end ${e.batch_end} does not fit seq ${e.seq}`);
    }
    return e;
  }
}
