// A subscription with `tail` limits the replay of runs that already exist; a run created after
// the subscription (by this server or by another process) is new from its first event, so a
// client that subscribes with tail 0 still learns about it from seq 1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { CLI_JS, ServerProcess, sleep, tempRoot, waitFor } from './serverProcess';

const servers: ServerProcess[] = [];
const roots: string[] = [];
after(async () => {
  for (const s of servers) await s.stop();
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

async function start(): Promise<{ s: ServerProcess; root: string }> {
  const root = tempRoot();
  roots.push(root);
  const s = await ServerProcess.start([root], { args: ['--durability', 'none'] });
  servers.push(s);
  return { s, root };
}

function seqs(s: ServerProcess, sub: string, runId: string): number[] {
  return s
    .delivered(sub)
    .filter((e) => e.run_id === runId)
    .map((e) => e.seq);
}

describe('subscribe with tail: runs created later', () => {
  it('delivers a later run from seq 1, whoever created it; existing runs only get new events', async () => {
    const { s, root } = await start();
    await s.call('runboard/createRun', { run_id: 'old', objective: 'existed before' });
    const { subscription_id: sub } = await s.call('runboard/subscribe', { root, tail: 0 });
    await sleep(200);
    assert.deepEqual(seqs(s, sub, 'old'), [], 'tail 0: no replay of an existing run');

    await s.call('runboard/createRun', { run_id: 'mine', objective: 'created by this server' });
    const r = spawnSync(process.execPath, [CLI_JS, '--root', root, 'run', 'create', '--id', 'theirs', 'created by another process'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    await s.call('runboard/appendEvent', { run_id: 'old', type: 'note', status: 'queued' });

    await waitFor(
      () => seqs(s, sub, 'mine').length === 1 && seqs(s, sub, 'theirs').length === 1 && seqs(s, sub, 'old').length === 1,
      5000,
      'all three runs',
    );
    assert.deepEqual(seqs(s, sub, 'mine'), [1]);
    assert.deepEqual(seqs(s, sub, 'theirs'), [1]);
    assert.deepEqual(seqs(s, sub, 'old'), [2]);
  });

  it('delivers a run another process made even when a read loaded it before the server looked', async () => {
    // The editor's server on a fresh folder: its Runs view subscribed and listed nothing; then an
    // agent's CLI made the first run, and a read of it (here getRun; in the editor any request or
    // timer that opens the run) came before the server's watcher saw the new folder.
    const { s, root } = await start();
    const { subscription_id: sub } = await s.call('runboard/subscribe', { root, tail: 0 });
    assert.deepEqual((await s.call('runboard/listRuns', { root })).runs, []);
    const r = spawnSync(process.execPath, [CLI_JS, '--root', root, 'run', 'create', '--id', 'theirs', 'created by another process'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    await s.call('runboard/getRun', { run_id: 'theirs' });
    await waitFor(() => seqs(s, sub, 'theirs').length === 1, 5000, 'the run read first, delivered from seq 1');
    assert.deepEqual(seqs(s, sub, 'theirs'), [1]);
  });
});
