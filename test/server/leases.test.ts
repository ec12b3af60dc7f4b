// The server's lease timer: expired leases are requeued (or failed when attempts run out)
// within about a second, under the run's lock — two servers on one workspace requeue once.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ServerProcess, tempRoot, waitFor } from './serverProcess';

const servers: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('lease timer', () => {
  it('requeues an expired lease within about a second, once, even with two servers on the workspace', async () => {
    const root = tempRoot();
    const a = await ServerProcess.start([root]);
    const b = await ServerProcess.start([root]);
    servers.push(a, b);
    await a.call('runboard/createRun', { run_id: 'lease', objective: 'x' });
    await a.call('runboard/createTasks', {
      run_id: 'lease',
      tasks: [
        { id: 't', task_type: 'x' },
        { id: 'f', task_type: 'x', max_attempts: 1 },
      ],
    });
    // b loads the run (and so arms its own timer for it).
    const { subscription_id: sub } = await b.call('runboard/subscribe', { run_ids: ['lease'] });
    const { task } = await a.call('runboard/claimTask', { run_id: 'lease', agent_id: 'gone-agent', task_id: 't', lease_ms: 5000 });
    const { task: f } = await a.call('runboard/claimTask', { run_id: 'lease', agent_id: 'gone-agent', task_id: 'f', lease_ms: 5000 });
    await waitFor(() => b.delivered(sub).some((e) => e.type === 'context.task.claimed' && e.task_id === 'f'), 3000, 'claims seen by b');

    const requeued = await waitFor(
      () => b.delivered(sub).find((e) => e.type === 'context.task.stale_requeued'),
      task.lease_expires_at_ms - Date.now() + 4000,
      'stale requeue',
    );
    const lateness = requeued.ts_ms - task.lease_expires_at_ms;
    assert.ok(lateness >= 0 && lateness < 2500, `requeued ${lateness} ms after expiry`);
    const failed = await waitFor(() => b.delivered(sub).find((e) => e.type === 'context.task.failed' && e.task_id === 'f'), 3000, 'failed');
    assert.equal((failed.payload as { stale_requeue: boolean }).stale_requeue, true);
    assert.equal(f.max_attempts, 1);

    await new Promise((r) => setTimeout(r, 1500)); // both timers had their chance
    // Read through the protocol: the same on every store.
    const { events: log } = await a.call<{ events: any[] }>('runboard/listEvents', { run_id: 'lease' });
    assert.equal(log.filter((e) => e.type === 'context.task.stale_requeued').length, 1);
    assert.equal(log.filter((e) => e.type === 'context.task.failed').length, 1);
    const t = log.filter((e) => e.task_id === 't').pop().payload.task;
    assert.equal(t.status, 'runnable');
    assert.equal(t.attempt, 1);
    assert.equal(t.last_error, 'task lease expired while assigned to gone-agent');
    assert.equal(t.lease_token, undefined);
    const ft = log.filter((e) => e.task_id === 'f').pop().payload.task;
    assert.equal(ft.status, 'failed');
    assert.equal(ft.last_error, 'task lease expired while assigned to gone-agent');
    assert.deepEqual(
      log.map((e) => e.seq),
      log.map((_, i) => i + 1),
    );
  });
});
