// Row 5: folding a log into the run's state (read, parse, check each event, apply) vs the bare
// minimum any reader pays: reading the same lines and JSON.parse of each. The fold is timed as
// a load from the log alone through the real store, so it is the code path a cold start runs.
import { EventLog } from '../server/src/store/file/eventLog';
import { bigRun, timeLoad, withoutCaches } from './bigRun';
import { median, ratioOf, Row, settle, timeSync } from './harness';

export interface ReplayFoldSize {
  events: number;
  rounds: number;
}

/** Reads every line of the log with the store's reader and JSON.parses it; returns lines parsed. */
function parseEveryLine(file: string): number {
  const log = new EventLog(file);
  let n = 0;
  try {
    log.readNew((l) => {
      JSON.parse(l.text);
      n++;
    });
  } finally {
    log.close();
  }
  return n;
}

export async function benchReplayFold(size: ReplayFoldSize): Promise<Row[]> {
  const run = bigRun(size.events, 1000);
  const foldRates: number[] = [];
  const parseRates: number[] = [];
  for (let r = 0; r < size.rounds; r++) {
    await settle();
    let lines = 0;
    const parseMs = timeSync(() => (lines = parseEveryLine(run.fixture.file)));
    parseRates.push(lines / (parseMs / 1000));
    await settle();
    const load = await withoutCaches(run, () => timeLoad(run));
    if (load.lastSeq !== run.fixture.events) throw new Error(`folded to seq ${load.lastSeq}, expected ${run.fixture.events}`);
    foldRates.push(load.lastSeq / (load.ms / 1000));
  }
  const fold = median(foldRates);
  const parse = median(parseRates);
  const ratio = ratioOf(fold, parse);
  return [
    {
      name: `replay fold, ${size.events.toLocaleString('en-US')} events`,
      value: fold,
      unit: 'events/s',
      baseline: parse,
      ratio,
      goal: 'ratio ≥ 0.5',
      pass: ratio >= 0.5,
      note: `load from the log alone (${(run.fixture.bytes / 1e6).toFixed(0)} MB, ${run.fixture.tasks} tasks) vs read + JSON.parse per line; ${size.rounds} rounds`,
    },
  ];
}
