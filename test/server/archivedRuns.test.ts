// Archived and compacted runs through the real server over JSON-RPC (PROTOCOL.md §Archived runs):
// a run compacted by another process (the CLI) is read by the server's subscribers again from its
// segments — runReset with its last seq, then every seq once, in order, a new subscription
// replayed from the segments — and its next write, through the server, restores it and is
// delivered; a run archived by another process leaves the server's list, its subscribers reset.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { after, describe } from 'node:test';
import { CLI_JS, itOnFiles, ServerProcess, tempRoot, waitFor } from './serverProcess';

const servers: ServerProcess[] = [];
const roots: string[] = [];
after(async () => {
  for (const s of servers) await s.stop();
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function cli(root: string, args: string[]): void {
  const r = spawnSync(process.execPath, [CLI_JS, '--root', root, ...args], {
    encoding: 'utf8',
    env: { ...process.env, RUNBOARD_ROUTE: '0' },
  });
  assert.equal(r.status, 0, r.stderr);
}

describe('archived and compacted runs through the server', () => {
  itOnFiles(
    'a run compacted by another process is read again from its segments; its next write restores it; an archived one leaves',
    async () => {
      const root = tempRoot();
      roots.push(root);
      const s = await ServerProcess.start([root], { args: ['--durability', 'none'] });
      servers.push(s);
      await s.call('runboard/createRun', { run_id: 'kept', objective: 'compact me' });
      await s.call('runboard/createTasks', {
        run_id: 'kept',
        tasks: [
          { id: 'a', task_type: 'w' },
          { id: 'b', task_type: 'w' },
        ],
      });
      await s.call('runboard/finishRun', { run_id: 'kept', status: 'completed', force: true });
      const { subscription_id: sub } = await s.call('runboard/subscribe', { root });
      const seqs = () =>
        s
          .delivered(sub)
          .filter((e) => e.run_id === 'kept')
          .map((e) => e.seq);
      await waitFor(() => seqs().length === 4, 5000, 'the run replayed');

      cli(root, ['run', 'compact', 'kept']);
      await waitFor(() => s.resets.find((r) => r.run_id === 'kept' && r.last_seq === 4), 5000, 'runReset with the last seq');
      const listed = await s.call<{ runs: { run_id: string }[]; sizes: { compacted?: boolean }[] }>('runboard/listRuns', { sizes: true });
      assert.deepEqual(
        listed.runs.map((r) => r.run_id),
        ['kept'],
      );
      assert.equal(listed.sizes[0].compacted, true);
      const { subscription_id: fresh } = await s.call('runboard/subscribe', { run_ids: ['kept'] });
      await waitFor(() => s.delivered(fresh).length === 4, 5000, 'a new subscription replayed from the segments');
      assert.deepEqual(
        s.delivered(fresh).map((e) => e.seq),
        [1, 2, 3, 4],
      );

      await s.call('runboard/appendEvent', { run_id: 'kept', type: 'run_reopened', status: 'running' });
      await waitFor(() => seqs().includes(5), 5000, 'the reopening delivered');
      assert.deepEqual(seqs(), [1, 2, 3, 4, 5], 'every seq once, in order');
      assert.equal((await s.call<{ compacted?: unknown }>('runboard/getRun', { run_id: 'kept' })).compacted, undefined);

      await s.call('runboard/finishRun', { run_id: 'kept', status: 'failed' });
      cli(root, ['run', 'archive', 'kept']);
      await waitFor(() => s.resets.find((r) => r.run_id === 'kept' && r.last_seq === 0), 5000, 'runReset with 0');
      assert.deepEqual((await s.call<{ runs: unknown[] }>('runboard/listRuns', {})).runs, []);
      const archived = await s.call<{ archived?: { archived_by: string } }>('runboard/getRun', { run_id: 'kept' });
      assert.ok(archived.archived);
      const refused = await s.fail('runboard/appendEvent', { run_id: 'kept', type: 'run_reopened', status: 'running' });
      assert.equal(refused.data?.code, 'RUN_ARCHIVED');
    },
  );
});
