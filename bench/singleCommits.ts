// Rows 1 and 3: one event per commit. Runboard: `appendEvent` through the RunService facade (params
// check, lock, catch-up read, lease expiry, decide, one write, fold, unlock). Baseline: the very
// line Runboard wrote, appended under the same kind of OS lock (appendFileSync; with fsync: write +
// fdatasync). The two alternate commit by commit, so a busy disk or CPU slows both alike.
import * as path from 'node:path';
import type { Durability } from '../contract/limits';
import { benchStore, inTempDir, median, nowMs, ratioOf, Row, settle } from './harness';
import { RawLockedAppender } from './rawAppend';
import { toolCallParams } from './workload';

export interface SingleCommitSize {
  commits: number;
  warmup: number;
  rounds: number;
}

interface RoundResult {
  runboardUs: number;
  rawUs: number;
}

async function oneRound(size: SingleCommitSize, durability: Durability): Promise<RoundResult> {
  return inTempDir('single', async (dir) => {
    const store = benchStore(path.join(dir, 'root'), { durability });
    const raw = new RawLockedAppender(path.join(dir, 'raw'));
    const runId = 'single';
    try {
      await store.execute('createRun', { run_id: runId, objective: 'single commits' });
      let runboardMs = 0;
      let rawMs = 0;
      for (let i = 0; i < size.warmup + size.commits; i++) {
        if (i === size.warmup) await settle();
        const t0 = nowMs();
        const { event } = await store.execute('appendEvent', toolCallParams(runId, i));
        const t1 = nowMs();
        // The same bytes as the line just written (a JSON round trip is stable).
        const line = Buffer.from(JSON.stringify(event) + '\n');
        const t2 = nowMs();
        if (durability === 'fsync') raw.appendDurable(line);
        else raw.append(line);
        const t3 = nowMs();
        if (i >= size.warmup) {
          runboardMs += t1 - t0;
          rawMs += t3 - t2;
        }
      }
      return { runboardUs: (runboardMs * 1000) / size.commits, rawUs: (rawMs * 1000) / size.commits };
    } finally {
      store.close();
      raw.close();
    }
  });
}

async function measure(size: SingleCommitSize, durability: Durability): Promise<RoundResult> {
  const rounds: RoundResult[] = [];
  for (let r = 0; r < size.rounds; r++) rounds.push(await oneRound(size, durability));
  return { runboardUs: median(rounds.map((r) => r.runboardUs)), rawUs: median(rounds.map((r) => r.rawUs)) };
}

/** Row 1: durability none, goal ratio ≤ 3. */
export async function benchCommitLatency(size: SingleCommitSize): Promise<Row[]> {
  const m = await measure(size, 'none');
  const ratio = ratioOf(m.runboardUs, m.rawUs);
  return [
    {
      name: 'commit latency, single event (none)',
      value: m.runboardUs,
      unit: 'µs/commit',
      baseline: m.rawUs,
      ratio,
      goal: 'ratio ≤ 3',
      pass: ratio <= 3,
      note: `appendEvent vs lock+appendFileSync of the same line, interleaved; ${size.commits} commits × ${size.rounds} rounds`,
    },
  ];
}

/** Row 3: fsync per commit, goal ratio ≤ 1.5. */
export async function benchDurableCommits(size: SingleCommitSize): Promise<Row[]> {
  const m = await measure(size, 'fsync');
  const ratio = ratioOf(m.runboardUs, m.rawUs);
  return [
    {
      name: 'durable commit, single event (fsync)',
      value: m.runboardUs,
      unit: 'µs/commit',
      baseline: m.rawUs,
      ratio,
      goal: 'ratio ≤ 1.5',
      pass: ratio <= 1.5,
      note: `appendEvent with fdatasync vs lock+write+fdatasync of the same line, interleaved; ${size.commits} commits × ${size.rounds} rounds`,
    },
  ];
}
