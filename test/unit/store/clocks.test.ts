// Writers whose clocks disagree (RELIABILITY.md, "Clocks"): a writer an hour behind neither hands
// out leases that the others see as expired on arrival nor expires leases by its past, and says
// why; its events keep the log's time in order. (A clock ahead cannot be told from the log: the
// assumption that clocks agree within seconds is stated, not enforced.)
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openStore, readLogEvents, removeTree, tempRoot } from './helpers';

const HOUR = 3_600_000;
const roots: string[] = [];
after(() => roots.forEach(removeTree));

/** Two stores on one root — one with the right time, one an hour behind — and run `runId` with task a. */
async function twoClocks(runId: string) {
  const root = tempRoot();
  roots.push(root);
  const clock = { t: Date.now() };
  const right = openStore(root, { clock: () => clock.t, snapshotDelayMs: null });
  const behind = openStore(root, { clock: () => clock.t - HOUR, snapshotDelayMs: null });
  await right.store.execute('createRun', { run_id: runId, objective: 'clocks' });
  await right.store.execute('createTasks', { run_id: runId, tasks: [{ id: 'a', task_type: 'w' }] });
  return { root, clock, right, behind, close: () => (right.store.close(), behind.store.close()) };
}

describe('a writer whose clock is an hour behind', () => {
  it('claims with a lease the others see as live, and its events keep the log in time order', async () => {
    const { root, clock, right, behind, close } = await twoClocks('c');
    try {
      const { task } = await behind.store.execute('claimTask', { run_id: 'c', agent_id: 'late', lease_ms: 30_000 });
      assert.ok(task && task.lease_expires_at_ms! >= clock.t + 30_000, 'the lease runs from the log time, not an hour ago');
      clock.t += 1000;
      await right.store.execute('patchBlackboard', { run_id: 'c', op: 'add_fact', payload: { text: 'a second later' } });
      const { run } = await right.store.execute('getRun', { run_id: 'c' });
      assert.equal(run.tasks[0].status, 'in_progress', 'not requeued by the writer with the right time');
      assert.equal(run.tasks[0].lease_owner, 'late');
      const ts = readLogEvents(root, 'c').map((e) => e.ts_ms);
      assert.deepEqual(
        ts,
        [...ts].sort((a, b) => a - b),
        'event times never go back',
      );
    } finally {
      close();
    }
  });

  it('does not expire leases by its past, and says why; a writer with the right time does', async () => {
    const { clock, right, behind, close } = await twoClocks('e');
    try {
      await right.store.execute('claimTask', { run_id: 'e', agent_id: 'worker', lease_ms: 5_000 });
      clock.t += 10_000; // the lease has expired by the log's time
      await right.store.execute('patchBlackboard', { run_id: 'e', op: 'add_fact', payload: { text: 'the log moves on' } });
      // That commit requeued it (the right clock); claim again, then let it expire once more.
      await right.store.execute('claimTask', { run_id: 'e', agent_id: 'worker', lease_ms: 5_000 });
      clock.t += 10_000;
      await behind.store.execute('patchBlackboard', { run_id: 'e', op: 'add_fact', payload: { text: 'from the past' } });
      let { run } = await behind.store.execute('getRun', { run_id: 'e' });
      assert.equal(run.tasks[0].status, 'in_progress', 'the writer behind left the lease alone');
      assert.ok(
        behind.diagnostics.some((d) => /clock is \d+ s behind the run's latest event: it does not expire leases/.test(d.message)),
        JSON.stringify(behind.diagnostics),
      );
      await right.store.execute('patchBlackboard', { run_id: 'e', op: 'add_fact', payload: { text: 'now' } });
      ({ run } = await right.store.execute('getRun', { run_id: 'e' }));
      assert.equal(run.tasks[0].status, 'runnable', 'the writer with the right time requeued it');
    } finally {
      close();
    }
  });
});
