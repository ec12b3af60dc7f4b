// Row 2: events committed in batches — `createTasks` with 100 tasks per call, one event per task,
// one write per call — against raw appends of the same bytes in the same chunks under the same
// kind of OS lock, alternating batch by batch. Throughput in events/s; goal: at least half of raw.
// The note also gives the bound no JSON store can pass: JSON.stringify of the same events alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventRecord } from '../contract/schemas/records';
import { benchStore, inTempDir, median, nowMs, ratioOf, Row, settle, timeSync } from './harness';
import { RawLockedAppender } from './rawAppend';
import { taskInputs } from './workload';
import type { RunHandle } from '../server/src/store/file/runHandle';

export interface BatchedSize {
  events: number;
  batch: number;
  rounds: number;
}

interface RoundResult {
  runboard: number;
  raw: number;
  stringifyOnly: number;
}

async function oneRound(size: BatchedSize): Promise<RoundResult> {
  return inTempDir('batched', async (dir) => {
    const store = benchStore(path.join(dir, 'root'));
    const raw = new RawLockedAppender(path.join(dir, 'raw'));
    const runId = 'batched';
    const commits = Math.ceil(size.events / size.batch);
    // Params are built before the clock starts: the caller's work, not the store's.
    const params = Array.from({ length: commits }, (_, i) => ({ run_id: runId, tasks: taskInputs(size.batch, i * size.batch) }));
    let runboardMs = 0;
    let rawMs = 0;
    let events = 0;
    try {
      await store.execute('createRun', { run_id: runId, objective: 'batched commits' });
      const log = ((await store.runIn(store.rootPaths()[0], runId)) as RunHandle).log;
      const fd = fs.openSync(log.file, 'r');
      try {
        await settle();
        for (const p of params) {
          const before = log.offset;
          const t0 = nowMs();
          const { tasks } = await store.execute('createTasks', p);
          runboardMs += nowMs() - t0;
          events += tasks.length;
          const chunk = Buffer.alloc(log.offset - before);
          fs.readSync(fd, chunk, 0, chunk.length, before);
          const t1 = nowMs();
          raw.append(chunk);
          rawMs += nowMs() - t1;
        }
      } finally {
        fs.closeSync(fd);
      }
      // The floor of any JSON log: encoding the same events, nothing else.
      const lines = fs
        .readFileSync(log.file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .slice(1);
      const records = lines.map((l) => JSON.parse(l) as EventRecord);
      const stringifyMs = timeSync(() => {
        for (const r of records) JSON.stringify(r);
      });
      const rate = (ms: number) => events / (ms / 1000);
      return { runboard: rate(runboardMs), raw: rate(rawMs), stringifyOnly: rate(stringifyMs) };
    } finally {
      store.close();
      raw.close();
    }
  });
}

export async function benchBatchedThroughput(size: BatchedSize): Promise<Row[]> {
  const rounds: RoundResult[] = [];
  for (let r = 0; r < size.rounds; r++) rounds.push(await oneRound(size));
  const runboard = median(rounds.map((r) => r.runboard));
  const raw = median(rounds.map((r) => r.raw));
  const stringifyOnly = median(rounds.map((r) => r.stringifyOnly));
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
      note:
        `${size.events} task.created events via createTasks vs lock+appendFileSync of the same chunks, interleaved; ` +
        `JSON.stringify of the same events alone: ${Math.round(stringifyOnly).toLocaleString('en-US')} events/s ` +
        `(ratio ${(stringifyOnly / raw).toFixed(3)} of raw); ${size.rounds} rounds`,
    },
  ];
}
