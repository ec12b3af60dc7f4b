// Several OS processes committing to one run at once: the OS lock + catch-up commit path must
// keep seqs 1..N contiguous, lose and duplicate nothing, and never hand a task to two claimers.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { EventRecord, Task } from '../../../contract/schemas/records';
import type { Durability } from '../../../contract/limits';
import { assertContiguous, finished, killAllWorkers, openStore, readLogEvents, removeTree, startWorker, tempRoot, Worker } from './helpers';
import { EVENT } from '../../../contract/events';

const roots: string[] = [];
after(() => {
  killAllWorkers();
  for (const r of roots) removeTree(r);
});

type Ack =
  | { op: 'appendEvent'; seq: number; event_id: string }
  | { op: 'createTasks'; task_ids: string[] }
  | { op: 'claimTask'; task_id: string | null; lease_token: string | null };

/** Starts the workers, lets them all wait at the barrier, then releases them together. */
async function runTogether(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.waitForLine((l) => (l as { ready?: boolean }).ready === true)));
  for (const w of workers) w.send('go');
  await Promise.all(workers.map(finished));
}

async function appendersOnOneRun(processes: number, perProcess: number, durability: Durability): Promise<void> {
  const root = tempRoot();
  roots.push(root);
  const { store } = openStore(root);
  await store.execute('createRun', { run_id: 'shared', objective: 'concurrency' });
  store.close();

  const tags = Array.from({ length: processes }, (_, i) => `w${i}`);
  const workers = tags.map((tag) => startWorker('appender', [root, 'shared', tag, String(perProcess), durability]));
  await runTogether(workers);

  const log = readLogEvents(root, 'shared');
  assertContiguous(log);
  const bySeq = (seq: number) => log[seq - 1];

  let expected = 1; // context.run.created
  for (const [w, worker] of workers.entries()) {
    const acks = worker.lines.filter((l): l is Ack => typeof (l as Ack).op === 'string');
    assert.equal(acks.length, perProcess, `worker ${w} acknowledged every command`);
    for (const ack of acks) {
      if (ack.op === 'appendEvent') {
        assert.equal(bySeq(ack.seq)?.event_id, ack.event_id, `worker ${w}: seq ${ack.seq} holds the acknowledged event`);
        assert.deepEqual((bySeq(ack.seq).payload as { tag: string }).tag, tags[w]);
        expected += 1;
      } else if (ack.op === 'createTasks') {
        for (const id of ack.task_ids) {
          const created = log.filter((e) => e.type === EVENT.taskCreated && e.task_id === id);
          assert.equal(created.length, 1, `task ${id} created exactly once`);
        }
        expected += ack.task_ids.length;
      } else if (ack.task_id !== null) {
        const claims = log.filter(
          (e) => e.type === EVENT.taskClaimed && (e.payload as { task: Task }).task.lease_token === ack.lease_token,
        );
        assert.equal(claims.length, 1, `claim of ${ack.task_id} recorded exactly once`);
        assert.equal(claims[0].task_id, ack.task_id);
        expected += 1;
      }
    }
  }
  // Nothing the workers were not told about (no expired leases: they are 300 s long).
  assert.equal(log.length, expected, 'the log holds exactly the acknowledged events');

  // The writers really did overlap: their notes interleave in the log. (With fsync a writer
  // may hold the lock for long stretches — waiters poll — so only count on it without.)
  const noteTags = log.filter((e) => e.type === 'note').map((e) => (e.payload as { tag: string }).tag);
  const switches = noteTags.filter((t, i) => i > 0 && t !== noteTags[i - 1]).length;
  if (durability === 'none') assert.ok(switches >= processes, `writers interleaved (${switches} switches between writers)`);

  // A fresh store folds the same run, and replay agrees with it.
  const fresh = openStore(root);
  try {
    const { run } = await fresh.store.execute('getRun', { run_id: 'shared' });
    assert.equal(run.last_event_seq, log.length);
    assert.equal(run.revision, log.length);
    const claimedIds = new Set(log.filter((e) => e.type === EVENT.taskClaimed).map((e) => e.task_id));
    assert.equal(run.tasks.filter((t) => t.status === 'in_progress').length, claimedIds.size);
    const replay = await fresh.store.execute('replay', { run_id: 'shared' });
    assert.equal(replay.drift.mismatch, false, JSON.stringify(replay.drift));
    assert.equal(replay.events_applied, log.length);
    assert.deepEqual(fresh.diagnostics, []);
  } finally {
    fresh.store.close();
  }
}

describe('concurrent writers in separate processes', () => {
  it('two processes × 1500 commits leave seqs contiguous, nothing lost or duplicated', async () => {
    await appendersOnOneRun(2, 1500, 'none');
  });

  it('four processes × 400 commits likewise', async () => {
    await appendersOnOneRun(4, 400, 'none');
  });

  it("with durability 'fsync' (two processes × 150 commits)", async () => {
    await appendersOnOneRun(2, 150, 'fsync');
  });

  it('four claimers never get the same task; every task is claimed exactly once', async () => {
    const root = tempRoot();
    roots.push(root);
    const { store } = openStore(root);
    await store.execute('createRun', { run_id: 'claims', objective: 'claims' });
    const ids = Array.from({ length: 200 }, (_, i) => `task-${i}`);
    await store.execute('createTasks', { run_id: 'claims', tasks: ids.map((id) => ({ id, task_type: 'work' })) });
    store.close();

    const workers = ['a0', 'a1', 'a2', 'a3'].map((agent) => startWorker('claimer', [root, 'claims', agent]));
    await runTogether(workers);

    const claims = workers.flatMap((w) =>
      w.lines.filter((l): l is { task_id: string; lease_token: string; agent: string } => 'task_id' in (l as object)),
    );
    const claimed = claims.map((c) => c.task_id);
    assert.equal(claimed.length, 200, 'every claim acknowledged once in total');
    assert.deepEqual([...new Set(claimed)].sort(), [...ids].sort(), 'each task claimed exactly once');
    assert.ok(workers.filter((w) => w.lines.length > 2).length >= 2, 'more than one process got tasks');

    const log: EventRecord[] = readLogEvents(root, 'claims');
    assertContiguous(log);
    const claimEvents = log.filter((e) => e.type === EVENT.taskClaimed);
    assert.equal(claimEvents.length, 200);
    for (const c of claims) {
      const e = claimEvents.find((x) => x.task_id === c.task_id)!;
      assert.equal((e.payload as { task: Task }).task.lease_token, c.lease_token);
      assert.equal((e.payload as { task: Task }).task.lease_owner, c.agent);
    }
  });
});
