// The server of an untrusted workspace (--read-only, or initializationOptions.readOnly, as the
// extension starts it): everything can be read, listed, replayed and followed, and nothing in
// the workspace changes — not by the lease timer (an expired lease stays), not by caches, not on
// shutdown, not by a planted symlink — while every writing method answers READ_ONLY.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { cliJson, removeTempWorkspaces, seedRun, tempWorkspace } from '../cli/cliHarness';
import { startServer, stopServers, treeSnapshot, waitFor } from './serverProcess';

after(async () => {
  await stopServers();
  removeTempWorkspaces();
});

describe('a read-only server', () => {
  for (const how of ['--read-only', 'initializationOptions'] as const) {
    it(`(${how}) reads everything and writes nothing, with a bound run, an expiring lease and a planted symlink`, async () => {
      const root = tempWorkspace('runboard-readonly-');
      seedRun(root, 'r', [
        { id: 'a', task_type: 'w', payload: { title: 'A' } },
        { id: 'b', task_type: 'w', payload: { title: 'B' } },
      ]);
      cliJson(root, ['--run', 'r', 'claim', '--task', 'a', '--lease-ms', '5000']);
      cliJson(root, ['run', 'create', '--id', 'bound', '--workspace', path.join(root, 'elsewhere'), 'Bound to another folder']);
      const outside = path.join(tempWorkspace('runboard-outside-'), 'planted');
      fs.symlinkSync(outside, path.join(root, '.runboard', 'runs', 'r', '.waiting'));
      for (const run of ['r', 'bound'])
        for (const f of ['run.json', 'blackboard.json', 'index.json'])
          fs.rmSync(path.join(root, '.runboard', 'runs', run, f), { force: true });
      const before = treeSnapshot(root);

      const s = await startServer(
        [root],
        how === '--read-only' ? { args: ['--read-only'] } : { initializationOptions: { readOnly: true } },
      );
      const { runs } = await s.call('runboard/listRuns', {});
      assert.deepEqual(runs.map((r: { run_id: string }) => r.run_id).sort(), ['bound', 'r']);
      const { subscription_id } = await s.call('runboard/subscribe', {});
      await waitFor(() => s.delivered(subscription_id).length >= 5, 5000, 'the replay of both runs');
      const replay = await s.call('runboard/replay', { run_id: 'r' });
      assert.equal(replay.drift.mismatch, false);
      assert.deepEqual(
        await s.call('runboard/repairRun', { run_id: 'r' }),
        { damage: [], restore: null, event: null },
        'a repair look is a read',
      );

      const writes: [string, unknown][] = [
        ['runboard/createRun', { run_id: 'new', objective: 'x' }],
        ['runboard/appendEvent', { run_id: 'r', type: 'note', status: 'running' }],
        ['runboard/finishRun', { run_id: 'r', status: 'completed', force: true }],
        ['runboard/patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { text: 'x' } }],
        ['runboard/createTasks', { run_id: 'r', tasks: [{ task_type: 'w' }] }],
        ['runboard/claimTask', { run_id: 'r', agent_id: 'x' }],
        ['runboard/transitionTask', { run_id: 'r', task_id: 'b', action: 'status', status: 'blocked' }],
        ['runboard/requeueTask', { run_id: 'r', task_id: 'a', force: true }],
        ['runboard/createCheckpoint', { run_id: 'r', reason: 'x' }],
        ['runboard/validateWorkspaceLease', { run_id: 'bound', phase: 'activation', current_path: root }],
        ['runboard/rebindWorkspace', { run_id: 'bound', current_path: root }],
        ['runboard/repairRun', { run_id: 'r', accept: true }],
        ['runboard/repairRun', { run_id: 'r', restore: true }],
      ];
      for (const [method, params] of writes) {
        const e = await s.fail(method, params);
        assert.equal(e.data?.code, 'READ_ONLY', `${method}: ${e.message}`);
      }

      // The lease of task a expires; a writing server would requeue it within a second.
      const { run } = await s.call('runboard/getRun', { run_id: 'r' });
      const lease = run.tasks.find((t: { id: string }) => t.id === 'a').lease_expires_at_ms;
      await waitFor(() => Date.now() > lease + 2500, 10_000, 'the lease to be long expired');
      const { run: later } = await s.call('runboard/getRun', { run_id: 'r' });
      assert.equal(later.tasks.find((t: { id: string }) => t.id === 'a').status, 'in_progress', 'not requeued by a read-only server');
      await s.stop();

      assert.deepEqual(treeSnapshot(root), before, 'nothing in the workspace changed, shutdown included');
      assert.equal(fs.existsSync(outside), false, 'nothing was created through the planted symlink');
    });
  }

  it('refuses malformed or unknown initializationOptions by name, writing nothing (until this change readOnly: "true" started a server that writes)', async () => {
    const root = tempWorkspace('runboard-initopts-');
    const before = treeSnapshot(root);
    for (const [options, path] of [
      [{ readOnly: 'true' }, 'initializationOptions.readOnly'],
      [{ readonly: true }, 'initializationOptions'],
      [{ durability: 'bogus' }, 'initializationOptions.durability'],
      [{ archiveAfterDays: 36_501 }, 'initializationOptions.archiveAfterDays'],
    ] as const) {
      await assert.rejects(startServer([root], { initializationOptions: options }), (e: Error & { code?: number; data?: any }) => {
        assert.equal(e.code, -32602, JSON.stringify(options));
        assert.equal(e.data.code, 'INVALID_PARAMS');
        assert.equal(e.data.retry, false);
        assert.ok(
          e.data.issues.some((i: { path: string }) => i.path === path),
          `${JSON.stringify(options)}: ${JSON.stringify(e.data.issues)}`,
        );
        return true;
      });
    }
    assert.deepEqual(treeSnapshot(root), before, 'nothing written');
    const s = await startServer([root], { initializationOptions: { readOnly: true, durability: 'none' } });
    assert.equal((await s.fail('runboard/createRun', { run_id: 'x', objective: 'x' })).data?.code, 'READ_ONLY');
  });
});
