// Claims tasks of one run until none is left and prints each claim as a JSON line.
//   claimer.ts <root> <run_id> <agent_id>
import { emit, openWorkerStore, readyThenGo, runWorker } from './common';

const [root, runId, agent] = process.argv.slice(2);

runWorker(async () => {
  const store = openWorkerStore(root);
  await store.execute('getRun', { run_id: runId });
  await readyThenGo();
  for (;;) {
    const { task } = await store.execute('claimTask', { run_id: runId, agent_id: agent, lease_ms: 300_000 });
    if (!task) break;
    emit({ task_id: task.id, lease_token: task.lease_token, agent: task.lease_owner });
  }
  store.close();
  emit({ done: true });
});
