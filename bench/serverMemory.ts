// Row 9: the server's resident memory with many runs loaded — 100 runs × 10 000 events, folded
// from their logs (no caches: the costlier way in) — against the same server with none loaded.
import * as path from 'node:path';
import { writeFixtureRun } from './fixture';
import { inTempDir, Row, settle } from './harness';
import { BenchServer } from './serverClient';

export interface ServerMemorySize {
  runs: number;
  events: number;
}

const GOAL_MB = 200;

export async function benchServerMemory(size: ServerMemorySize): Promise<Row[]> {
  return inTempDir('memory', async (dir) => {
    const root = path.join(dir, 'root');
    for (let i = 0; i < size.runs; i++) writeFixtureRun(root, { runId: `run-${String(i).padStart(3, '0')}`, events: size.events });
    const server = await BenchServer.start([root], ['--durability', 'none']);
    try {
      await settle(500);
      const idle = server.memory();
      const { runs } = await server.call<{ runs: { last_event_seq: number }[] }>('runboard/listRuns', { limit: 1000 });
      // ≥: each fixture ends with a claimed task whose lease has long expired, which the server's
      // lease timer requeues (one more event, then a cache write a second later).
      const loaded = runs.filter((r) => r.last_event_seq >= size.events).length;
      if (loaded !== size.runs) throw new Error(`the server loaded ${loaded} of ${size.runs} runs`);
      await settle(2000);
      const after = server.memory();
      return [
        {
          name: `server RSS, ${size.runs} runs × ${size.events.toLocaleString('en-US')} events`,
          value: after.rssMb,
          unit: 'MB',
          baseline: idle.rssMb,
          ratio: after.rssMb / idle.rssMb,
          goal: `< ${GOAL_MB} MB (baseline: idle server)`,
          pass: after.rssMb < GOAL_MB,
          note: `all runs loaded by listRuns, folded from their logs; peak RSS ${after.peakMb.toFixed(0)} MB`,
        },
      ];
    } finally {
      await server.stop();
    }
  });
}
