// listAttention through the service on the file store: a task failed to exhaustion is listed
// until a requeue gives it one more attempt; drift found by a replay of the whole log is kept
// with the run until the next replay finds none.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { RunService } from '../../../server/src/service/runService';
import { removeTree, runFolder, tempRoot } from './helpers';

const roots: string[] = [];
const services: RunService[] = [];
after(() => {
  services.forEach((s) => s.close());
  roots.forEach(removeTree);
});

function service(): { root: string; s: RunService } {
  const root = tempRoot();
  roots.push(root);
  const s = new RunService([root], { durability: 'none', snapshotDelayMs: null });
  services.push(s);
  return { root, s };
}

describe('listAttention', () => {
  it('a task failed to exhaustion is listed until a requeue gives it one more attempt', async () => {
    const { s } = service();
    await s.execute('createRun', { run_id: 'r', objective: 'attention' });
    await s.execute('createTasks', { run_id: 'r', tasks: [{ id: 't', task_type: 'w', max_attempts: 1 }] });
    const { task } = await s.execute('claimTask', { run_id: 'r', agent_id: 'x' });
    await s.execute('transitionTask', { run_id: 'r', task_id: 't', action: 'fail', lease_token: task!.lease_token, error: 'no disk' });
    const { items } = await s.execute('listAttention', {});
    assert.deepEqual(
      items.map((i) => [i.kind, i.run_id, i.task_id, i.action]),
      [['task_exhausted', 'r', 't', 'requeue']],
    );
    assert.deepEqual((await s.execute('listAttention', { run_id: 'r' })).items, items);
    await s.execute('requeueTask', { run_id: 'r', task_id: 't' });
    assert.deepEqual((await s.execute('listAttention', {})).items, []);
  });

  it('drift found by a replay of the whole log is kept with the run until a replay finds none', async () => {
    const { root, s } = service();
    await s.execute('createRun', { run_id: 'd', objective: 'the real objective' });
    s.flush();
    const file = path.join(runFolder(root, 'd'), 'run.json');
    const cached = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...cached, status: 'completed' }));
    const replay = await s.execute('replay', { run_id: 'd', from_checkpoint: false });
    assert.equal(replay.drift.mismatch, true);
    const [drift] = (await s.execute('listAttention', {})).items;
    assert.deepEqual([drift.kind, drift.action], ['drift', 'replay']);
    assert.match(drift.title, /Replay at seq 1 found drift: status_mismatch/);
    // The cache put right: the next replay of the whole log finds none, and the item goes.
    fs.writeFileSync(file, JSON.stringify(cached));
    await s.execute('replay', { run_id: 'd', from_checkpoint: false });
    assert.deepEqual((await s.execute('listAttention', {})).items, []);
  });
});
