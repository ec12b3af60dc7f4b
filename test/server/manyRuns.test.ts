// Thousands of runs under an ordinary limit of 1,024 open files: the server lists them, replays
// them all to a subscriber and writes to any of them, while the runs it is not using close their
// descriptors (before, two stayed open per run for good, and 1,100 runs failed with EMFILE).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { RunService } from '../../server/src/service/runService';
import { startServer, stopServers, tempRoot, waitFor } from './serverProcess';

const RUNS = 1100;
const roots: string[] = [];
after(async () => {
  await stopServers();
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

describe(`${RUNS} runs under ulimit -n 1024`, () => {
  it('are listed, replayed to a subscriber and written to, with open files bounded', async () => {
    const root = tempRoot('runboard-many-');
    roots.push(root);
    const seed = new RunService([root], { durability: 'none', snapshotDelayMs: null });
    const ids = Array.from({ length: RUNS }, (_, i) => `run-${String(i).padStart(4, '0')}`);
    for (const run_id of ids) await seed.execute('createRun', { run_id, objective: `Run ${run_id}` });
    seed.close();

    const s = await startServer([root], { maxOpenFiles: 1024 });
    const listed = await s.call('runboard/listRuns', { limit: 1000 });
    assert.equal(listed.runs.length, 1000);
    assert.equal(listed.unreadable, undefined, JSON.stringify(listed.unreadable?.slice(0, 3)));

    const { subscription_id } = await s.call('runboard/subscribe', {});
    await waitFor(() => new Set(s.delivered(subscription_id).map((e) => e.run_id)).size === RUNS, 30_000, `events of all ${RUNS} runs`);

    for (const run_id of [ids[0], ids[RUNS - 1], ids[500]]) {
      const { patch } = await s.call('runboard/patchBlackboard', { run_id, op: 'add_fact', payload: { text: 'still writable' } });
      assert.equal(patch.seq, 2);
    }
    const open = fs.readdirSync(`/proc/${s.child.pid}/fd`).length;
    assert.ok(open < 600, `${open} descriptors open`);
    assert.deepEqual(
      s.diagnostics.filter((d) => /EMFILE|too many open files/i.test(d.message)),
      [],
    );
  });
});
