// Moving a run (issue 19, item 7): a run travels as its events, one JSON line each — the file
// store's events.jsonl (PROTOCOL.md §Files). Export writes them as they are; import checks a file
// of them whole — every line an event of one run, seqs 1… without a gap, a run created first,
// nothing this Runboard cannot read — and makes the run with all of them as its first commit, so
// no process ever sees part of it. The store keeps its own rules: RUN_EXISTS when the board has
// the run. Mistakes name the line and the field (INVALID_PARAMS), and nothing is written.
import { EVENT, unknownToReader } from '../../../contract/events';
import { ParamsError, type ParamsIssue } from '../../../contract/paramsError';
import { EventRecord, EventRecordSchema } from '../../../contract/schemas/records';
import { issuesOf } from '../../../contract/schemas/params';
import { assertRunId } from '../engine/ids';

/** An event as an exported line: the record as the store holds it. */
export function exportLine(e: EventRecord): string {
  return JSON.stringify(e);
}

/** The events of an exported run, checked; ParamsError naming each bad line (`line 3.seq`). */
export function eventsOfExport(text: string): EventRecord[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const issues: ParamsIssue[] = [];
  const events: EventRecord[] = [];
  const at = (n: number, field?: string) => `line ${n}${field ? `.${field}` : ''}`;
  let seqsOff = false;
  lines.forEach((text, i) => {
    const n = i + 1;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      issues.push({ path: at(n), message: `not JSON (${(e as Error).message})` });
      return;
    }
    const parsed = EventRecordSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of issuesOf(parsed.error)) issues.push({ ...issue, path: at(n, issue.path) });
      return;
    }
    // The record as written, every field kept (the schema leaves out what it does not name).
    const e = raw as EventRecord;
    const first = events[0] ?? e;
    if (e.run_id !== first.run_id) issues.push({ path: at(n, 'run_id'), message: `${e.run_id}, but the run is ${first.run_id}` });
    // The first line out of step only: after a gap every line is, and saying each again hid the gap.
    if (e.seq !== n && !seqsOff) {
      seqsOff = true;
      const missing = e.seq > n ? ` (seq ${n}${e.seq > n + 1 ? `–${e.seq - 1}` : ''} missing)` : ' (a line repeated, or out of order)';
      issues.push({
        path: at(n, 'seq'),
        message: `${e.seq}, where seq ${n} belongs${missing}: seqs start at 1 and go up by one, line by line`,
      });
    }
    if (n === 1 && e.type !== EVENT.runCreated)
      issues.push({ path: at(n, 'type'), message: `a run starts with ${EVENT.runCreated}, not ${e.type}` });
    const unknown = unknownToReader(e);
    if (unknown) issues.push({ path: at(n, 'type'), message: unknown });
    events.push(e);
  });
  if (lines.length === 0) issues.push({ path: 'line 1', message: 'the file holds no events' });
  if (issues.length > 0) throw new ParamsError(issues.slice(0, 20));
  assertRunId(events[0].run_id);
  return events;
}
