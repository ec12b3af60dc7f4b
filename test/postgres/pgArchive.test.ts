// Archived runs on a PostgreSQL board (PROTOCOL.md §Archived runs: On PostgreSQL), two machines on
// one board: archived on one, the run leaves both machines' lists (the other's subscribers told
// to read it again), both still read and replay it, a write from either answers RUN_ARCHIVED —
// also a command the other machine sends through a handle it had loaded —; restored on the other
// machine, it is live on both, whole, and takes writes again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { RunService } from '../../server/src/service/runService';
import { DomainError } from '../../server/src/engine/errors';
import { boardOpener } from '../../server/src/store/boards';
import { removeTree, tempRoot } from '../unit/store/helpers';
import { startPostgres, writeBoardConfig, type TestPostgres } from '../../scripts/embeddedPostgres';

let db: TestPostgres;
const roots: string[] = [];
const closers: (() => Promise<void> | void)[] = [];

before(async () => {
  db = await startPostgres();
});
after(async () => {
  for (const c of closers.reverse()) await c();
  await db.remove();
  roots.forEach(removeTree);
});

function machine(board: string): { service: RunService; resets: string[] } {
  const root = tempRoot();
  roots.push(root);
  writeBoardConfig(root, db.config, board);
  const service = new RunService([root], { durability: 'fsync' }, boardOpener({ PGPASSWORD: String(db.config.password) }));
  const resets: string[] = [];
  service.on({ onReset: (n) => n.last_seq === 0 && resets.push(n.run_id) });
  const following = service.follow(() => undefined);
  closers.push(async () => {
    await following.close();
    service.close();
  });
  return { service, resets };
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const code = (e: unknown) => (e as { code?: string }).code;
const noDrift = (d: object) => Object.entries(d).filter(([, v]) => v !== false);

describe('archived runs on PostgreSQL', () => {
  it('archived while the other machine was not listening: its resync drops the run it had loaded', async () => {
    const a = machine('archive-unheard');
    const b = machine('archive-unheard');
    await a.service.execute('createRun', { run_id: 'unheard', objective: 'archived unheard' });
    await a.service.execute('finishRun', { run_id: 'unheard', status: 'completed' });
    await waitFor(async () => (await b.service.execute('listRuns', {})).runs.some((r) => r.run_id === 'unheard'), 'B to list it');
    await b.service.execute('getRun', { run_id: 'unheard' }); // loaded on B
    // Every listener's connection cut (as a network blip would), then the archive at once: B hears no notice.
    const admin = new pg.Client(db.config);
    await admin.connect();
    try {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`);
    } finally {
      await admin.end();
    }
    await a.service.execute('archiveRun', { run_id: 'unheard' });
    await waitFor(() => b.resets.includes('unheard'), "B's resync to drop it");
    assert.equal(
      (await b.service.execute('listRuns', {})).runs.some((r) => r.run_id === 'unheard'),
      false,
    );
    assert.ok((await b.service.execute('getRun', { run_id: 'unheard' })).archived, 'B reads it as archived');
    // Its id is taken while it is archived: said so, with how to get it back (as on files).
    await assert.rejects(
      b.service.execute('createRun', { run_id: 'unheard', objective: 'again' }),
      (e) => code(e) === 'RUN_EXISTS' && /exists on board archive-unheard, archived: restore it/.test((e as Error).message),
    );
    // An id differing only in case: the archived run named as it is.
    await assert.rejects(b.service.execute('createRun', { run_id: 'UNHEARD', objective: 'again' }), (e) => {
      assert.equal(code(e), 'RUN_EXISTS');
      assert.match((e as Error).message, /^Run unheard exists on board archive-unheard, archived and differs from UNHEARD only in case/);
      assert.deepEqual((e as DomainError).details, { run_id: 'UNHEARD', archived: true, existing_run_id: 'unheard' });
      return true;
    });
  });

  it('archive on one machine, read on both, writes refused everywhere, restore on the other', async () => {
    const a = machine('archive-board');
    const b = machine('archive-board');
    await a.service.execute('createRun', { run_id: 'shipped', objective: 'ship it' });
    await a.service.execute('createTasks', {
      run_id: 'shipped',
      tasks: [
        { id: 't1', task_type: 'w' },
        { id: 't2', task_type: 'w' },
      ],
    });
    await a.service.execute('createRun', { run_id: 'other', objective: 'still going' });
    // B has the run loaded (a handle it will try to write through).
    await b.service.execute('getRun', { run_id: 'shipped' });
    await assert.rejects(a.service.execute('archiveRun', { run_id: 'shipped' }), (e) => code(e) === 'RUN_NOT_FINISHED');
    await a.service.execute('finishRun', { run_id: 'shipped', status: 'failed', reason: 'abandoned' });
    const before = await a.service.execute('getRun', { run_id: 'shipped' });

    const { archived } = await a.service.execute('archiveRun', { run_id: 'shipped', by: 'ann', reason: 'tidy' });
    assert.equal(archived.archived_by, 'ann');
    assert.equal(archived.status, 'failed');
    assert.ok(archived.log_bytes > 0 && archived.archive_bytes === archived.log_bytes);
    await waitFor(() => b.resets.includes('shipped'), "B's subscribers told to read the run again");

    for (const m of [a, b]) {
      assert.deepEqual(
        (await m.service.execute('listRuns', {})).runs.map((r) => r.run_id),
        ['other'],
      );
      assert.deepEqual(
        (await m.service.execute('listRuns', { archived: true })).archived?.map((x) => [x.run_id, x.reason]),
        [['shipped', 'tidy']],
      );
      const got = await m.service.execute('getRun', { run_id: 'shipped' });
      assert.deepEqual(got.run, before.run);
      assert.equal(got.archived?.archived_by, 'ann');
      const replay = await m.service.execute('replay', { run_id: 'shipped', from_checkpoint: false });
      assert.deepEqual(noDrift(replay.drift), []);
      assert.deepEqual(replay.replay, before.run);
      await assert.rejects(
        m.service.execute('createTasks', { run_id: 'shipped', tasks: [{ id: 'x', task_type: 'w' }] }),
        (e) => code(e) === 'RUN_ARCHIVED',
      );
    }
    // A repeat on the other machine answers the archive as it is.
    assert.equal((await b.service.execute('archiveRun', { run_id: 'shipped' })).archived.archived_at_ms, archived.archived_at_ms);

    const { run } = await b.service.execute('restoreRun', { run_id: 'shipped' });
    assert.deepEqual(run, before.run);
    await waitFor(async () => (await a.service.execute('listRuns', {})).runs.some((r) => r.run_id === 'shipped'), 'A to list it again');
    for (const m of [a, b]) assert.deepEqual((await m.service.execute('listRuns', { archived: true })).archived, []);
    await a.service.execute('appendEvent', { run_id: 'shipped', type: 'run_reopened', status: 'running' });
    await waitFor(async () => (await b.service.execute('getRun', { run_id: 'shipped' })).run.status === 'running', 'B to see it reopened');
  });
});
