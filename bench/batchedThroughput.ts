// Row 2: events committed in batches — `createTasks` with 100 tasks per call, one event per task,
// one write per call — against raw appends of the same bytes in the same chunks under the same
// flock. Throughput in events/s; goal: at least half of raw.
import * as path from 'node:path';
import { benchStore, inTempDir, median, ratioOf, Row, settle, timeAsync, timeSync } from './harness';
import { logLines, RawLockedAppender } from './rawAppend';
import { taskInputs } from './workload';

export interface BatchedSize {
  events: number;
  batch: number;
  rounds: number;
}

async function oneRound(size: BatchedSize): Promise<{ runboard: number; raw: number }> {
  return inTempDir('batched', async (dir) => {
    const root = path.join(dir, 'root');
    const store = benchStore(root);
    const runId = 'batched';
    const commits = Math.ceil(size.events / size.batch);
    // Params are built before the clock starts: the caller's work, not the store's.
    const params = Array.from({ length: commits }, (_, i) => ({ run_id: runId, tasks: taskInputs(size.batch, i * size.batch) }));
    let file: string;
    let ms: number;
    try {
      await store.execute('createRun', { run_id: runId, objective: 'batched commits' });
      await settle();
      ms = await timeAsync(async () => {
        for (const p of params) await store.execute('createTasks', p);
      });
      file = store.runHandle(store.rootPaths()[0], runId)!.log.file;
    } finally {
      store.close();
    }
    const lines = logLines(file, 1);
    const chunks: Buffer[] = [];
    for (let i = 0; i < lines.length; i += size.batch) chunks.push(Buffer.from(lines.slice(i, i + size.batch).join('')));
    const raw = new RawLockedAppender(path.join(dir, 'raw'));
    try {
      await settle();
      const rawMs = timeSync(() => {
        for (const c of chunks) raw.append(c);
      });
      return { runboard: lines.length / (ms / 1000), raw: lines.length / (rawMs / 1000) };
    } finally {
      raw.close();
    }
  });
}

export async function benchBatchedThroughput(size: BatchedSize): Promise<Row[]> {
  const rounds = [];
  for (let r = 0; r < size.rounds; r++) rounds.push(await oneRound(size));
  const runboard = median(rounds.map((r) => r.runboard));
  const raw = median(rounds.map((r) => r.raw));
  const ratio = ratioOf(runboard, raw);
  return [
    {
      name: `commit throughput, batches of ${size.batch}`,
      value: runboard,
      unit: 'events/s',
      baseline: raw,
      ratio,
      goal: 'ratio ≥ 0.5',
      pass: ratio >= 0.5,
      note: `${size.events} task.created events via createTasks vs flock+appendFileSync of the same chunks; ${size.rounds} rounds`,
    },
  ];
}
