// The store against files that are not what they were: a log replaced while a commit is being
// written (not acknowledged unless the new file holds it), and symbolic links planted where the
// log, a cache, a checkpoint or the waiters' file belong (never followed out of the run folder;
// one unreadable run does not hide the others), and FIFOs planted there (opening one for reading
// waited for a writer for ever: the CLI and the server hung).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { DomainError } from '../../../server/src/engine/errors';
import { decidePatchBlackboard } from '../../../server/src/engine/runDecisions';
import { assertContiguous, logFile, openStore, readLogEvents, removeTree, runFolder, tempRoot } from './helpers';

const roots: string[] = [];
after(() => roots.forEach(removeTree));

function root(): string {
  const r = tempRoot();
  roots.push(r);
  return r;
}

/** A file outside the workspace that a planted symlink points at, and its bytes now. */
function outsideFile(text: string): { file: string; unchanged: () => void } {
  const dir = root();
  const file = path.join(dir, 'outside.txt');
  fs.writeFileSync(file, text);
  return { file, unchanged: () => assert.equal(fs.readFileSync(file, 'utf8'), text, `${file} was written through a symlink`) };
}

describe('a log replaced while a commit is written', () => {
  /** A store with run `w` (seqs 1–3) and a command whose decide step saves the log like an editor, `times` times. */
  async function replacedUnder(times: number) {
    const r = root();
    const { store } = openStore(r, { snapshotDelayMs: null });
    await store.execute('createRun', { run_id: 'w', objective: 'replaced mid-commit' });
    for (const text of ['one', 'two']) await store.execute('patchBlackboard', { run_id: 'w', op: 'add_fact', payload: { text } });
    const file = logFile(r, 'w');
    const h = (await store.runIn(store.rootPaths()[0], 'w'))!;
    let saves = 0;
    // Under the lock, after the catch-up and before the write: another program saves the file.
    const outcome = h.command(
      undefined,
      (state, ctx) => {
        if (saves++ < times) {
          fs.writeFileSync(`${file}.tmp~`, fs.readFileSync(file));
          fs.renameSync(`${file}.tmp~`, file);
        }
        return decidePatchBlackboard(state, { run_id: 'w', op: 'add_fact', payload: { text: 'the commit' } }, ctx);
      },
      (applied) => applied,
    );
    return { r, store, file, outcome, saves: () => saves };
  }

  it('is done again on the file at the path: recorded there once, at the next seq', async () => {
    const t = await replacedUnder(1);
    try {
      const outcome = await t.outcome;
      assert.ok('result' in outcome && outcome.result[0].seq === 4, JSON.stringify(outcome));
      assert.equal(t.saves(), 2, 'decided twice: on the replaced file, then on the one at the path');
      const events = readLogEvents(t.r, 'w');
      assertContiguous(events);
      assert.equal(events.filter((e) => JSON.stringify(e.payload).includes('the commit')).length, 1);
    } finally {
      t.store.close();
    }
  });

  it('a log replaced under every attempt: STORAGE_ERROR, nothing recorded', async () => {
    const t = await replacedUnder(Infinity);
    try {
      await assert.rejects(t.outcome, (e) => e instanceof DomainError && e.code === 'STORAGE_ERROR' && /replaced 5 times/.test(e.message));
      assert.equal(fs.readFileSync(t.file, 'utf8').includes('the commit'), false);
      const { patch } = await t.store.execute('patchBlackboard', { run_id: 'w', op: 'add_fact', payload: { text: 'three' } });
      assert.equal(patch.seq, 4);
      assertContiguous(readLogEvents(t.r, 'w'));
    } finally {
      t.store.close();
    }
  });
});

describe('a log emptied under a process that holds the run', () => {
  /** A store that holds run `e` (created, one fact) and the resets it hears. */
  async function holding() {
    const r = root();
    const { store } = openStore(r, { snapshotDelayMs: null });
    const resets: number[] = [];
    store.on({ onReset: (n) => resets.push(n.last_seq) });
    await store.execute('createRun', { run_id: 'e', objective: 'emptied' });
    await store.execute('patchBlackboard', { run_id: 'e', op: 'add_fact', payload: { text: 'before' } });
    return { r, store, resets, file: logFile(r, 'e') };
  }
  const fact = { run_id: 'e', op: 'add_fact' as const, payload: { text: 'after' } };
  const gone = (e: unknown) => e instanceof DomainError && e.code === 'RUN_NOT_FOUND';

  for (const how of ['in place', 'by rename'] as const) {
    it(`${how}: for it, as for a new process, the run is gone — a write is RUN_NOT_FOUND and writes nothing; the id can be made again`, async () => {
      const t = await holding();
      try {
        if (how === 'in place') fs.truncateSync(t.file, 0);
        else {
          fs.writeFileSync(`${t.file}.new`, '');
          fs.renameSync(`${t.file}.new`, t.file);
        }
        await assert.rejects(t.store.execute('patchBlackboard', fact), gone);
        assert.equal(fs.statSync(t.file).size, 0, 'no event at seq 1 that is not the creation');
        assert.deepEqual(t.resets, [0], 'subscribers drop what they were told');
        assert.deepEqual((await t.store.execute('listRuns', {})).runs, []);
        await t.store.execute('createRun', { run_id: 'e', objective: 'made again' });
        assert.deepEqual(
          readLogEvents(t.r, 'e').map((e) => [e.seq, e.type]),
          [[1, 'context.run.created']],
        );
      } finally {
        t.store.close();
      }
    });
  }

  it('under the lock, between the catch-up and the write: RUN_NOT_FOUND, nothing written', async () => {
    const t = await holding();
    try {
      const h = (await t.store.runIn(t.store.rootPaths()[0], 'e'))!;
      const outcome = h.command(
        undefined,
        (state, ctx) => {
          fs.truncateSync(t.file, 0);
          return decidePatchBlackboard(state, fact, ctx);
        },
        (applied) => applied,
      );
      await assert.rejects(outcome, gone);
      assert.equal(fs.statSync(t.file).size, 0);
    } finally {
      t.store.close();
    }
  });

  it("replaced by lines none of which is the run's event: STORAGE_ERROR naming the first, nothing written", async () => {
    const t = await holding();
    try {
      fs.writeFileSync(t.file, 'not json\n');
      await assert.rejects(
        t.store.execute('patchBlackboard', fact),
        (e) =>
          e instanceof DomainError &&
          e.code === 'STORAGE_ERROR' &&
          /no event of run e can be read from its log \(line 1: Malformed/.test(e.message),
      );
      assert.equal(fs.readFileSync(t.file, 'utf8'), 'not json\n');
    } finally {
      t.store.close();
    }
  });
});

describe('symbolic links where Runboard keeps its files', () => {
  it('a symlinked log is not followed: the run is unreadable with the reason, the others are listed, nothing is written outside', async () => {
    const r = root();
    const { store, diagnostics } = openStore(r, { snapshotDelayMs: null });
    try {
      await store.execute('createRun', { run_id: 'good', objective: 'fine' });
      await store.execute('createRun', { run_id: 'planted', objective: 'will be a link' });
      const outside = outsideFile(fs.readFileSync(logFile(r, 'planted'), 'utf8'));
      fs.rmSync(logFile(r, 'planted'));
      fs.symlinkSync(outside.file, logFile(r, 'planted'));

      const other = openStore(r, { snapshotDelayMs: null });
      try {
        const listed = await other.store.execute('listRuns', {});
        assert.deepEqual(
          listed.runs.map((x) => x.run_id),
          ['good'],
        );
        assert.equal(listed.unreadable?.length, 1);
        assert.match(listed.unreadable[0].message, /symbolic link; Runboard does not follow it/);
        for (const call of [
          () => other.store.execute('getRun', { run_id: 'planted' }),
          () => other.store.execute('patchBlackboard', { run_id: 'planted', op: 'add_fact', payload: { text: 'x' } }),
        ]) {
          await assert.rejects(call(), (e) => e instanceof DomainError && e.code === 'STORAGE_ERROR');
        }
        assert.ok(other.diagnostics.some((d) => /symbolic link/.test(d.message)));
      } finally {
        other.store.close();
      }
      // The store that had it open before the swap: its next commit must not write through the link.
      await assert.rejects(store.execute('patchBlackboard', { run_id: 'planted', op: 'add_fact', payload: { text: 'y' } }));
      outside.unchanged();
      assert.ok(
        diagnostics.some((d) => /deleted|symbolic link|replaced/.test(d.message)),
        JSON.stringify(diagnostics),
      );
    } finally {
      store.close();
    }
  });

  it('a symlinked cache, checkpoint or waiters file is neither read nor written through', async () => {
    const r = root();
    const { store } = openStore(r, { snapshotDelayMs: null });
    await store.execute('createRun', { run_id: 'c', objective: 'caches' });
    await store.execute('createCheckpoint', { run_id: 'c', reason: 'one' });
    store.close(); // writes run.json, blackboard.json, index.json
    const dir = runFolder(r, 'c');
    const planted: { unchanged: () => void }[] = [];
    const plant = (name: string, text: string) => {
      const o = outsideFile(text);
      fs.rmSync(path.join(dir, name), { force: true });
      fs.symlinkSync(o.file, path.join(dir, name));
      planted.push(o);
    };
    plant('run.json', JSON.stringify({ run_id: 'c', objective: 'from outside', last_event_seq: 99 }));
    const cp = fs.readdirSync(path.join(dir, 'checkpoints'))[0];
    const cpText = fs.readFileSync(path.join(dir, 'checkpoints', cp), 'utf8');
    const o = outsideFile(cpText.replace('"one"', '"from outside"'));
    fs.rmSync(path.join(dir, 'checkpoints', cp));
    fs.symlinkSync(o.file, path.join(dir, 'checkpoints', cp));
    planted.push(o);
    plant('.waiting', 'outside');

    const again = openStore(r, { snapshotDelayMs: 0 });
    try {
      const { run } = await again.store.execute('getRun', { run_id: 'c' });
      assert.equal(run.objective, 'caches', 'the cache behind the link was not read');
      const { checkpoints } = await again.store.execute('listCheckpoints', { run_id: 'c' });
      assert.equal(checkpoints[0].unreadable, true);
      await again.store.execute('patchBlackboard', { run_id: 'c', op: 'add_fact', payload: { text: 'written' } });
      again.store.flush();
      assert.equal(fs.lstatSync(path.join(dir, 'run.json')).isSymbolicLink(), false, 'the cache was replaced by a real file');
    } finally {
      again.store.close();
    }
    for (const p of planted) p.unchanged();
  });
});

describe('FIFOs where Runboard keeps its files', { skip: process.platform === 'win32' }, () => {
  it('a FIFO as a log makes its run unreadable, as a cache or checkpoint it is passed over: nothing waits on it', async () => {
    const r = root();
    const { store } = openStore(r, { snapshotDelayMs: null });
    await store.execute('createRun', { run_id: 'good', objective: 'fine' });
    await store.execute('createCheckpoint', { run_id: 'good', reason: 'one' });
    store.close(); // writes its caches
    fs.mkdirSync(runFolder(r, 'fifo'));
    execFileSync('mkfifo', [logFile(r, 'fifo')]);
    for (const name of ['run.json', 'index.json', 'blackboard.json']) {
      fs.rmSync(path.join(runFolder(r, 'good'), name), { force: true });
      execFileSync('mkfifo', [path.join(runFolder(r, 'good'), name)]);
    }
    const checkpoints = path.join(runFolder(r, 'good'), 'checkpoints');
    const [checkpoint] = fs.readdirSync(checkpoints);
    fs.rmSync(path.join(checkpoints, checkpoint));
    execFileSync('mkfifo', [path.join(checkpoints, checkpoint)]);

    const other = openStore(r, { snapshotDelayMs: null });
    try {
      const listed = await other.store.execute('listRuns', {});
      assert.deepEqual(
        listed.runs.map((x) => x.run_id),
        ['good'],
      );
      assert.match(listed.unreadable![0].message, /events\.jsonl is not a regular file/);
      await assert.rejects(
        other.store.execute('getRun', { run_id: 'fifo' }),
        (e) => e instanceof DomainError && e.code === 'STORAGE_ERROR',
      );
      const listing = await other.store.execute('listCheckpoints', { run_id: 'good' });
      assert.equal(listing.checkpoints.length, 1);
      assert.ok(listing.checkpoints[0].unreadable, 'the FIFO checkpoint is listed as unreadable');
      await other.store.execute('patchBlackboard', { run_id: 'good', op: 'add_fact', payload: { text: 'still writable' } });
    } finally {
      other.store.close();
    }
  });
});

describe('a run folder copied under another name', () => {
  it('is listed as unreadable, saying whose events its log holds, not hidden', async () => {
    const r = root();
    const { store } = openStore(r, { snapshotDelayMs: null });
    try {
      await store.execute('createRun', { run_id: 'a', objective: 'original' });
      fs.cpSync(runFolder(r, 'a'), runFolder(r, 'copy'), { recursive: true });
      const listed = await store.execute('listRuns', {});
      assert.deepEqual(
        listed.runs.map((x) => x.run_id),
        ['a'],
      );
      assert.equal(listed.unreadable?.[0].run_id, 'copy');
      assert.match(
        listed.unreadable[0].message,
        /no event of run copy can be read from its log \(line 1: .*run_id "a" does not belong to run copy\)/,
      );
    } finally {
      store.close();
    }
  });
});

describe('a checkpoints folder replaced by a link', () => {
  it('is neither written nor read through', async () => {
    const r = root();
    const outside = root();
    const { store } = openStore(r, { snapshotDelayMs: null });
    try {
      await store.execute('createRun', { run_id: 'c', objective: 'checkpoints' });
      await store.execute('createCheckpoint', { run_id: 'c', reason: 'inside' });
      const dir = path.join(runFolder(r, 'c'), 'checkpoints');
      for (const name of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, name), path.join(outside, name));
      fs.rmSync(dir, { recursive: true });
      fs.symlinkSync(outside, dir);
      await assert.rejects(store.execute('createCheckpoint', { run_id: 'c', reason: 'through the link' }), /symbolic link/);
      assert.equal(fs.readdirSync(outside).length, 1, 'nothing written out of the run folder');
      assert.deepEqual((await store.execute('listCheckpoints', { run_id: 'c' })).checkpoints, []);
    } finally {
      store.close();
    }
  });
});
