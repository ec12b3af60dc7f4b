// Archived runs on the file store (PROTOCOL.md §Archived runs): archive → the run leaves listRuns
// and runs/, reads and replays from its sealed segments without drift, refuses writes; restore →
// the same log byte for byte, checkpoints and all, and the same state; only finished runs go,
// unless forced (leases requeued first); a second process sees each step.
import assert from 'node:assert/strict';
// The module itself, not a namespace copy of it: a test puts its own rmSync in the store's way.
import fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ARCHIVED_CHECKPOINTS_DIR,
  heldRunDir,
  SEALS_DIR,
  SEGMENT_LIMITS,
  SEGMENTS_DIR,
} from '../../../server/src/store/file/archive/archiveFormat';
import { RunService } from '../../../server/src/service/runService';
import { archiveDue } from '../../../server/src/service/archiveDue';
import { logFile, removeTree, runFolder, tempRoot } from './helpers';
import { DomainError } from '../../../server/src/engine/errors';

const roots: string[] = [];
after(() => roots.forEach(removeTree));

async function finishedRun(s: RunService, runId: string, tasks: number): Promise<void> {
  await s.execute('createRun', { run_id: runId, objective: `archive ${runId}` });
  await s.execute('createTasks', { run_id: runId, tasks: Array.from({ length: tasks }, (_, i) => ({ id: `t${i}`, task_type: 'work' })) });
  for (let i = 0; i < tasks; i++) {
    const { task } = await s.execute('claimTask', { run_id: runId, agent_id: `agent-${i % 3}` });
    await s.execute('transitionTask', { run_id: runId, task_id: task!.id, action: 'heartbeat', lease_token: task!.lease_token });
    await s.execute('transitionTask', { run_id: runId, task_id: task!.id, action: 'complete', lease_token: task!.lease_token });
  }
  await s.execute('createCheckpoint', { run_id: runId, reason: 'before archiving' });
  await s.execute('finishRun', { run_id: runId, status: 'completed' });
}

/** Another process's turn: `restore` (a write, or restoreRun) and a compaction of `runId` anew, sealed at another millisecond than the one before. */
function compactedAnew(mover: RunService, runId: string, restore: () => Promise<unknown>): () => Promise<unknown> {
  return async () => {
    await restore();
    const sealedAt = Date.now();
    while (Date.now() === sealedAt) await new Promise((r) => setImmediate(r));
    return mover.execute('compactRun', { run_id: runId });
  };
}

/**
 * `read` with `move` put between its look at a compacted run's folder and its first open of a file
 * in `folder` (seals, segments, checkpoints), as a busy machine may: those files are read on the
 * thread pool. Whether the move was made.
 */
async function moveDuringRead<T>(
  folder: string,
  move: () => Promise<unknown>,
  read: () => Promise<T>,
): Promise<{ result: T; moved: boolean }> {
  const realOpen = fs.promises.open;
  let moved = false;
  fs.promises.open = async (file, flags, mode) => {
    if (!moved && String(file).includes(`${path.sep}${folder}${path.sep}`)) {
      moved = true;
      await move();
    }
    return realOpen(file, flags, mode);
  };
  try {
    return { result: await read(), moved };
  } finally {
    fs.promises.open = realOpen;
  }
}

const code = (e: unknown) => (e as { code?: string }).code;
const noDrift = (d: object) => Object.entries(d).filter(([, v]) => v !== false);

describe('archived runs', () => {
  it('archive → out of listRuns, read and replayed from segments without drift, writes refused → restore gives back the same log', async () => {
    const root = tempRoot();
    roots.push(root);
    const s = new RunService([root], { durability: 'fsync' });
    const other = new RunService([root], { durability: 'none' });
    try {
      await finishedRun(s, 'done-run', 40);
      const logBefore = fs.readFileSync(logFile(root, 'done-run'));
      const before = await s.execute('getRun', { run_id: 'done-run' });
      const eventsBefore = (await s.execute('listEvents', { run_id: 'done-run', limit: 1000 })).events;
      const checkpointsBefore = (await s.execute('listCheckpoints', { run_id: 'done-run' })).checkpoints;

      const { archived, requeued } = await s.execute('archiveRun', { run_id: 'done-run', reason: 'shipped', by: 'ann' });
      assert.deepEqual(requeued, []);
      assert.equal(archived.run_id, 'done-run');
      assert.equal(archived.status, 'completed');
      assert.equal(archived.archived_by, 'ann');
      assert.equal(archived.reason, 'shipped');
      assert.equal(archived.log_bytes, logBefore.length);
      assert.ok(archived.archive_bytes < logBefore.length / 3, `${archived.archive_bytes} of ${logBefore.length} bytes`);
      assert.equal(fs.existsSync(runFolder(root, 'done-run')), false, 'the run left runs/');

      for (const svc of [s, other]) {
        const listed = await svc.execute('listRuns', {});
        assert.deepEqual(
          listed.runs.map((r) => r.run_id),
          [],
          'not listed',
        );
        const withArchived = await svc.execute('listRuns', { archived: true });
        assert.deepEqual(
          withArchived.archived?.map((a) => a.run_id),
          ['done-run'],
        );
        const got = await svc.execute('getRun', { run_id: 'done-run' });
        assert.deepEqual(got.run, before.run);
        assert.deepEqual(got.blackboard, before.blackboard);
        assert.equal(got.archived?.archived_by, 'ann');
        assert.deepEqual((await svc.execute('listEvents', { run_id: 'done-run', limit: 1000 })).events, eventsBefore);
        assert.deepEqual(
          (await svc.execute('listEvents', { run_id: 'done-run', since_seq: 50, limit: 7 })).events,
          eventsBefore.slice(50, 57),
        );
        const replay = await svc.execute('replay', { run_id: 'done-run', from_checkpoint: false });
        assert.deepEqual(noDrift(replay.drift), [], 'no drift');
        assert.equal(replay.events_applied, before.run.last_event_seq);
        assert.deepEqual(replay.replay, before.run);
        const upto = await svc.execute('replay', { run_id: 'done-run', upto_seq: 30, from_checkpoint: false });
        assert.equal(upto.replay.last_event_seq, 30);
        assert.deepEqual((await svc.execute('listCheckpoints', { run_id: 'done-run' })).checkpoints, checkpointsBefore);
        await assert.rejects(
          svc.execute('appendEvent', { run_id: 'done-run', type: 'note', status: 'completed' }),
          (e) => code(e) === 'RUN_ARCHIVED',
        );
        await assert.rejects(svc.execute('createCheckpoint', { run_id: 'done-run', reason: 'x' }), (e) => code(e) === 'RUN_ARCHIVED');
      }
      const stats = await s.execute('runStats', { run_id: 'done-run' });
      assert.equal(stats.tasks.length, 40);
      // A repeat is answered with the archive as it is.
      assert.equal((await other.execute('archiveRun', { run_id: 'done-run' })).archived.archived_at_ms, archived.archived_at_ms);

      const { run } = await other.execute('restoreRun', { run_id: 'done-run' });
      assert.deepEqual(run, before.run);
      assert.deepEqual(fs.readFileSync(logFile(root, 'done-run')), logBefore, 'the log comes back byte for byte');
      assert.equal(fs.existsSync(path.join(root, '.runboard', 'archive', 'done-run')), false, 'the archive is gone');
      for (const svc of [s, other]) {
        assert.deepEqual(
          (await svc.execute('listRuns', {})).runs.map((r) => r.run_id),
          ['done-run'],
        );
        assert.deepEqual((await svc.execute('listRuns', { archived: true })).archived, []);
        const replay = await svc.execute('replay', { run_id: 'done-run' });
        assert.deepEqual(replay.replay, before.run);
        assert.deepEqual(noDrift(replay.drift), [], 'no drift');
        assert.deepEqual((await svc.execute('listCheckpoints', { run_id: 'done-run' })).checkpoints, checkpointsBefore);
        assert.equal((await svc.execute('getRun', { run_id: 'done-run' })).archived, undefined);
      }
      // Live again: it takes writes.
      await s.execute('createCheckpoint', { run_id: 'done-run', reason: 'after restoring' });
      assert.equal((await other.execute('listCheckpoints', { run_id: 'done-run' })).checkpoints.length, checkpointsBefore.length + 1);
      assert.equal((await s.execute('restoreRun', { run_id: 'done-run' })).run.run_id, 'done-run', 'restoring a live run answers it');
    } finally {
      s.close();
      other.close();
    }
  });

  it('only finished runs are archived; force requeues the leases first; a run of many segments reads by range', async () => {
    const root = tempRoot();
    roots.push(root);
    const s = new RunService([root], { durability: 'none' });
    try {
      await s.execute('createRun', { run_id: 'live', objective: 'still working' });
      await s.execute('createTasks', {
        run_id: 'live',
        tasks: [
          { id: 'held', task_type: 'w' },
          { id: 'free', task_type: 'w' },
        ],
      });
      await s.execute('claimTask', { run_id: 'live', agent_id: 'bob', task_id: 'held' });
      await assert.rejects(
        s.execute('archiveRun', { run_id: 'live' }),
        (e) => code(e) === 'RUN_NOT_FINISHED' && /force/.test((e as Error).message),
      );
      const forced = await s.execute('archiveRun', { run_id: 'live', force: true, by: 'ann' });
      assert.deepEqual(forced.requeued, ['held']);
      const got = await s.execute('getRun', { run_id: 'live' });
      assert.equal(got.run.tasks.find((t) => t.id === 'held')?.status, 'runnable');
      assert.equal(got.run.status, 'queued', 'a forced archive keeps the run as it was');
      await assert.rejects(s.execute('claimTask', { run_id: 'live', agent_id: 'bob' }), (e) => code(e) === 'RUN_ARCHIVED');

      // Many events: several segments; a range read unpacks only what holds it, and equals the whole.
      await s.execute('createRun', { run_id: 'long', objective: 'a long one' });
      const perBatch = 500;
      const batches = Math.ceil(SEGMENT_LIMITS.events / perBatch) + 3;
      const total = batches * perBatch;
      for (let i = 0; i < batches; i++)
        await s.execute('createTasks', {
          run_id: 'long',
          tasks: Array.from({ length: perBatch }, (_, j) => ({ id: `t${i}-${j}`, task_type: 'w' })),
        });
      await s.execute('finishRun', { run_id: 'long', status: 'failed', force: true });
      const last = (await s.execute('getRun', { run_id: 'long' })).run.last_event_seq;
      const tailBefore = (await s.execute('listEvents', { run_id: 'long', since_seq: last - 600, limit: 600 })).events;
      await s.execute('archiveRun', { run_id: 'long' });
      const segments = fs.readdirSync(path.join(root, '.runboard', 'archive', 'long', 'segments'));
      assert.ok(segments.length >= 2, `${segments.length} segments`);
      assert.deepEqual((await s.execute('listEvents', { run_id: 'long', since_seq: last - 600, limit: 600 })).events, tailBefore);
      const replay = await s.execute('replay', { run_id: 'long', from_checkpoint: false });
      assert.equal(replay.events_applied, last);
      assert.equal(replay.replay.tasks.length, total);
    } finally {
      s.close();
    }
  });

  it('an archived run keeps its id: one differing only in case is RUN_EXISTS, and one made before that rule is not restored beside it', async () => {
    const root = tempRoot();
    roots.push(root);
    const s = new RunService([root], { durability: 'none' });
    try {
      await s.execute('createRun', { run_id: 'X', objective: 'first' });
      await s.execute('finishRun', { run_id: 'X', status: 'completed' });
      await s.execute('archiveRun', { run_id: 'X' });
      await assert.rejects(s.execute('createRun', { run_id: 'x', objective: 'second' }), (e) => {
        assert.equal(code(e), 'RUN_EXISTS');
        assert.match(
          (e as Error).message,
          /^Run X exists in .*, archived and differs from x only in case: restore it \(runboard run restore X\)/,
        );
        assert.deepEqual((e as DomainError).details, { run_id: 'x', archived: true, existing_run_id: 'X' });
        return true;
      });
      // A run x made beside the archived X by an older Runboard (its folder put there by hand here).
      await s.execute('createRun', { run_id: 'y', objective: 'second' });
      fs.renameSync(runFolder(root, 'y'), runFolder(root, 'x'));
      fs.writeFileSync(logFile(root, 'x'), fs.readFileSync(logFile(root, 'x'), 'utf8').replaceAll('"run_id":"y"', '"run_id":"x"'));
      const other = new RunService([root], { durability: 'none' });
      try {
        await assert.rejects(
          other.execute('restoreRun', { run_id: 'X' }),
          (e) => code(e) === 'RUN_EXISTS' && /not restored beside it/.test((e as Error).message),
        );
        assert.deepEqual(
          (await other.execute('listRuns', {})).runs.map((r) => r.run_id),
          ['x'],
        );
        assert.ok(fs.existsSync(heldRunDir(root, 'X', 'archive')), 'the archive stays whole');
      } finally {
        other.close();
      }
    } finally {
      s.close();
    }
  });

  it('a finished run with a task in progress is not compacted, and the refusal speaks of compacting', async () => {
    const root = tempRoot();
    roots.push(root);
    const s = new RunService([root], { durability: 'none' });
    try {
      await s.execute('createRun', { run_id: 'c1', objective: 'compact me' });
      await s.execute('createTasks', { run_id: 'c1', tasks: [{ id: 'a', task_type: 'w' }] });
      await s.execute('claimTask', { run_id: 'c1', agent_id: 'bob' });
      await s.execute('appendEvent', { run_id: 'c1', type: 'run_cancelled', status: 'cancelled' });
      await assert.rejects(
        s.execute('compactRun', { run_id: 'c1' }),
        (e) => code(e) === 'TASKS_IN_PROGRESS' && /a run is compacted with none\. Requeue them \(with force\)/.test((e as Error).message),
      );
    } finally {
      s.close();
    }
  });

  it('archiveDue archives the finished runs unchanged for the days given, and only those', async () => {
    const root = tempRoot();
    roots.push(root);
    const DAY = 24 * 60 * 60 * 1000;
    let now = 1_000_000_000_000;
    const s = new RunService([root], { durability: 'none', clock: () => now });
    try {
      for (const id of ['old-done', 'old-open', 'new-done']) await s.execute('createRun', { run_id: id, objective: id });
      await s.execute('finishRun', { run_id: 'old-done', status: 'completed' });
      now += 10 * DAY;
      await s.execute('finishRun', { run_id: 'new-done', status: 'failed' });
      now += 2 * DAY;
      const first = await archiveDue(s, s.rootPaths(), 7, 'timer', now);
      assert.deepEqual(
        first.archived.map((a) => [a.run_id, a.archived_by, a.reason]),
        [['old-done', 'timer', 'finished more than 7 days ago']],
      );
      assert.deepEqual(first.skipped, []);
      assert.deepEqual((await s.execute('listRuns', {})).runs.map((r) => r.run_id).sort(), ['new-done', 'old-open']);
      assert.deepEqual((await archiveDue(s, s.rootPaths(), 0, 'timer', now)).archived, [], '0 days: never');
      now += 10 * DAY;
      assert.deepEqual(
        (await archiveDue(s, s.rootPaths(), 7, 'timer', now)).archived.map((a) => a.run_id),
        ['new-done'],
      );
    } finally {
      s.close();
    }
  });

  it('compacting keeps a finished run listed and readable from its segments; its next write restores it', async () => {
    const root = tempRoot();
    roots.push(root);
    const s = new RunService([root], { durability: 'fsync' });
    const other = new RunService([root], { durability: 'none' });
    try {
      await finishedRun(s, 'kept', 30);
      const logBefore = fs.readFileSync(logFile(root, 'kept'));
      const before = await s.execute('getRun', { run_id: 'kept' });
      const events = (await s.execute('listEvents', { run_id: 'kept', limit: 1000 })).events;
      const { compacted } = await s.execute('compactRun', { run_id: 'kept', by: 'ann' });
      assert.equal(compacted.archived_by, 'ann');
      assert.ok(compacted.archive_bytes < logBefore.length / 3);
      assert.equal(fs.existsSync(runFolder(root, 'kept')), false);
      assert.ok(fs.existsSync(path.join(root, '.runboard', 'compacted', 'kept', 'archive.json')));
      for (const svc of [s, other]) {
        const listed = await svc.execute('listRuns', { archived: true, sizes: true });
        assert.deepEqual(listed.runs, [before.run], 'still listed, as it was');
        assert.deepEqual(listed.archived, []);
        assert.deepEqual(
          listed.sizes?.map((x) => x.bytes),
          [compacted.archive_bytes],
        );
        const got = await svc.execute('getRun', { run_id: 'kept' });
        assert.deepEqual(got.run, before.run);
        assert.equal(got.compacted?.archived_by, 'ann');
        assert.equal(got.archived, undefined);
        assert.deepEqual((await svc.execute('listEvents', { run_id: 'kept', limit: 1000 })).events, events);
        assert.deepEqual(noDrift((await svc.execute('replay', { run_id: 'kept', from_checkpoint: false })).drift), []);
      }
      assert.equal((await other.execute('compactRun', { run_id: 'kept' })).compacted.archived_at_ms, compacted.archived_at_ms, 'a repeat');
      await assert.rejects(s.execute('createRun', { run_id: 'kept', objective: 'again' }), (e) => code(e) === 'RUN_EXISTS');

      // A write restores it first — from another process too — and is applied to the live run.
      const reopened = await other.execute('appendEvent', { run_id: 'kept', type: 'run_reopened', status: 'running' });
      assert.equal(reopened.event.seq, before.run.last_event_seq + 1);
      assert.equal(fs.existsSync(path.join(root, '.runboard', 'compacted', 'kept')), false);
      const after = fs.readFileSync(logFile(root, 'kept'));
      assert.deepEqual(after.subarray(0, logBefore.length), logBefore, 'the log as it was, then the new event');
      assert.equal((await s.execute('getRun', { run_id: 'kept' })).run.status, 'running');
      assert.equal((await s.execute('getRun', { run_id: 'kept' })).compacted, undefined);

      // Compacted again, a checkpoint restores it too; and archiving a compacted run archives it whole.
      await s.execute('finishRun', { run_id: 'kept', status: 'completed' });
      await s.execute('compactRun', { run_id: 'kept' });
      await other.execute('createCheckpoint', { run_id: 'kept', reason: 'after compaction' });
      assert.ok(fs.existsSync(logFile(root, 'kept')));
      await s.execute('compactRun', { run_id: 'kept' });
      const archived = await s.execute('archiveRun', { run_id: 'kept' });
      assert.equal(archived.archived.run_id, 'kept');
      assert.deepEqual((await s.execute('listRuns', {})).runs, []);
      assert.equal(fs.existsSync(path.join(root, '.runboard', 'compacted', 'kept')), false);
      await assert.rejects(s.execute('compactRun', { run_id: 'kept' }), (e) => code(e) === 'RUN_ARCHIVED');
      await s.execute('restoreRun', { run_id: 'kept' });
      assert.equal((await other.execute('listCheckpoints', { run_id: 'kept' })).checkpoints.length, 2);
    } finally {
      s.close();
      other.close();
    }
  });
  it('a compacted run whose sealed segment is damaged: its reads answer STORAGE_ERROR naming the file and what to do, not an internal error', async () => {
    const root = tempRoot();
    roots.push(root);
    const s = new RunService([root], { durability: 'none' });
    try {
      await finishedRun(s, 'rot', 4);
      await s.execute('compactRun', { run_id: 'rot' });
      const segments = path.join(root, '.runboard', 'compacted', 'rot', SEGMENTS_DIR);
      const segment = path.join(segments, fs.readdirSync(segments)[0]);
      const bytes = fs.readFileSync(segment);
      bytes[bytes.length >> 1] ^= 0xff;
      fs.writeFileSync(segment, bytes);
      const fresh = new RunService([root], { durability: 'none' });
      try {
        for (const read of [
          () => fresh.execute('listEvents', { run_id: 'rot' }),
          () => fresh.execute('replay', { run_id: 'rot', from_checkpoint: false }),
        ]) {
          await assert.rejects(read(), (e: unknown) => {
            assert.equal(code(e), 'STORAGE_ERROR');
            assert.match(
              (e as Error).message,
              /^The sealed files of run rot cannot be read: \S+ is not the file the archive sealed \(its sha256 differs\)\. Put the file back/,
            );
            return true;
          });
        }
      } finally {
        fresh.close();
      }
    } finally {
      s.close();
    }
  });

  it('a compacted run opened while another process restores and compacts it anew is read from what is there now', async () => {
    const root = tempRoot();
    roots.push(root);
    const mover = new RunService([root], { durability: 'none' });
    try {
      await finishedRun(mover, 'moving', 3);
      await mover.execute('compactRun', { run_id: 'moving' });
      // Once restored by a write and compacted again (a seal of another seq), once restored and
      // compacted again unchanged (the same seal's name, sealed at another time: another sha256).
      const moves: Record<string, () => Promise<unknown>> = {
        'a write in between': compactedAnew(mover, 'moving', () =>
          mover.execute('patchBlackboard', { run_id: 'moving', op: 'add_fact', payload: { text: 'moved' } }),
        ),
        'no write in between': compactedAnew(mover, 'moving', () => mover.execute('restoreRun', { run_id: 'moving' })),
      };
      for (const [name, move] of Object.entries(moves)) {
        const reader = new RunService([root], { durability: 'none' });
        try {
          const { result: got, moved } = await moveDuringRead(SEALS_DIR, move, () => reader.execute('getRun', { run_id: 'moving' }));
          assert.ok(moved, `${name}: the move was made during the read`);
          const now = await mover.execute('getRun', { run_id: 'moving' });
          assert.deepEqual(got.run, now.run, name);
          assert.equal(got.compacted?.archived_at_ms, now.compacted?.archived_at_ms, `${name}: the new compaction`);
        } finally {
          reader.close();
        }
      }
    } finally {
      mover.close();
    }
  });

  it('a compacted run whose folder another process is removing (restored by a write) is read from runs/, not failed on a seal already gone', async () => {
    const root = tempRoot();
    roots.push(root);
    const mover = new RunService([root], { durability: 'none' });
    const held = heldRunDir(root, 'halfgone', 'compacted');
    // A folder is removed file by file: another process's removal seen halfway, its seals gone and
    // the rest not yet, as the reader opens a seal the manifest it read names.
    const realRmSync = fs.rmSync;
    let unfinished: (() => void) | undefined;
    const removedHalfway = async (restore: () => Promise<unknown>) => {
      fs.rmSync = (target, options) => {
        if (String(target) !== held || !options?.recursive) return realRmSync(target, options);
        realRmSync(path.join(held, SEALS_DIR), options);
        unfinished = () => realRmSync(target, options);
      };
      try {
        await restore();
      } finally {
        fs.rmSync = realRmSync;
      }
    };
    try {
      await finishedRun(mover, 'halfgone', 2);
      const reads: [string, (s: RunService) => Promise<unknown>][] = [
        ['getRun', (s) => s.execute('getRun', { run_id: 'halfgone' })],
        ['a write', (s) => s.execute('patchBlackboard', { run_id: 'halfgone', op: 'add_fact', payload: { text: 'the reader wrote' } })],
      ];
      for (const [name, read] of reads) {
        await mover.execute('compactRun', { run_id: 'halfgone' });
        const reader = new RunService([root], { durability: 'none' });
        try {
          const move = () =>
            removedHalfway(() =>
              mover.execute('patchBlackboard', { run_id: 'halfgone', op: 'add_fact', payload: { text: `moved during ${name}` } }),
            );
          const { moved } = await moveDuringRead(SEALS_DIR, move, () => read(reader));
          assert.ok(moved && unfinished, `${name}: the removal was seen halfway`);
          unfinished();
          unfinished = undefined;
          const live = await reader.execute('getRun', { run_id: 'halfgone' });
          assert.equal(live.compacted, undefined, `${name}: read from runs/`);
        } finally {
          reader.close();
        }
      }
      const { patches } = await mover.execute('listPatches', { run_id: 'halfgone' });
      assert.deepEqual(
        patches.filter((x) => x.op === 'add_fact').map((x) => (x.payload as { text: string }).text),
        ['moved during getRun', 'moved during a write', 'the reader wrote'],
        'each write once, in order',
      );
    } finally {
      mover.close();
    }
  });

  it("a compacted run's history read while another process restores and compacts it anew is read again, whole, from what is there now", async () => {
    const root = tempRoot();
    roots.push(root);
    const mover = new RunService([root], { durability: 'none' });
    const reader = new RunService([root], { durability: 'none' });
    try {
      await finishedRun(mover, 'history', 3);
      let facts = 0;
      const move = compactedAnew(mover, 'history', () =>
        mover.execute('patchBlackboard', { run_id: 'history', op: 'add_fact', payload: { text: `fact ${++facts}` } }),
      );
      const reads: [string, string, (s: RunService) => Promise<unknown>][] = [
        ['listEvents', SEGMENTS_DIR, (s) => s.execute('listEvents', { run_id: 'history' })],
        ['listPatches', SEGMENTS_DIR, (s) => s.execute('listPatches', { run_id: 'history' })],
        ['runStats', SEGMENTS_DIR, (s) => s.execute('runStats', { run_id: 'history' })],
        ['replay', SEGMENTS_DIR, (s) => s.execute('replay', { run_id: 'history', from_checkpoint: false })],
        ['replay from a checkpoint', ARCHIVED_CHECKPOINTS_DIR, (s) => s.execute('replay', { run_id: 'history' })],
        ['latestCheckpoint', ARCHIVED_CHECKPOINTS_DIR, (s) => s.execute('latestCheckpoint', { run_id: 'history' })],
      ];
      for (const [name, folder, read] of reads) {
        await mover.execute('compactRun', { run_id: 'history' });
        // Compacted as the reader looks (it reads from the segments), moved on as it reads their files.
        assert.ok((await reader.execute('getRun', { run_id: 'history' })).compacted, `${name}: compacted`);
        const { result: got, moved } = await moveDuringRead(folder, move, () => read(reader));
        assert.ok(moved, `${name}: the move was made during the read`);
        assert.deepEqual(got, await read(mover), name);
      }
      const { patches } = await reader.execute('listPatches', { run_id: 'history' });
      assert.equal(patches.filter((x) => x.op === 'add_fact').length, reads.length, 'a fact per move, each once');
    } finally {
      reader.close();
      mover.close();
    }
  });
});
