// Commits forever — createTasks batches of 100 (ids <prefix>-b<k>-<i>) and appendEvent — until
// the parent kills it with SIGKILL. Prints {ready: true} after the first batch.
//   crasher.ts <root> <run_id> <prefix>
import { emit, openWorkerStore, runWorker } from './common';

const [root, runId, prefix] = process.argv.slice(2);
const BATCH = 100;

runWorker(async () => {
  const store = openWorkerStore(root);
  for (let k = 0; ; k++) {
    const tasks = Array.from({ length: BATCH }, (_, i) => ({
      id: `${prefix}-b${k}-${i}`,
      task_type: 'work',
      payload: { k, i, pad: 'x'.repeat(200) },
    }));
    await store.execute('createTasks', { run_id: runId, tasks });
    await store.execute('appendEvent', { run_id: runId, type: 'note', status: 'running', payload: { prefix, k } });
    if (k === 0) emit({ ready: true });
  }
});
