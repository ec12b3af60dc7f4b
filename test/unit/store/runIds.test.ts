// Run ids become folder names: anything outside PROTOCOL.md's rule is refused before a path is
// built, ids differing only in case collide, and a run folder that is a symlink is not a run.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { HOST } from '../../../server/src/store/file/platformFs';
import { DomainError } from '../../../server/src/engine/errors';
import { openStore, removeTree, runFolder, tempRoot, treePicture } from './helpers';

const roots: string[] = [];
after(() => {
  for (const r of roots) removeTree(r);
});

function newRoot(): string {
  const root = tempRoot();
  roots.push(root);
  return root;
}

const domainCode = (code: string) => (e: unknown) => e instanceof DomainError && e.code === code;

const BAD_IDS = ['../x', 'a/b', '.x', '', 'x'.repeat(200), 'CON', 'con', 'nul.txt', 'COM1', 'a\\b', '/abs', '..', 'a b', 'ü', 'trailing.'];

describe('run ids', () => {
  it('invalid ids are refused with RUN_ID_INVALID and create nothing anywhere', async () => {
    // The root sits one level down so that `..` escapes stay inside the temp dir we picture.
    const outer = newRoot();
    const root = path.join(outer, 'workspace');
    fs.mkdirSync(root);
    const { store } = openStore(root);
    try {
      const empty = treePicture(outer);
      for (const id of BAD_IDS) {
        await assert.rejects(
          store.execute('createRun', { run_id: id, objective: 'x' }),
          domainCode('RUN_ID_INVALID'),
          `createRun ${JSON.stringify(id)}`,
        );
      }
      assert.deepEqual(treePicture(outer), empty, 'not even .runboard was created');

      await store.execute('createRun', { run_id: 'ok', objective: 'x' });
      const before = treePicture(outer);
      for (const id of BAD_IDS) {
        await assert.rejects(
          store.execute('createRun', { run_id: id, objective: 'x' }),
          domainCode('RUN_ID_INVALID'),
          `createRun ${JSON.stringify(id)}`,
        );
        await assert.rejects(store.execute('getRun', { run_id: id }), domainCode('RUN_ID_INVALID'), `getRun ${JSON.stringify(id)}`);
        await assert.rejects(
          store.execute('appendEvent', { run_id: id, type: 'note', status: 'running' }),
          domainCode('RUN_ID_INVALID'),
          `appendEvent ${JSON.stringify(id)}`,
        );
      }
      assert.deepEqual(treePicture(outer), before);
      assert.deepEqual(
        fs.readdirSync(path.join(root, '.runboard', 'runs')).sort(),
        ['.creating', 'ok'],
        'the run, and the lock that runs are created under',
      );
    } finally {
      store.close();
    }
  });

  it('the longest valid id (128 characters) works', async () => {
    const root = newRoot();
    const { store } = openStore(root);
    try {
      const id = 'a'.repeat(128);
      const { run } = await store.execute('createRun', { run_id: id, objective: 'x' });
      assert.equal(run.run_id, id);
      await assert.rejects(store.execute('createRun', { run_id: id + 'a', objective: 'x' }), domainCode('RUN_ID_INVALID'));
    } finally {
      store.close();
    }
  });

  it('on a file system that ignores case (macOS, Windows), run1 finds no run where Run1 is: RUN_NOT_FOUND, and creating it RUN_EXISTS', async () => {
    const root = newRoot();
    const { store } = openStore(root);
    await store.execute('createRun', { run_id: 'Run1', objective: 'x' });
    store.close();
    // What such a file system does, made here: run1 opens Run1's folder (a copy of it), while the
    // folder's listing has the one name it was made with.
    const runs = path.join(root, '.runboard', 'runs');
    fs.cpSync(path.join(runs, 'Run1'), path.join(runs, 'run1'), { recursive: true });
    const real = { ...HOST };
    Object.assign(HOST, { platform: 'darwin', readdir: (dir: string) => real.readdir(dir).filter((n) => n !== 'run1') });
    const { store: mac, diagnostics } = openStore(root);
    try {
      await assert.rejects(mac.execute('getRun', { run_id: 'run1' }), domainCode('RUN_NOT_FOUND'));
      await assert.rejects(mac.execute('createRun', { run_id: 'run1', objective: 'x' }), domainCode('RUN_EXISTS'));
      assert.equal((await mac.execute('getRun', { run_id: 'Run1' })).run.run_id, 'Run1');
      // Not one line of Run1's log said to be another run's.
      assert.deepEqual(diagnostics, []);
    } finally {
      mac.close();
      Object.assign(HOST, real);
    }
    // Archived, the same: run1 finds Run1's archive, which is not run1's.
    const { store: archiving } = openStore(root);
    fs.rmSync(path.join(runs, 'run1'), { recursive: true });
    await archiving.execute('archiveRun', { run_id: 'Run1', force: true });
    archiving.close();
    const archive = path.join(root, '.runboard', 'archive');
    fs.cpSync(path.join(archive, 'Run1'), path.join(archive, 'run1'), { recursive: true });
    Object.assign(HOST, { readdir: (dir: string) => real.readdir(dir).filter((n) => n !== 'run1') });
    const { store: mac2 } = openStore(root);
    try {
      await assert.rejects(mac2.execute('getRun', { run_id: 'run1' }), domainCode('RUN_NOT_FOUND'));
      assert.equal((await mac2.execute('getRun', { run_id: 'Run1' })).archived !== undefined, true);
    } finally {
      mac2.close();
      Object.assign(HOST, real);
    }
  });

  it('an id differing only in case from an existing run is RUN_EXISTS; lookups stay case-sensitive', async () => {
    const root = newRoot();
    const { store } = openStore(root);
    try {
      await store.execute('createRun', { run_id: 'Run1', objective: 'x' });
      const before = treePicture(root);
      await assert.rejects(store.execute('createRun', { run_id: 'run1', objective: 'x' }), domainCode('RUN_EXISTS'));
      await assert.rejects(store.execute('createRun', { run_id: 'RUN1', objective: 'x' }), domainCode('RUN_EXISTS'));
      await assert.rejects(store.execute('createRun', { run_id: 'Run1', objective: 'x' }), domainCode('RUN_EXISTS'));
      assert.deepEqual(treePicture(root), before);
      await assert.rejects(store.execute('getRun', { run_id: 'run1' }), domainCode('RUN_NOT_FOUND'));
    } finally {
      store.close();
    }
    // Another store (another process, say) sees the same collision on disk.
    const other = openStore(root);
    try {
      await assert.rejects(other.store.execute('createRun', { run_id: 'rUN1', objective: 'x' }), domainCode('RUN_EXISTS'));
    } finally {
      other.store.close();
    }
  });

  it('a run folder that is a symlink is ignored and never written through', async () => {
    const elsewhere = newRoot();
    const real = openStore(elsewhere);
    await real.store.execute('createRun', { run_id: 'real', objective: 'elsewhere' });
    real.store.close();
    const target = runFolder(elsewhere, 'real');
    const targetBefore = treePicture(elsewhere);

    const root = newRoot();
    const s = openStore(root);
    try {
      await s.store.execute('createRun', { run_id: 'mine', objective: 'x' });
      fs.symlinkSync(target, runFolder(root, 'linked'), 'dir');

      const { runs } = await s.store.execute('listRuns', {});
      assert.deepEqual(
        runs.map((r) => r.run_id),
        ['mine'],
      );
      assert.ok(s.diagnostics.some((d) => d.file === runFolder(root, 'linked') && /symbolic link/.test(d.message)));

      await assert.rejects(s.store.execute('getRun', { run_id: 'linked' }), domainCode('RUN_NOT_FOUND'));
      await assert.rejects(
        s.store.execute('appendEvent', { run_id: 'linked', type: 'note', status: 'running' }),
        domainCode('RUN_NOT_FOUND'),
      );
      await assert.rejects(s.store.execute('createRun', { run_id: 'linked', objective: 'x' }), (e: unknown) => e instanceof DomainError);
      await s.store.catchUp(s.store.rootPaths()[0], 'linked');
      await assert.rejects(s.store.execute('getRun', { run_id: 'linked' }), domainCode('RUN_NOT_FOUND'));
    } finally {
      s.store.close();
    }
    assert.deepEqual(treePicture(elsewhere), targetBefore, 'nothing was written through the link');
  });
});
