// Commits in a loop to one run — mostly appendEvent, with a createTasks or claimTask now and
// then — and prints every acknowledged command as a JSON line.
//   appender.ts <root> <run_id> <tag> <count> <durability>
import type { Durability } from '../../../../contract/limits';
import { emit, openWorkerStore, readyThenGo, runWorker } from './common';

const [root, runId, tag, countText, durability] = process.argv.slice(2);
const count = Number(countText);

runWorker(async () => {
  const store = openWorkerStore(root, durability as Durability);
  await store.execute('getRun', { run_id: runId });
  await readyThenGo();
  for (let i = 0; i < count; i++) {
    if (i % 100 === 10) {
      const ids = [`${tag}-t${i}-0`, `${tag}-t${i}-1`];
      const r = await store.execute('createTasks', { run_id: runId, tasks: ids.map((id) => ({ id, task_type: 'work' })) });
      emit({ op: 'createTasks', task_ids: r.tasks.map((t) => t.id) });
    } else if (i % 100 === 60) {
      const r = await store.execute('claimTask', { run_id: runId, agent_id: tag, lease_ms: 300_000 });
      emit({ op: 'claimTask', task_id: r.task?.id ?? null, lease_token: r.task?.lease_token ?? null });
    } else {
      const r = await store.execute('appendEvent', { run_id: runId, type: 'note', status: 'running', payload: { tag, i } });
      emit({ op: 'appendEvent', seq: r.event.seq, event_id: r.event.event_id });
    }
  }
  store.close();
  emit({ done: true });
});
