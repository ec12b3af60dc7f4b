// Row 6: opening a big run cold — from its caches (run.json, blackboard.json, index.json) plus
// the log's tail after them — vs from the log alone. Goal: the cached open within 0.2 s.
import { bigRun, timeLoad, withoutCaches } from './bigRun';
import { median, ratioOf, Row, settle } from './harness';

export interface ColdLoadSize {
  events: number;
  /** Events in the log after the caches' seq. */
  tail: number;
  rounds: number;
}

const GOAL_S = 0.2;

export async function benchColdLoad(size: ColdLoadSize): Promise<Row[]> {
  const run = bigRun(size.events, size.tail);
  const cached: number[] = [];
  const logOnly: number[] = [];
  for (let r = 0; r < size.rounds; r++) {
    await settle();
    const fast = await timeLoad(run);
    if (fast.lastSeq !== run.fixture.events) throw new Error(`loaded to seq ${fast.lastSeq}, expected ${run.fixture.events}`);
    if (fast.diagnostics.length > 0) throw new Error(`the cached load reported: ${fast.diagnostics.join('; ')}`);
    cached.push(fast.ms / 1000);
    await settle();
    logOnly.push((await withoutCaches(run, () => timeLoad(run))).ms / 1000);
  }
  const value = median(cached);
  const baseline = median(logOnly);
  return [
    {
      name: `cold load, ${size.events.toLocaleString('en-US')} events`,
      value,
      unit: 's',
      baseline,
      ratio: ratioOf(value, baseline),
      goal: `≤ ${GOAL_S} s (baseline: log alone)`,
      pass: value <= GOAL_S,
      note: `caches + ${run.fixture.events - (run.fixture.snapshotSeq ?? 0)}-event tail vs the whole log; ${run.fixture.tasks} tasks; ${size.rounds} rounds`,
    },
  ];
}
