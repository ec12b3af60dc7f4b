// Several CLI processes on one run at once: the run's lock makes every claim exclusive.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, cliAsync, cliJson, eventsOnDisk, removeTempWorkspaces, seedRun, tempWorkspace } from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);

describe('concurrent CLI processes', () => {
  it('four processes claiming from one run at once never get the same task', async () => {
    const root = tempWorkspace();
    const tasks = Array.from({ length: 12 }, (_, i) => ({ id: `t${i}`, task_type: 'work' }));
    seedRun(root, 'race', tasks);
    const claimed: string[] = [];
    let empty = 0;
    // Three rounds of four simultaneous claims (fsync durability, the default).
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all([1, 2, 3, 4].map((n) => cliAsync(['--root', root, '--json', '--agent', `agent-${n}`, 'claim'])));
      for (const r of results) {
        assert.equal(r.status, 0, r.stderr);
        const { task } = JSON.parse(r.stdout);
        if (task) claimed.push(task.id);
        else empty++;
      }
    }
    assert.equal(empty, 0, 'twelve claims for twelve tasks');
    assert.equal(new Set(claimed).size, claimed.length, `duplicates in ${claimed.join(',')}`);
    assert.deepEqual([...claimed].sort(), tasks.map((t) => t.id).sort());

    // The log agrees: one claim event per task, seqs without gaps.
    const events = eventsOnDisk(root, 'race');
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
    );
    const claims = events.filter((e) => e.type === 'context.task.claimed');
    assert.deepEqual(claims.map((e) => e.task_id).sort(), [...claimed].sort());
    const board = cliJson(root, ['tasks', 'list']).tasks;
    assert.ok(board.every((t: any) => t.status === 'in_progress'));
    // Twelve leases: the tokens are in the log (the CLI prints only a session's own).
    assert.equal(new Set(claims.map((e) => e.payload.task.lease_token)).size, 12);
  });
});
