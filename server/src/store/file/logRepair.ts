// What `repairRun` works from: the whole log read again from its first line (damage in the part
// the caches cover is found only so), and whether a cache or checkpoint written before the damage
// can restore what it lost (the difference itself is the engine's: logRestore.ts).
import { DomainError } from '../../engine/errors';
import { Restored, restoreDiff, RestoreSummary } from '../../engine/logRestore';
import { RestoreOffer } from '../../../../contract/results';
import { applyEvent, emptyRunState, RunState, stateFromRecords, stateSeq } from '../../engine/state';
import { listCheckpoints, readCheckpointFile } from './checkpoints';
import { EventLog } from './eventLog';
import { Damage, EventSequencer } from './eventSequencer';
import { readBlackboardSnapshot, readLogIndex, readRunSnapshot } from './snapshots';
import { EVENT } from '../../../../contract/events';
import type { EventRecord } from '../../../../contract/schemas/records';

/**
 * The damaged lines the `context.log.repaired` events read so far accepted: the lines each lists and
 * its own (the seqs its seq skips: a repair goes above every seq a line holds), or — an older repair
 * that lists none — every line up to it. A line damaged since, before a repair, is no line it
 * listed: damage again (until this change it was taken as repaired too, and said nowhere).
 */
export class AcceptedDamage {
  private readonly lines = new Set<number>();
  private through = 0;

  /** A repair event read at `line`. */
  add(repair: EventRecord, line: number): void {
    const listed = (repair.payload as { damage?: unknown } | undefined)?.damage;
    if (!Array.isArray(listed)) {
      this.through = line;
      return;
    }
    for (const d of listed) if (typeof (d as { line?: unknown }).line === 'number') this.lines.add((d as { line: number }).line);
    this.lines.add(line);
  }

  has(line: number): boolean {
    return line <= this.through || this.lines.has(line);
  }

  /** The damage these repairs leave. */
  left(damage: Damage[]): Damage[] {
    return damage.filter((d) => !this.has(d.line));
  }
}

/** Where an event was found, and what a cache or checkpoint taken at it must agree with. */
interface EventMark {
  line: number;
  revision: number;
  ts_ms: number;
}

export interface LogInspection {
  /** The log folded from its first line, around its damage. */
  folded: RunState;
  /** The damage no repair has accepted yet. */
  damage: Damage[];
  /** The highest seq of any line, readable or not. */
  maxSeq: number;
  /** The events at the seqs asked about. */
  marks: Map<number, EventMark>;
}

/** Reads `log` from its first line to the end this process has read, as a fresh load without caches would. */
export function inspectLog(log: EventLog, runId: string, maxLineBytes: number, watch: Set<number>): LogInspection {
  const folded = emptyRunState(runId);
  let damage: Damage[] = [];
  const accepted = new AcceptedDamage();
  const marks = new Map<number, EventMark>();
  const seq = new EventSequencer(runId, 1, maxLineBytes, undefined, (d) => damage.push(d));
  log.readRange(0, log.offset, (text, line, start, end) => {
    for (const { event } of seq.push({ text, line, start, end })) {
      applyEvent(folded, event);
      if (event.type === EVENT.logRepaired) {
        accepted.add(event, line);
        damage = accepted.left(damage);
      }
      if (watch.has(event.seq)) marks.set(event.seq, { line, revision: event.revision, ts_ms: event.ts_ms });
    }
  });
  return { folded, damage, maxSeq: seq.maxSeqSeen, marks };
}

/** A state kept beside the log that may predate its damage. */
export interface RestoreSource {
  from: Restored['from'];
  checkpoint_id?: string;
  label: string;
  state: RunState;
}

/** The caches first (they carry the command index), then readable checkpoints, newest first. */
export function restoreSources(runDir: string, runId: string): RestoreSource[] {
  const out: RestoreSource[] = [];
  const run = readRunSnapshot(runDir);
  const bb = readBlackboardSnapshot(runDir);
  const idx = readLogIndex(runDir);
  if ('value' in run && 'value' in bb && 'value' in idx) {
    out.push({
      from: 'cache',
      label: 'the caches',
      state: stateFromRecords(run.value, bb.value, { seq: idx.value.last_event_seq, entries: idx.value.commands }),
    });
  }
  for (const c of listCheckpoints(runDir, runId).reverse()) {
    if (c.unreadable) continue;
    try {
      const cp = readCheckpointFile(c.file, runId);
      const state = stateFromRecords(cp.run, cp.blackboard);
      // A checkpoint keeps no command index: it says nothing about commands (the log's index stands;
      // the lost commands' ids stay unknown), and no event is folded into an index it lacks.
      state.commandsSeq = Infinity;
      out.push({ from: 'checkpoint', checkpoint_id: cp.checkpoint_id, label: `checkpoint ${cp.checkpoint_id}`, state });
    } catch {
      // Gone or damaged since it was listed: not a source.
    }
  }
  return out;
}

/** The seqs whose events `planRestore` checks the sources against. */
export function seqsToCheck(sources: RestoreSource[]): Set<number> {
  return new Set(sources.flatMap((s) => [stateSeq(s.state), s.state.header.last_event_seq]));
}

export type RestorePlan =
  { available: true; source: RestoreSource; restored: Restored; summary: RestoreSummary } | { available: false; reason: string };

/**
 * The first source that holds the state from before every damaged line, carried forward over the
 * intact events after it (`carryForward` folds the log's events past a seq into a state).
 */
export function planRestore(
  inspection: LogInspection,
  sources: RestoreSource[],
  carryForward: (state: RunState, afterSeq: number) => void,
): RestorePlan {
  if (sources.length === 0) return { available: false, reason: 'there are no caches or checkpoints beside the log' };
  const reasons: string[] = [];
  for (const source of sources) {
    const why = whyNotBefore(inspection, source.state);
    if (why) {
      reasons.push(`${source.label}: ${why}`);
      continue;
    }
    // The seq the source holds its state at, before it is carried forward.
    const seq = stateSeq(source.state);
    carryForward(source.state, seq);
    const diff = restoreDiff(inspection.folded, source.state, { from: source.from, checkpoint_id: source.checkpoint_id, seq });
    if ('reason' in diff) {
      reasons.push(`${source.label}: ${diff.reason}`);
      continue;
    }
    return { available: true, source, ...diff };
  }
  return { available: false, reason: reasons.join('; ') };
}

/** Why `state` is not this log's state from before all of its damage, or undefined when it is. */
function whyNotBefore(inspection: LogInspection, state: RunState): string | undefined {
  const seq = stateSeq(state);
  const h = state.header;
  if (seq === 0) return 'it holds no events';
  const at = inspection.marks.get(h.last_event_seq);
  const from = inspection.marks.get(seq);
  if (!at || !from) return `the log has no intact event at seq ${at ? seq : h.last_event_seq}`;
  // The event it was taken at must be the one the log holds there: not another history's (a log
  // replaced by an older copy, caches from another clone).
  if (at.revision !== h.revision || at.ts_ms !== h.updated_at_ms) return `it does not match the log's event at seq ${h.last_event_seq}`;
  const later = inspection.damage.find((d) => d.line > from.line || (d.missing?.[1] ?? 0) > seq);
  if (later) return `the damage at line ${later.line} comes after it (it was taken at seq ${seq}, line ${from.line})`;
  return undefined;
}

/** The error for a restore that no cache or checkpoint can do. */
export function restoreUnavailable(runId: string, reason: string): DomainError {
  return new DomainError(
    'RESTORE_UNAVAILABLE',
    `Run ${runId}: no cache or checkpoint holds the state from before its damage (${reason}). ` +
      `\`runboard repair ${runId} --accept\` records the damaged lines as gone instead.`,
    { run_id: runId, reason },
  );
}

/** The plan as repairRun's result says it. */
export function restoreOffer(plan: RestorePlan | null): RestoreOffer | null {
  if (!plan) return null;
  if (!plan.available) return { available: false, reason: plan.reason };
  const { from, checkpoint_id, seq } = plan.restored;
  return { available: true, from, ...(checkpoint_id !== undefined ? { checkpoint_id } : {}), seq, ...plan.summary };
}
