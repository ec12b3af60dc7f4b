// Checkpoint files and replay bases: naming, several at one seq, unreadable files, and the
// replay range rules.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { DomainError } from '../../../server/src/engine/errors';
import { RunService } from '../../../server/src/service/runService';
import { openStore, removeTree, runFolder, tempRoot, TestStore } from './helpers';

const roots: string[] = [];
after(() => {
  for (const r of roots) removeTree(r);
});

const domainCode = (code: string) => (e: unknown) => e instanceof DomainError && e.code === code;

/** A clock that moves 1 s per reading, so checkpoints taken back to back differ in ts_ms. */
function steppingClock(): () => number {
  let t = Date.now();
  return () => (t += 1000);
}

async function note(store: RunService, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await store.execute('appendEvent', { run_id: 'cp', type: 'note', status: 'running', payload: { i } });
}

async function setup(): Promise<TestStore & { root: string; dir: string }> {
  const root = tempRoot();
  roots.push(root);
  const t = openStore(root, { clock: steppingClock() });
  await t.store.execute('createRun', { run_id: 'cp', objective: 'checkpoints' });
  return { ...t, root, dir: path.join(runFolder(root, 'cp'), 'checkpoints') };
}

describe('checkpoints', () => {
  it('are files <20-digit seq>-<checkpoint_id>.json holding the checkpoint, written without leftovers', async () => {
    const { store, dir } = await setup();
    try {
      await note(store, 2);
      await store.execute('patchBlackboard', { run_id: 'cp', op: 'add_fact', payload: { text: 'a fact' } });
      await store.execute('createTasks', { run_id: 'cp', tasks: [{ id: 't1', task_type: 'work' }] });
      const { checkpoint } = await store.execute('createCheckpoint', { run_id: 'cp', reason: 'first' });
      assert.equal(checkpoint.seq, 5);
      assert.equal(checkpoint.run.last_event_seq, 5);
      assert.equal(checkpoint.blackboard.tasks.length, 1);
      assert.deepEqual(fs.readdirSync(dir), [`00000000000000000005-${checkpoint.checkpoint_id}.json`]);
      const onDisk = JSON.parse(fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]), 'utf8'));
      assert.deepEqual(onDisk, checkpoint);
      const { checkpoint: latest } = await store.execute('latestCheckpoint', { run_id: 'cp' });
      assert.deepEqual(latest, checkpoint);
      // A checkpoint records no event.
      assert.equal((await store.execute('getRun', { run_id: 'cp' })).run.last_event_seq, 5);
    } finally {
      store.close();
    }
  });

  it("a file where the checkpoints folder goes: STORAGE_ERROR saying so, not mkdir's EEXIST", async () => {
    const { store, dir } = await setup();
    try {
      fs.writeFileSync(dir, 'not a folder');
      await assert.rejects(
        store.execute('createCheckpoint', { run_id: 'cp', reason: 'blocked' }),
        (e) =>
          e instanceof DomainError &&
          e.code === 'STORAGE_ERROR' &&
          e.message === `Cannot write the checkpoint: ${dir} is a file, not a folder: move it away to keep checkpoints`,
      );
    } finally {
      store.close();
    }
  });

  it('two checkpoints at the same seq are both kept; latest is the later one', async () => {
    const { store, dir } = await setup();
    try {
      await note(store, 1);
      const { checkpoint: a } = await store.execute('createCheckpoint', { run_id: 'cp', reason: 'a' });
      const { checkpoint: b } = await store.execute('createCheckpoint', { run_id: 'cp', reason: 'b' });
      assert.equal(a.seq, 2);
      assert.equal(b.seq, 2);
      assert.ok(b.ts_ms > a.ts_ms);
      assert.equal(fs.readdirSync(dir).length, 2);
      const { checkpoints } = await store.execute('listCheckpoints', { run_id: 'cp' });
      assert.deepEqual(
        checkpoints.map((c) => c.checkpoint_id),
        [a.checkpoint_id, b.checkpoint_id],
      );
      assert.deepEqual(
        checkpoints.map((c) => c.reason),
        ['a', 'b'],
      );
      assert.equal((await store.execute('latestCheckpoint', { run_id: 'cp' })).checkpoint?.checkpoint_id, b.checkpoint_id);
    } finally {
      store.close();
    }
  });

  it('an unreadable checkpoint is listed as such, skipped by latest and replay (with a diagnostic), refused by name', async () => {
    const { store, dir, diagnostics } = await setup();
    try {
      await note(store, 2);
      const { checkpoint: good } = await store.execute('createCheckpoint', { run_id: 'cp', reason: 'good' });
      await note(store, 2);
      const broken = path.join(dir, '00000000000000000005-cp-broken.json');
      fs.writeFileSync(broken, '{"checkpoint_id": "cp-broken", "seq": 5, trailing garbage');

      const { checkpoints } = await store.execute('listCheckpoints', { run_id: 'cp' });
      assert.deepEqual(checkpoints, [
        { checkpoint_id: good.checkpoint_id, seq: 3, ts_ms: good.ts_ms, reason: 'good' },
        { checkpoint_id: 'cp-broken', seq: 5, ts_ms: 0, reason: '', unreadable: true },
      ]);
      assert.equal((await store.execute('latestCheckpoint', { run_id: 'cp' })).checkpoint?.checkpoint_id, good.checkpoint_id);

      const replay = await store.execute('replay', { run_id: 'cp' });
      assert.equal(replay.from_checkpoint, true);
      assert.equal(replay.checkpoint_seq, 3);
      assert.equal(replay.events_applied, 2);
      assert.equal(replay.drift.mismatch, false);

      const about = diagnostics.filter((d) => d.file === broken);
      assert.equal(about.length, 1, `reported once: ${JSON.stringify(diagnostics)}`);
      assert.equal(about[0].run_id, 'cp');

      await assert.rejects(
        store.execute('replay', { run_id: 'cp', checkpoint_id: 'cp-broken' }),
        (e: unknown) => domainCode('CHECKPOINT_UNREADABLE')(e) && (e as DomainError).details.checkpoint_id === 'cp-broken',
      );
      await assert.rejects(store.execute('replay', { run_id: 'cp', checkpoint_id: 'cp-nope' }), domainCode('CHECKPOINT_NOT_FOUND'));
      // Files that do not follow the naming pattern are not checkpoints at all.
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello');
      fs.writeFileSync(path.join(dir, '5-short.json'), '{}');
      assert.equal((await store.execute('listCheckpoints', { run_id: 'cp' })).checkpoints.length, 2);
    } finally {
      store.close();
    }
  });

  it('a checkpoint file of another run, or renamed to another seq, is no checkpoint of this run: listed unreadable, saying why; replay passes it by', async () => {
    const { store, dir, diagnostics, root } = await setup();
    try {
      await note(store, 2);
      const { checkpoint: own } = await store.execute('createCheckpoint', { run_id: 'cp', reason: 'own' });
      await store.execute('createRun', { run_id: 'other', objective: 'another run' });
      await store.execute('createTasks', { run_id: 'other', tasks: [{ id: 'x', task_type: 'w' }] });
      for (let i = 0; i < 3; i++) await store.execute('appendEvent', { run_id: 'other', type: 'note', status: 'running' });
      const { checkpoint: theirs } = await store.execute('createCheckpoint', { run_id: 'other', reason: 'theirs' });
      const theirDir = path.join(runFolder(root, 'other'), 'checkpoints');
      const theirFile = fs.readdirSync(theirDir)[0];
      fs.copyFileSync(path.join(theirDir, theirFile), path.join(dir, theirFile));
      // Its own checkpoint again, under a name that says another seq.
      const ownFile = fs.readdirSync(dir).find((f) => f.includes(own.checkpoint_id))!;
      const renamed = `00000000000000000004-cp-renamed.json`;
      fs.copyFileSync(path.join(dir, ownFile), path.join(dir, renamed));
      await note(store, 2);

      const { checkpoints } = await store.execute('listCheckpoints', { run_id: 'cp' });
      assert.deepEqual(
        checkpoints.map((c) => [c.checkpoint_id, c.seq, c.unreadable ?? false]),
        [
          [own.checkpoint_id, 3, false],
          ['cp-renamed', 4, true],
          [theirs.checkpoint_id, theirs.seq, true],
        ],
      );
      const why = diagnostics.map((d) => d.message).join('\n');
      assert.match(why, /it is a checkpoint of run other, not of cp/);
      assert.match(why, new RegExp(`it holds checkpoint ${own.checkpoint_id} at seq 3, not what its file name says`));
      const replay = await store.execute('replay', { run_id: 'cp' });
      assert.deepEqual([replay.checkpoint_seq, replay.drift.mismatch], [3, false]);
    } finally {
      store.close();
    }
  });

  it('replay ranges: out of range is refused; below the latest checkpoint it falls back to an older one or scratch', async () => {
    const { store } = await setup();
    try {
      await note(store, 2); // seq 3
      const { checkpoint: early } = await store.execute('createCheckpoint', { run_id: 'cp', reason: 'early' });
      await note(store, 5); // seq 8
      const { checkpoint: late } = await store.execute('createCheckpoint', { run_id: 'cp', reason: 'late' });
      await note(store, 2); // seq 10

      for (const upto_seq of [0, -1, 11, 1000]) {
        await assert.rejects(
          store.execute('replay', { run_id: 'cp', upto_seq }),
          (e: unknown) => domainCode('REPLAY_RANGE_INVALID')(e) && (e as DomainError).details.last_seq === 10,
          `upto_seq ${upto_seq}`,
        );
      }
      await assert.rejects(
        store.execute('replay', { run_id: 'cp', checkpoint_id: late.checkpoint_id, upto_seq: 5 }),
        (e: unknown) => domainCode('REPLAY_RANGE_INVALID')(e) && (e as DomainError).details.checkpoint_seq === 8,
      );

      const full = await store.execute('replay', { run_id: 'cp' });
      assert.equal(full.checkpoint_seq, 8);
      assert.equal(full.events_applied, 2);

      const mid = await store.execute('replay', { run_id: 'cp', upto_seq: 5 });
      assert.equal(mid.checkpoint_seq, early.seq);
      assert.equal(mid.events_applied, 2);
      assert.equal(mid.replay.last_event_seq, 5);
      assert.equal(mid.drift.last_event_seq_mismatch, true, 'replayed to an earlier seq, the flags show what changed since');

      const low = await store.execute('replay', { run_id: 'cp', upto_seq: 2 });
      assert.equal(low.from_checkpoint, false);
      assert.equal(low.checkpoint_seq, null);
      assert.equal(low.events_applied, 2);

      const scratch = await store.execute('replay', { run_id: 'cp', upto_seq: 5, from_checkpoint: false });
      assert.equal(scratch.events_applied, 5);
      assert.deepEqual(scratch.replay, mid.replay, 'a checkpoint base and a fold from scratch agree');
      assert.deepEqual(scratch.replay_blackboard, mid.replay_blackboard);

      const named = await store.execute('replay', { run_id: 'cp', checkpoint_id: early.checkpoint_id });
      assert.equal(named.checkpoint_seq, 3);
      assert.equal(named.events_applied, 7);
      assert.deepEqual(named.replay, full.replay);
    } finally {
      store.close();
    }
  });

  it('checkpoints made by one store are seen by another', async () => {
    const { store, root } = await setup();
    const { checkpoint } = await store.execute('createCheckpoint', { run_id: 'cp', reason: 'shared' });
    store.close();
    const other = openStore(root);
    try {
      assert.deepEqual((await other.store.execute('latestCheckpoint', { run_id: 'cp' })).checkpoint, checkpoint);
    } finally {
      other.store.close();
    }
  });
});
