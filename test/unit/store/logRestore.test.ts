// repairRun with `restore`: a damaged line's effects put back from the caches or a checkpoint
// written before the damage, recorded in the log so that every later reader — live, a load
// without caches, replay — folds to the restored state; and where no source predates the damage,
// a clear refusal. Also: damage the caches cover is found by a repair's look and, when the log
// was replaced since the caches were written, by the load itself.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { DomainError } from '../../../server/src/engine/errors';
import { RUN_FORMAT } from '../../../contract/events';
import { EventRecord } from '../../../contract/schemas/records';
import { deleteCaches, logFile, openStore, removeTree, runFolder, tempRoot } from './helpers';

const roots: string[] = [];
after(() => {
  for (const r of roots) removeTree(r);
});

const RUN = 'r';

/**
 * Run r: tasks a and b, a claimed and completed (command id complete-a), a fact, a note; the caches
 * written at the end (or, with `checkpoint`, a checkpoint there and no caches).
 */
async function finishedTaskRun(opts: { checkpoint?: boolean } = {}): Promise<{ root: string; leaseOf: string }> {
  const root = tempRoot();
  roots.push(root);
  const { store } = openStore(root, { snapshotDelayMs: opts.checkpoint ? null : 1000 });
  await store.execute('createRun', { run_id: RUN, objective: 'restore' });
  await store.execute('createTasks', {
    run_id: RUN,
    tasks: [
      { id: 'a', task_type: 'work' },
      { id: 'b', task_type: 'work' },
    ],
  });
  const { task } = await store.execute('claimTask', { run_id: RUN, agent_id: 'x', task_id: 'a' });
  await store.execute('transitionTask', {
    run_id: RUN,
    task_id: 'a',
    action: 'complete',
    lease_token: task!.lease_token,
    command_id: 'complete-a',
  });
  await store.execute('patchBlackboard', { run_id: RUN, op: 'add_fact', payload: { text: 'a is done' } });
  await store.execute('appendEvent', { run_id: RUN, type: 'note', status: 'running' });
  if (opts.checkpoint) await store.execute('createCheckpoint', { run_id: RUN, reason: 'before the damage' });
  store.close();
  if (opts.checkpoint) deleteCaches(root, RUN);
  return { root, leaseOf: task!.lease_token! };
}

function logLines(root: string): string[] {
  return fs
    .readFileSync(logFile(root, RUN), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/** Overwrites (in place) the line of the first event of `type` with `garbage`; returns its 1-based line. */
function damageLineOf(root: string, type: string, garbage: (line: string) => string): number {
  const lines = logLines(root);
  const i = lines.findIndex((l) => (JSON.parse(l) as EventRecord).type === type);
  assert.ok(i >= 0, `no ${type} line`);
  lines[i] = garbage(lines[i]);
  fs.writeFileSync(logFile(root, RUN), lines.join('\n') + '\n');
  return i + 1;
}

const SHORT_GARBAGE = () => '<<<<<<< HEAD';
/** The same number of bytes, no longer JSON: the caches' offset still ends their line. */
const SAME_LENGTH_GARBAGE = (line: string) => 'x'.repeat(Buffer.byteLength(line));

describe('repair with restore', () => {
  it('puts back a completed task and its command id from the caches; writes resume; a load without caches and replay agree', async () => {
    const { root, leaseOf } = await finishedTaskRun();
    const line = damageLineOf(root, 'context.task.completed', SHORT_GARBAGE);

    const s = openStore(root);
    try {
      const { run, damage } = await s.store.execute('getRun', { run_id: RUN });
      assert.deepEqual(
        damage?.map((d) => d.line),
        [line, line + 1],
        'the garbage line, and the seq missing before the next',
      );
      assert.notEqual(run.tasks.find((t) => t.id === 'a')?.status, 'done', 'folded around the damage, a is not done');

      const look = await s.store.execute('repairRun', { run_id: RUN });
      assert.equal(look.event, null);
      assert.deepEqual(look.restore, {
        available: true,
        from: 'cache',
        seq: look.restore?.available ? look.restore.seq : -1,
        run_fields: [],
        tasks: ['a'],
        blackboard_items: 0,
        commands: 1,
      });
      await assert.rejects(
        s.store.execute('appendEvent', { run_id: RUN, type: 'note', status: 'running' }),
        (e) => e instanceof DomainError && e.code === 'RUN_DAMAGED',
      );

      const done = await s.store.execute('repairRun', { run_id: RUN, restore: true });
      assert.equal(done.event?.type, 'context.log.repaired');
      const payload = done.event?.payload as { restored?: { from: string; tasks: { id: string }[] }; damage: unknown[] };
      assert.equal(payload.restored?.from, 'cache');
      assert.deepEqual(
        payload.restored?.tasks.map((t) => t.id),
        ['a'],
      );
      assert.equal(payload.damage.length, 2);

      const { run: restored, damage: left } = await s.store.execute('getRun', { run_id: RUN });
      assert.equal(left, undefined);
      assert.equal(restored.tasks.find((t) => t.id === 'a')?.status, 'done');
      // The lost command's retry is recognised, not run again.
      const retry = await s.store.execute('transitionTask', {
        run_id: RUN,
        task_id: 'a',
        action: 'complete',
        lease_token: leaseOf,
        command_id: 'complete-a',
      });
      assert.equal((retry as { deduped?: boolean }).deduped, true);
      // The next claim is b: a stays done.
      const { task } = await s.store.execute('claimTask', { run_id: RUN, agent_id: 'y' });
      assert.equal(task?.id, 'b');
    } finally {
      s.store.close();
    }
    assert.ok(logLines(root).includes('<<<<<<< HEAD'), 'the damaged line stays as it was');

    deleteCaches(root, RUN);
    const fresh = openStore(root);
    try {
      const { run, damage } = await fresh.store.execute('getRun', { run_id: RUN });
      assert.equal(damage, undefined, 'accepted by the repair event');
      assert.equal(run.tasks.find((t) => t.id === 'a')?.status, 'done', 'a load from the log alone reaches the restored state');
      assert.equal(run.tasks.find((t) => t.id === 'b')?.status, 'in_progress');
      for (const from_checkpoint of [true, false]) {
        const replay = await fresh.store.execute('replay', { run_id: RUN, from_checkpoint });
        assert.equal(replay.drift.mismatch, false, JSON.stringify(replay.drift));
      }
    } finally {
      fresh.store.close();
    }
  });

  for (const checkpoint of [false, true]) {
    it(`puts back the run itself when the line of its creation is damaged, from ${checkpoint ? 'a checkpoint' : 'the caches'}: until then the run reads around it, read-only`, async () => {
      const { root } = await finishedTaskRun({ checkpoint });
      if (checkpoint) {
        // An event after the checkpoint: the restore carries the checkpoint's state forward over it.
        const w = openStore(root, { snapshotDelayMs: null });
        await w.store.execute('appendEvent', { run_id: RUN, type: 'note', status: 'running' });
        w.store.close();
        deleteCaches(root, RUN);
      }
      assert.equal(damageLineOf(root, 'context.run.created', SHORT_GARBAGE), 1);
      const s = openStore(root);
      try {
        const { run, damage } = await s.store.execute('getRun', { run_id: RUN });
        assert.deepEqual(
          damage?.map((d) => d.line),
          [1, 2],
          'the garbage line, and seq 1 missing before the next',
        );
        assert.equal(run.objective, '', 'what only the creation held is lost');
        assert.equal(run.tasks.find((t) => t.id === 'a')?.status, 'done', 'the events after it still count');
        await assert.rejects(
          s.store.execute('appendEvent', { run_id: RUN, type: 'note', status: 'running' }),
          (e) => e instanceof DomainError && e.code === 'RUN_DAMAGED',
        );
        const look = await s.store.execute('repairRun', { run_id: RUN });
        assert.ok(look.restore?.available, JSON.stringify(look.restore));
        assert.equal(look.restore.from, checkpoint ? 'checkpoint' : 'cache');
        if (checkpoint) {
          const { checkpoints } = await s.store.execute('listCheckpoints', { run_id: RUN });
          assert.equal(look.restore.seq, checkpoints[0].seq, 'the seq the checkpoint was taken at');
        }
        assert.deepEqual(look.restore.run_fields, ['created_at_ms', 'format', 'objective']);
        await s.store.execute('repairRun', { run_id: RUN, restore: true });
        const { run: back, damage: left } = await s.store.execute('getRun', { run_id: RUN });
        assert.deepEqual([back.objective, back.format, left], ['restore', RUN_FORMAT, undefined]);
        // A change of the run's own format (4: cancelling a task) is allowed again: the format came back with the run.
        await s.store.execute('cancelTask', { run_id: RUN, task_id: 'b', reason: 'not needed' });
      } finally {
        s.store.close();
      }
      deleteCaches(root, RUN);
      const fresh = openStore(root);
      try {
        const { run, damage } = await fresh.store.execute('getRun', { run_id: RUN });
        assert.deepEqual([run.objective, run.tasks.find((t) => t.id === 'b')?.status, damage], ['restore', 'cancelled', undefined]);
        for (const from_checkpoint of [true, false]) {
          const replay = await fresh.store.execute('replay', { run_id: RUN, from_checkpoint });
          assert.equal(replay.drift.mismatch, false, JSON.stringify(replay.drift));
        }
      } finally {
        fresh.store.close();
      }
    });
  }

  it('a run whose creation line is damaged and that nothing can restore reads around it; accepted, it takes writes of the oldest format', async () => {
    const { root } = await finishedTaskRun({ checkpoint: true });
    fs.rmSync(path.join(runFolder(root, RUN), 'checkpoints'), { recursive: true });
    damageLineOf(root, 'context.run.created', SHORT_GARBAGE);
    const s = openStore(root);
    try {
      const look = await s.store.execute('repairRun', { run_id: RUN });
      assert.deepEqual(look.restore, { available: false, reason: 'there are no caches or checkpoints beside the log' });
      await s.store.execute('repairRun', { run_id: RUN, accept: true });
      const { run } = await s.store.execute('getRun', { run_id: RUN });
      assert.deepEqual([run.objective, run.tasks.map((t) => t.status)], ['', ['done', 'pending']]);
      await s.store.execute('patchBlackboard', { run_id: RUN, op: 'add_fact', payload: { text: 'written after' } });
      // Its format was in the lost line: the oldest is assumed, so that no older Runboard meets an event it does not know.
      await assert.rejects(
        s.store.execute('cancelTask', { run_id: RUN, task_id: 'b' }),
        (e) => e instanceof DomainError && e.code === 'RUN_FORMAT_TOO_OLD',
      );
    } finally {
      s.store.close();
    }
  });

  it('puts back a lost fact from a checkpoint when there are no caches', async () => {
    const { root } = await finishedTaskRun({ checkpoint: true });
    damageLineOf(root, 'context.blackboard.patched', SHORT_GARBAGE);
    const s = openStore(root);
    try {
      const look = await s.store.execute('repairRun', { run_id: RUN });
      assert.ok(look.restore?.available, JSON.stringify(look.restore));
      assert.equal(look.restore.from, 'checkpoint');
      assert.equal(look.restore.blackboard_items, 1);
      assert.match(look.restore.checkpoint_id ?? '', /^cp/);
      await s.store.execute('repairRun', { run_id: RUN, restore: true });
      const { blackboard } = await s.store.execute('getBlackboard', { run_id: RUN });
      assert.deepEqual(
        blackboard.facts.map((f) => f.text),
        ['a is done'],
      );
      await s.store.execute('appendEvent', { run_id: RUN, type: 'note', status: 'running' });
    } finally {
      s.store.close();
    }
  });

  it('is refused, naming why, when the damage comes after every cache and checkpoint; accept still works', async () => {
    const { root } = await finishedTaskRun();
    const w = openStore(root, { snapshotDelayMs: null, snapshotLagEvents: 1_000_000 });
    await w.store.execute('patchBlackboard', { run_id: RUN, op: 'add_fact', payload: { text: 'after the caches' } });
    w.store.close();
    const lines = logLines(root);
    lines[lines.length - 1] = '{"not":"an event"}';
    lines.push(
      JSON.stringify({
        ...JSON.parse(logLines(root)[lines.length - 1]),
        seq: lines.length + 1,
        revision: lines.length + 1,
        event_id: 'evt-later',
      }),
    );
    fs.writeFileSync(logFile(root, RUN), lines.join('\n') + '\n');

    const s = openStore(root);
    try {
      const look = await s.store.execute('repairRun', { run_id: RUN });
      assert.equal(look.restore?.available, false);
      assert.match(look.restore && !look.restore.available ? look.restore.reason : '', /the caches: the damage at line \d+ comes after it/);
      await assert.rejects(
        s.store.execute('repairRun', { run_id: RUN, restore: true }),
        (e) => e instanceof DomainError && e.code === 'RESTORE_UNAVAILABLE' && /--accept/.test(e.message),
      );
      const accepted = await s.store.execute('repairRun', { run_id: RUN, accept: true });
      assert.equal((accepted.event?.payload as { restored?: unknown }).restored, undefined);
      await s.store.execute('appendEvent', { run_id: RUN, type: 'note', status: 'running' });
    } finally {
      s.store.close();
    }
  });

  it('does not take caches of another history', async () => {
    const { root } = await finishedTaskRun();
    const runJson = path.join(runFolder(root, RUN), 'run.json');
    const cached = JSON.parse(fs.readFileSync(runJson, 'utf8'));
    cached.updated_at_ms += 1;
    fs.writeFileSync(runJson, JSON.stringify(cached));
    damageLineOf(root, 'context.task.completed', SHORT_GARBAGE);
    const s = openStore(root);
    try {
      const look = await s.store.execute('repairRun', { run_id: RUN });
      assert.equal(look.restore?.available, false);
      assert.match(look.restore && !look.restore.available ? look.restore.reason : '', /does not match the log's event at seq/);
    } finally {
      s.store.close();
    }
  });

  const EDITS: [string, (cached: any) => void, RegExp][] = [
    [
      'a task at the rev the log has',
      (c) => (c.tasks.find((t: { id: string }) => t.id === 'b').payload = { title: 'LIE' }),
      /its task b at rev \d+ is not what the log's events made of it/,
    ],
    ["the run's objective", (c) => (c.objective = 'LIED OBJECTIVE'), /its run objective is not the one the log's creation event says/],
  ];
  for (const [what, edit, said] of EDITS) {
    it(`does not take caches edited by hand: ${what}, unlike what the intact log says`, async () => {
      const { root } = await finishedTaskRun();
      const runJson = path.join(runFolder(root, RUN), 'run.json');
      const cached = JSON.parse(fs.readFileSync(runJson, 'utf8'));
      edit(cached);
      fs.writeFileSync(runJson, JSON.stringify(cached));
      damageLineOf(root, 'context.blackboard.patched', SHORT_GARBAGE);
      const s = openStore(root);
      try {
        const look = await s.store.execute('repairRun', { run_id: RUN });
        assert.equal(look.restore?.available, false);
        assert.match(look.restore && !look.restore.available ? look.restore.reason : '', said);
      } finally {
        s.store.close();
      }
    });
  }
});

describe('damage in the part of the log the caches cover', () => {
  it('edited in place without changing its length: not seen by the load, found by the repair look, which makes the run read-only', async () => {
    const { root } = await finishedTaskRun();
    damageLineOf(root, 'context.task.completed', SAME_LENGTH_GARBAGE);
    const s = openStore(root);
    try {
      const { run, damage } = await s.store.execute('getRun', { run_id: RUN });
      assert.equal(damage, undefined, 'the caches cover it: the load reads only what follows them');
      assert.equal(run.tasks.find((t) => t.id === 'a')?.status, 'done');
      const look = await s.store.execute('repairRun', { run_id: RUN });
      assert.equal(look.damage.length, 2);
      assert.ok(look.restore?.available);
      await assert.rejects(
        s.store.execute('appendEvent', { run_id: RUN, type: 'note', status: 'running' }),
        (e) => e instanceof DomainError && e.code === 'RUN_DAMAGED',
      );
      await s.store.execute('repairRun', { run_id: RUN, restore: true });
      await s.store.execute('appendEvent', { run_id: RUN, type: 'note', status: 'running' });
    } finally {
      s.store.close();
    }
  });

  it('in a log replaced since the caches were written (an editor saved it): found by the load', async () => {
    const { root } = await finishedTaskRun();
    const file = logFile(root, RUN);
    const lines = logLines(root);
    const i = lines.findIndex((l) => (JSON.parse(l) as EventRecord).type === 'context.task.completed');
    lines[i] = SAME_LENGTH_GARBAGE(lines[i]);
    fs.writeFileSync(`${file}.save~`, lines.join('\n') + '\n');
    fs.renameSync(`${file}.save~`, file);
    const s = openStore(root);
    try {
      const { damage } = await s.store.execute('getRun', { run_id: RUN });
      assert.deepEqual(
        damage?.map((d) => d.line),
        [i + 1, i + 2],
      );
    } finally {
      s.store.close();
    }
  });

  it("a line removed before the caches' offset (in place): found by the load, even when the offset still falls on a line end", async () => {
    const root = tempRoot();
    roots.push(root);
    // Notes of equal length (seqs 2–8): the caches at seq 5, three more notes after them.
    const note = (st: ReturnType<typeof openStore>, i: number) =>
      st.store.execute('appendEvent', { run_id: RUN, type: 'note', status: 'running', payload: { i } });
    const w = openStore(root);
    await w.store.execute('createRun', { run_id: RUN, objective: 'equal lines' });
    for (let i = 0; i < 4; i++) await note(w, i);
    w.store.close();
    const later = openStore(root, { snapshotDelayMs: null, snapshotLagEvents: 1_000_000 });
    for (let i = 4; i < 7; i++) await note(later, i);
    later.store.close();
    const lines = logLines(root);
    assert.equal(new Set(lines.slice(1).map((l) => l.length)).size, 1, 'the notes have equal lengths');
    lines.splice(2, 1); // seq 3: the caches' offset now ends seq 6's line
    fs.writeFileSync(logFile(root, RUN), lines.join('\n') + '\n');
    const s = openStore(root);
    try {
      const { damage } = await s.store.execute('getRun', { run_id: RUN });
      assert.deepEqual(
        damage?.map((d) => d.missing),
        [[3, 3]],
      );
    } finally {
      s.store.close();
    }
  });
});
