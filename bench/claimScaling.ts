// Row 4: the cost of a claim + complete pair when the run holds 100 tasks vs 100 000. Claiming
// pops a heap-ordered ready queue and completing touches one task, so the ratio should stay
// near 1 — an O(n) scan per claim would make it ~1000.
import * as path from 'node:path';
import { RunService } from '../server/src/service/runService';
import { benchStore, inTempDir, median, nowMs, ratioOf, Row, settle } from './harness';
import { taskInputs } from './workload';

export interface ClaimScalingSize {
  small: number;
  large: number;
  /** Pairs timed per round on each side (the small side spreads them over several runs). */
  pairs: number;
  rounds: number;
}

const CREATE_BATCH = 500;

async function createRunWithTasks(store: RunService, runId: string, tasks: number): Promise<void> {
  await store.execute('createRun', { run_id: runId, objective: `claims among ${tasks} tasks` });
  for (let made = 0; made < tasks; made += CREATE_BATCH) {
    await store.execute('createTasks', { run_id: runId, tasks: taskInputs(Math.min(CREATE_BATCH, tasks - made), made) });
  }
}

/** Milliseconds spent in `pairs` claim + complete calls. */
async function claimComplete(store: RunService, runId: string, pairs: number): Promise<number> {
  let ms = 0;
  for (let i = 0; i < pairs; i++) {
    const t0 = nowMs();
    const { task } = await store.execute('claimTask', { run_id: runId, agent_id: 'bench-agent' });
    if (!task) throw new Error(`run ${runId} ran out of tasks`);
    await store.execute('transitionTask', { run_id: runId, task_id: task.id, action: 'complete', lease_token: task.lease_token });
    ms += nowMs() - t0;
  }
  return ms;
}

export async function benchClaimScaling(size: ClaimScalingSize): Promise<Row[]> {
  return inTempDir('claims', async (dir) => {
    const store = benchStore(path.join(dir, 'root'));
    try {
      await createRunWithTasks(store, 'large', size.large);
      const smallUs: number[] = [];
      const largeUs: number[] = [];
      let smallRuns = 0;
      for (let r = 0; r < size.rounds; r++) {
        let ms = 0;
        for (let left = size.pairs; left > 0; left -= size.small) {
          const runId = `small-${++smallRuns}`;
          await createRunWithTasks(store, runId, size.small);
          await settle(0);
          ms += await claimComplete(store, runId, Math.min(left, size.small));
        }
        smallUs.push((ms * 1000) / size.pairs);
        await settle();
        largeUs.push(((await claimComplete(store, 'large', size.pairs)) * 1000) / size.pairs);
      }
      const large = median(largeUs);
      const small = median(smallUs);
      const ratio = ratioOf(large, small);
      return [
        {
          name: `claim+complete, ${size.large.toLocaleString('en-US')} vs ${size.small} tasks`,
          value: large,
          unit: 'µs/pair',
          baseline: small,
          ratio,
          goal: 'ratio ≤ 2',
          pass: ratio <= 2,
          note: `${size.pairs} pairs per round × ${size.rounds} rounds; durability none`,
        },
      ];
    } finally {
      store.close();
    }
  });
}
