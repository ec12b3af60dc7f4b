// A writer for the crash-point tests: commits batches of tasks, snapshots and checkpoints in a
// loop, printing one JSON line per acknowledged commit. RUNBOARD_CRASH_AT kills it mid-way.
import { RunService } from '../../../server/src/service/runService';

const [root, runId = 'crash'] = process.argv.slice(2);
const store = new RunService([root], { durability: 'fsync', snapshotDelayMs: null, snapshotLagEvents: 1 });
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

(async () => {
  try {
    await store.execute('createRun', { run_id: runId, objective: 'crash points' });
  } catch (e) {
    if ((e as { code?: string }).code !== 'RUN_EXISTS') throw e;
  }
  for (let i = 0; i < 200; i++) {
    const tag = `${process.pid}-${i}`;
    const r = await store.execute('createTasks', {
      run_id: runId,
      tasks: Array.from({ length: 5 }, (_, k) => ({ id: `${tag}-${k}`, task_type: 'x' })),
    });
    say({ ack: 'batch', tag, ids: r.tasks.map((t) => t.id) });
    const c = await store.execute('claimTask', { run_id: runId, agent_id: tag });
    if (c.task) say({ ack: 'claim', id: c.task.id, token: c.task.lease_token });
    store.flush();
    if (i % 2 === 1) {
      const cp = await store.execute('createCheckpoint', { run_id: runId, reason: tag });
      say({ ack: 'checkpoint', id: cp.checkpoint.checkpoint_id, seq: cp.checkpoint.seq });
    }
  }
  store.close();
})().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(3);
});
