// runStats folds a run's events on demand and keeps the fold: a call after more commits folds only
// those, and equals what a fresh process folds from the whole log; a dependent task is claimable
// from when its dependency is done, not from its creation.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RunService } from '../../../server/src/service/runService';
import type { TaskInput } from '../../../contract/schemas/params';
import { removeTree, tempRoot } from './helpers';

const roots: string[] = [];
after(() => roots.forEach(removeTree));

/** A store on a clock the test sets (`at`), with run r and `tasks` (default: one, a), created at 1 s. */
async function withClockedRun(
  body: (s: RunService, at: (ms: number) => void, root: string) => Promise<void>,
  tasks: TaskInput[] = [{ id: 'a', task_type: 'build' }],
): Promise<void> {
  const root = tempRoot();
  roots.push(root);
  let now = 1_000;
  const s = new RunService([root], { durability: 'none', clock: () => now });
  try {
    await s.execute('createRun', { run_id: 'r', objective: 'flow' });
    await s.execute('createTasks', { run_id: 'r', tasks });
    await body(s, (ms) => (now = ms), root);
  } finally {
    s.close();
  }
}

describe('runStats', () => {
  it('folds incrementally and equals a fresh fold; waits count from when a task became claimable', async () => {
    const tasks = [
      { id: 'a', task_type: 'build' },
      { id: 'b', task_type: 'test', depends_on_task_ids: ['a'] },
    ];
    await withClockedRun(async (s, at, root) => {
      at(3_000);
      const a = (await s.execute('claimTask', { run_id: 'r', agent_id: 'ann', task_id: 'a' })).task!;
      const first = await s.execute('runStats', { run_id: 'r' });
      assert.deepEqual(
        first.tasks.find((t) => t.task_id === 'a'),
        { task_id: 'a', task_type: 'build', status: 'in_progress', attempts: 1, wait_ms: 2_000 },
      );
      at(10_000);
      await s.execute('transitionTask', { run_id: 'r', task_id: 'a', action: 'complete', lease_token: a.lease_token });
      at(14_000);
      const b = (await s.execute('claimTask', { run_id: 'r', agent_id: 'bob' })).task!;
      at(15_000);
      await s.execute('transitionTask', { run_id: 'r', task_id: 'b', action: 'complete', lease_token: b.lease_token });
      const stats = await s.execute('runStats', { run_id: 'r', slices: 4 });
      assert.deepEqual(
        stats.tasks.map((t) => [t.task_id, t.agent, t.wait_ms, t.work_ms, t.cycle_ms]),
        [
          ['a', 'ann', 2_000, 7_000, 9_000],
          ['b', 'bob', 4_000, 1_000, 5_000],
        ],
      );
      assert.deepEqual(
        stats.cycle_by_agent.map((c) => [c.key, c.mean_ms]),
        [
          ['ann', 9_000],
          ['bob', 5_000],
        ],
      );
      assert.equal(stats.over_time.length, 4);
      assert.equal(stats.over_time.at(-1)!.by_status.done, 2);
      const fresh = new RunService([root], { durability: 'none' });
      try {
        assert.deepEqual(await fresh.execute('runStats', { run_id: 'r', slices: 4 }), stats);
      } finally {
        fresh.close();
      }
    }, tasks);
  });

  it('work is the time in progress, every attempt: not the time a failed task sat waiting for a retry', async () => {
    await withClockedRun(async (s, at) => {
      const first = (await s.execute('claimTask', { run_id: 'r', agent_id: 'ann' })).task!;
      at(4_000);
      await s.execute('transitionTask', { run_id: 'r', task_id: 'a', action: 'fail', lease_token: first.lease_token, error: 'red' });
      at(60_000); // a day, say, before someone retried it
      await s.execute('transitionTask', { run_id: 'r', task_id: 'a', action: 'retry' });
      const second = (await s.execute('claimTask', { run_id: 'r', agent_id: 'bob' })).task!;
      at(62_000);
      await s.execute('transitionTask', { run_id: 'r', task_id: 'a', action: 'complete', lease_token: second.lease_token });
      const [a] = (await s.execute('runStats', { run_id: 'r' })).tasks;
      assert.deepEqual([a.attempts, a.wait_ms, a.work_ms, a.cycle_ms], [2, 0, 3_000 + 2_000, 61_000]);
    });
  });

  it('an attempt whose lease ran out worked until the lease ended, not until the board took the task back', async () => {
    await withClockedRun(async (s, at) => {
      const first = (await s.execute('claimTask', { run_id: 'r', agent_id: 'ann', lease_ms: 10_000 })).task!;
      at(5_000);
      const beat = await s.execute('transitionTask', { run_id: 'r', task_id: 'a', action: 'heartbeat', lease_token: first.lease_token });
      const leaseEnd = beat.task.lease_expires_at_ms!;
      // Ann's process died: its lease ran out overnight, and the next claim takes the task back.
      const morning = 8 * 3_600_000;
      at(morning);
      const second = (await s.execute('claimTask', { run_id: 'r', agent_id: 'bob' })).task!;
      at(morning + 2_000);
      await s.execute('transitionTask', { run_id: 'r', task_id: 'a', action: 'complete', lease_token: second.lease_token });
      const [a] = (await s.execute('runStats', { run_id: 'r' })).tasks;
      assert.ok(leaseEnd > 5_000 && leaseEnd < 3_600_000, String(leaseEnd));
      assert.deepEqual([a.attempts, a.work_ms], [2, leaseEnd - 1_000 + 2_000]);
    });
  });
});
