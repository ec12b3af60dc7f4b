// A writer killed with SIGKILL while it commits: the run still loads with contiguous seqs, each
// createTasks batch is all there or not at all, and the lock died with its holder.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { EventRecord } from '../../../contract/schemas/records';
import { assertContiguous, killAllWorkers, logFile, openStore, readLogEvents, removeTree, sleep, startWorker, tempRoot } from './helpers';
import { EVENT } from '../../../contract/events';

const BATCH = 100; // workers/crasher.ts writes batches of this size

const roots: string[] = [];
after(() => {
  killAllWorkers();
  for (const r of roots) removeTree(r);
});

/** Task ids created per batch (`<prefix>-b<k>` → ids), from the log. */
function batchesOf(log: EventRecord[]): Map<string, string[]> {
  const batches = new Map<string, string[]>();
  for (const e of log) {
    if (e.type !== EVENT.taskCreated) continue;
    const batch = e.task_id!.replace(/-\d+$/, '');
    batches.set(batch, [...(batches.get(batch) ?? []), e.task_id!]);
  }
  return batches;
}

describe('kill -9 in the middle of a batch', () => {
  it('leaves whole batches, contiguous seqs, and a lock the next writer takes at once', async () => {
    const root = tempRoot();
    roots.push(root);
    const setup = openStore(root);
    await setup.store.execute('createRun', { run_id: 'crash', objective: 'crash' });
    setup.store.close();

    for (let round = 0; round < 2; round++) {
      const w = startWorker('crasher', [root, 'crash', `p${round}`]);
      await w.waitForLine((l) => (l as { ready?: boolean }).ready === true);
      await sleep(20 + Math.floor(Math.random() * 300));
      w.child.kill('SIGKILL');
      assert.equal(await w.exited, 'SIGKILL');

      // A reader (no lock) loads the run: complete lines only, contiguous.
      const reader = openStore(root);
      const events: { seq: number }[] = [];
      // Paged: a fast worker commits more than one page (10,000 events) before the kill.
      for (let page; (page = (await reader.store.execute('listEvents', { run_id: 'crash', since_seq: events.length })).events).length > 0;)
        events.push(...page);
      events.forEach((e, i) => assert.equal(e.seq, i + 1));
      reader.store.close();

      // A new writer gets the lock straight away. A lock that outlived its holder would time out
      // after 10 s (a generous margin: a loaded machine is slow).
      const writer = openStore(root, { lockTimeoutMs: 10_000 });
      try {
        const started = Date.now();
        const { event } = await writer.store.execute('appendEvent', {
          run_id: 'crash',
          type: 'note',
          status: 'running',
          payload: { after_kill: round },
        });
        assert.ok(Date.now() - started < 10_000);
        assert.equal(event.seq, events.length + 1);
        for (const d of writer.diagnostics) assert.match(d.message, /torn/i, 'at most a torn line to repair');

        const log = readLogEvents(root, 'crash');
        assertContiguous(log);
        const batches = batchesOf(log);
        assert.ok(batches.has(`p${round}-b0`), 'the worker committed before it was killed');
        for (const [batch, ids] of batches) {
          assert.equal(ids.length, BATCH, `batch ${batch} is whole (${ids.length} of ${BATCH} tasks)`);
        }
        const { run } = await writer.store.execute('getRun', { run_id: 'crash' });
        assert.equal(
          run.tasks.length,
          [...batches.values()].reduce((n, ids) => n + ids.length, 0),
        );
        assert.equal(run.last_event_seq, log.length);
      } finally {
        writer.store.close();
      }
    }
  });

  it('half a batch written by hand: the whole incomplete commit is cut off and the next commit follows the last whole one', async () => {
    const root = tempRoot();
    roots.push(root);
    const s = openStore(root, { snapshotDelayMs: null, snapshotLagEvents: 1 });
    await s.store.execute('createRun', { run_id: 'half', objective: 'half' });
    await s.store.execute('createTasks', {
      run_id: 'half',
      tasks: Array.from({ length: BATCH }, (_, i) => ({ id: `a-${i}`, task_type: 'work' })),
    });
    const file = logFile(root, 'half');
    const batchStart = fs.statSync(file).size;
    await s.store.execute('createTasks', {
      run_id: 'half',
      tasks: Array.from({ length: BATCH }, (_, i) => ({ id: `b-${i}`, task_type: 'work' })),
    });
    s.store.close(); // writes the caches at seq 201: after the cut they are ahead of the log

    const whole = fs.readFileSync(file);
    const cut = batchStart + Math.floor((whole.length - batchStart) / 2);
    assert.notEqual(whole[cut - 1], 0x0a, 'the cut falls inside a line');
    fs.writeFileSync(file, whole.subarray(0, cut));
    // The complete lines of the cut batch belong to an incomplete commit (batch_end): none of them counts.
    const wholeCommits = whole.subarray(0, batchStart).toString('utf8').split('\n').length - 1;

    const w = openStore(root);
    try {
      const { run } = await w.store.execute('getRun', { run_id: 'half' });
      assert.equal(run.last_event_seq, wholeCommits, 'the caches ahead of the log were not believed');
      const { event } = await w.store.execute('appendEvent', { run_id: 'half', type: 'note', status: 'running' });
      assert.equal(event.seq, wholeCommits + 1);
      const torn = w.diagnostics.filter((d) => /torn/i.test(d.message));
      assert.equal(torn.length, 1, JSON.stringify(w.diagnostics));
      assert.equal(torn[0].line, wholeCommits + 1);
      assert.equal(torn[0].file, file);

      const log = readLogEvents(root, 'half');
      assertContiguous(log);
      assert.equal(log.length, wholeCommits + 1);
      assert.equal(log.filter((e) => e.task_id?.startsWith('b-')).length, 0, 'no task of the cut batch survives');
      const created = log.filter((e) => e.type === EVENT.taskCreated).map((e) => e.task_id);
      const { run: after } = await w.store.execute('getRun', { run_id: 'half' });
      assert.deepEqual(
        after.tasks.map((t) => t.id),
        created,
      );
    } finally {
      w.store.close();
    }
  });
});
