// A flood of 10 000 invalid requests: every one gets a typed error, the server stays healthy,
// other requests are unaffected, and nothing on disk changes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServerProcess, tempRoot, treeSnapshot, waitFor } from './serverProcess';

describe('invalid request flood', () => {
  let server: ServerProcess;
  let root: string;
  before(async () => {
    root = tempRoot();
    server = await ServerProcess.start([root]);
    await server.call('runboard/createRun', { run_id: 'calm', objective: 'x' });
    const { tasks } = await server.call('runboard/createTasks', { run_id: 'calm', tasks: [{ id: 't', task_type: 'x' }] });
    // The caches are written about 1 s after a change: wait until they hold the last commit, so
    // the picture of the disk taken before the flood does not change under it for that reason.
    const index = path.join(root, '.runboard', 'runs', 'calm', 'index.json');
    const cachedSeq = () =>
      fs.existsSync(index) ? (JSON.parse(fs.readFileSync(index, 'utf8')) as { last_event_seq: number }).last_event_seq : 0;
    await waitFor(() => cachedSeq() >= 2 || undefined, 10_000, `the caches to reach seq 2 (task ${tasks[0].id})`);
  });
  after(() => server.stop());

  it('answers 10 000 invalid requests with typed errors and changes nothing', async () => {
    const before = treeSnapshot(path.join(root, '.runboard'));
    const bad: [string, unknown][] = [
      ['runboard/createTasks', { run_id: 'calm', tasks: 'nope' }],
      ['runboard/claimTask', { run_id: 'calm', agent_id: '' }],
      ['runboard/claimTask', { run_id: '../../etc', agent_id: 'a' }],
      ['runboard/transitionTask', { run_id: 'calm', task_id: 't', action: 'complete', lease_token: 'x' }],
      ['runboard/appendEvent', { run_id: 'calm', type: 'context.task.x', status: 'running' }],
      ['runboard/appendEvent', { run_id: 'calm', type: 'x', status: 42 }],
      ['runboard/getRun', { run_id: 'missing' }],
      ['runboard/patchBlackboard', { run_id: 'calm', op: 'add_fact', payload: { text: 5 } }],
      ['runboard/createRun', { run_id: 'x'.repeat(300), objective: 'x' }],
      ['runboard/replay', { run_id: 'calm', upto_seq: -5 }],
      ['runboard/listRuns', { limit: 'many' }],
      ['runboard/createRun', { objective: { __proto__: { polluted: true } } }],
      ['runboard/subscribe', { run_ids: 'calm' }],
    ];
    const codes = new Map<string, number>();
    const total = 10_000;
    for (let i = 0; i < total; i += 500) {
      const batch = [];
      for (let j = i; j < Math.min(total, i + 500); j++) {
        const [m, p] = bad[j % bad.length];
        batch.push(server.fail(m, p));
      }
      // A valid request in the middle of the flood is answered normally.
      const ok = server.call('runboard/getRun', { run_id: 'calm' });
      for (const e of await Promise.all(batch)) {
        assert.ok(e.code === -32602 || e.code === -32000, `unexpected ${e.code}: ${e.message}`);
        assert.ok(e.data?.code, 'typed error');
        codes.set(e.data.code, (codes.get(e.data.code) ?? 0) + 1);
      }
      assert.equal((await ok).run.run_id, 'calm');
    }
    for (const c of ['INVALID_PARAMS', 'RUN_NOT_FOUND', 'RUN_ID_INVALID', 'TASK_EVENT_APPEND_DISABLED', 'TASK_TRANSITION_INVALID']) {
      assert.ok(codes.has(c), `no ${c} among ${[...codes.keys()].join(', ')}`);
    }
    assert.equal(server.child.exitCode, null, 'still running');
    assert.deepEqual(treeSnapshot(path.join(root, '.runboard')), before, 'the flood changed nothing on disk');
    const { task } = await server.call('runboard/claimTask', { run_id: 'calm', agent_id: 'after-flood', command_id: 'probe' });
    assert.equal(task.id, 't');
    const flooded = await server.call('runboard/listEvents', { run_id: 'calm' });
    assert.deepEqual(
      flooded.events.map((e: { type: string }) => e.type),
      ['context.run.created', 'context.task.created', 'context.task.claimed'],
    );
    assert.doesNotMatch(server.stderr, /uncaught|unhandled/i);
  });
});
