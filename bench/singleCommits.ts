// Rows 1 and 3: one event per commit. Runboard: `appendEvent` through the RunStore facade (params
// check, lock, catch-up read, lease expiry, decide, one write, fold, unlock). Baseline: the very
// lines Runboard wrote, appended one by one under the same flock (appendFileSync; with fsync:
// write + fdatasync).
import * as path from 'node:path';
import { Durability } from '../server/src/store/types';
import { benchStore, inTempDir, median, ratioOf, Row, settle, timeAsync, timeSync } from './harness';
import { logLines, RawLockedAppender } from './rawAppend';
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
    const root = path.join(dir, 'root');
    const store = benchStore(root, { durability });
    const runId = 'single';
    let file: string;
    let runboardMs: number;
    try {
      await store.execute('createRun', { run_id: runId, objective: 'single commits' });
      for (let i = 0; i < size.warmup; i++) await store.execute('appendEvent', toolCallParams(runId, i));
      await settle();
      runboardMs = await timeAsync(async () => {
        for (let i = 0; i < size.commits; i++) await store.execute('appendEvent', toolCallParams(runId, size.warmup + i));
      });
      file = store.runHandle(store.rootPaths()[0], runId)!.log.file;
    } finally {
      store.close();
    }
    const lines = logLines(file).slice(-size.commits).map((l) => Buffer.from(l));
    const raw = new RawLockedAppender(path.join(dir, 'raw'));
    try {
      for (let i = 0; i < Math.min(size.warmup, lines.length); i++) raw.append(lines[i]);
      await settle();
      const rawMs = timeSync(() => {
        if (durability === 'fsync') for (const l of lines) raw.appendDurable(l);
        else for (const l of lines) raw.append(l);
      });
      return { runboardUs: (runboardMs * 1000) / size.commits, rawUs: (rawMs * 1000) / size.commits };
    } finally {
      raw.close();
    }
  });
}

async function measure(size: SingleCommitSize, durability: Durability): Promise<{ runboardUs: number; rawUs: number }> {
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
      note: `appendEvent vs flock+appendFileSync of the same line; ${size.commits} commits × ${size.rounds} rounds`,
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
      note: `appendEvent with fdatasync vs flock+write+fdatasync of the same line; ${size.commits} commits × ${size.rounds} rounds`,
    },
  ];
}
