// The caches beside the log (run.json, blackboard.json, index.json): a stale set is caught up
// from the log, a missing or unreadable one is rebuilt, one ahead of the log is not believed,
// and they are written some time after changes and on close, never per commit.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { RunRecord } from '../../../contract/schemas/records';
import { RunService } from '../../../server/src/service/runService';
import { DEFAULT_STORE_OPTIONS } from '../../../server/src/service/runService';
import { CacheWriter, COST_FACTOR } from '../../../server/src/store/file/cacheWriter';
import type { RunHandle } from '../../../server/src/store/file/runHandle';
import {
  assertContiguous,
  CACHE_FILES,
  deleteCaches,
  logFile,
  openStore,
  readLogEvents,
  removeTree,
  runFolder,
  sleep,
  tempRoot,
  waitFor,
} from './helpers';

const roots: string[] = [];
after(() => {
  for (const r of roots) removeTree(r);
});

function newRoot(): string {
  const root = tempRoot();
  roots.push(root);
  return root;
}

/** The plan of the runs busyRun works on: a step for each round. */
const PLAN = ['Round one', 'Round two'];

/** A run with tasks, blackboard items and notes, so every part of the state has content. */
async function busyRun(store: RunService, runId: string, round: number): Promise<void> {
  await store.execute('appendEvent', { run_id: runId, type: 'step_started', status: 'running', step_id: `step-${round}` });
  await store.execute('patchBlackboard', { run_id: runId, op: 'add_fact', payload: { text: `fact ${round}` } });
  await store.execute('patchBlackboard', { run_id: runId, op: 'set_rolling_summary', payload: `summary ${round}` });
  await store.execute('createTasks', {
    run_id: runId,
    tasks: [
      { id: `t${round}-a`, task_type: 'work' },
      { id: `t${round}-b`, task_type: 'work', depends_on_task_ids: [`t${round}-a`] },
    ],
    command_id: `create-${round}`,
  });
  const { task } = await store.execute('claimTask', { run_id: runId, agent_id: 'agent', lease_ms: 300_000 });
  await store.execute('transitionTask', { run_id: runId, task_id: task!.id, action: 'complete', lease_token: task!.lease_token! });
  await store.execute('appendEvent', { run_id: runId, type: 'step_completed', status: 'running', step_id: `step-${round}` });
}

function cachedSeq(root: string, runId: string, file = 'run.json'): number | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(runFolder(root, runId), file), 'utf8')) as { last_event_seq: number }).last_event_seq;
  } catch {
    return undefined;
  }
}

/** getRun + getBlackboard through a fresh store; its snapshot lag tells where the load started. */
async function freshLoad(root: string, runId: string) {
  const s = openStore(root, { snapshotDelayMs: null, snapshotLagEvents: Number.MAX_SAFE_INTEGER });
  try {
    const got = await s.store.execute('getRun', { run_id: runId });
    const { blackboard } = await s.store.execute('getBlackboard', { run_id: runId });
    const replay = await s.store.execute('replay', { run_id: runId });
    return { got, blackboard, drift: replay.drift, lag: (s.store.loadedRuns()[0] as RunHandle).snapshotLag, diagnostics: s.diagnostics };
  } finally {
    s.store.close();
  }
}

/** A run whose caches were written at some seq, with more events in the log after that. */
async function staleCaches(root: string): Promise<{ cachedAt: number; last: number }> {
  const a = openStore(root, { snapshotDelayMs: null });
  await a.store.execute('createRun', { run_id: 'snap', objective: 'snapshots', steps: PLAN });
  await busyRun(a.store, 'snap', 1);
  a.store.flush();
  const cachedAt = (await a.store.execute('getRun', { run_id: 'snap' })).run.last_event_seq;
  a.store.close();
  for (const f of CACHE_FILES) assert.equal(cachedSeq(root, 'snap', f), cachedAt, f);

  // Another store appends more; with no delay and few events, it leaves the caches alone.
  const b = openStore(root, { snapshotDelayMs: null });
  await busyRun(b.store, 'snap', 2);
  const last = (await b.store.execute('getRun', { run_id: 'snap' })).run.last_event_seq;
  b.store.close();
  assert.equal(cachedSeq(root, 'snap'), cachedAt, 'the caches are stale');
  assert.ok(last > cachedAt);
  return { cachedAt, last };
}

describe('caches: catching up and rebuilding', () => {
  it('a stale snapshot is caught up from the log and equals a fold from scratch', async () => {
    const root = newRoot();
    const { cachedAt, last } = await staleCaches(root);

    const fromSnapshot = await freshLoad(root, 'snap');
    assert.equal(fromSnapshot.lag, last - cachedAt, 'loaded from the snapshot and folded only the tail');
    assert.equal(fromSnapshot.got.run.last_event_seq, last);
    assert.equal(fromSnapshot.drift.mismatch, false);
    assert.deepEqual(fromSnapshot.diagnostics, []);

    deleteCaches(root, 'snap');
    const fromScratch = await freshLoad(root, 'snap');
    assert.equal(fromScratch.lag, last, 'loaded from scratch');
    assert.deepEqual(fromSnapshot.got, fromScratch.got);
    assert.deepEqual(fromSnapshot.blackboard, fromScratch.blackboard);
    assert.deepEqual(fromScratch.diagnostics, [], 'missing caches are not worth a diagnostic');
  });

  for (const file of ['run.json', 'blackboard.json', 'index.json']) {
    it(`an unreadable ${file} is rebuilt from the log, with a diagnostic naming it`, async () => {
      const root = newRoot();
      const { last } = await staleCaches(root);
      const reference = await freshLoad(root, 'snap');
      fs.writeFileSync(path.join(runFolder(root, 'snap'), file), '{"last_event_seq": 3, garbage');

      const loaded = await freshLoad(root, 'snap');
      assert.equal(loaded.lag, last, 'loaded from scratch');
      assert.deepEqual(loaded.got, reference.got);
      assert.deepEqual(loaded.blackboard, reference.blackboard);
      const about = loaded.diagnostics.filter((d) => d.file === path.join(runFolder(root, 'snap'), file));
      assert.equal(about.length, 1, JSON.stringify(loaded.diagnostics));
      assert.equal(about[0].run_id, 'snap');
    });
  }

  for (const file of ['run.json', 'blackboard.json']) {
    it(`a ${file} changed by hand at its seq is not believed: rebuilt from the log, with a diagnostic naming it`, async () => {
      const root = newRoot();
      const { cachedAt, last } = await staleCaches(root);
      const reference = await freshLoad(root, 'snap');
      const cache = path.join(runFolder(root, 'snap'), file);
      const text = fs.readFileSync(cache, 'utf8');
      // A done task made failed again (run.json), a fact rewritten (blackboard.json): valid, and the seq unchanged.
      const edited = file === 'run.json' ? text.replace('"status": "done"', '"status": "failed"') : text.replace('fact 1', 'fact 9');
      assert.notEqual(edited, text);
      fs.writeFileSync(cache, edited);

      const loaded = await freshLoad(root, 'snap');
      assert.equal(loaded.lag, last, 'loaded from scratch');
      assert.deepEqual(loaded.got, reference.got);
      assert.deepEqual(loaded.blackboard, reference.blackboard);
      assert.deepEqual(
        loaded.diagnostics.filter((d) => d.file === cache).map((d) => d.message),
        [`${file} is not what Runboard wrote at seq ${cachedAt} (changed by hand?): rebuilding from the log.`],
      );
      // Replay compares the cache as it is on disk: the edit is drift (a rewritten fact only by the content flag).
      assert.equal(loaded.drift.mismatch, true);
      if (file === 'blackboard.json') assert.equal(loaded.drift.blackboard_content_mismatch, true);
      // Its seq moved to the log's end too, so that it looks newer than the index: still not believed.
      fs.writeFileSync(cache, edited.replace(`"last_event_seq": ${cachedAt}`, `"last_event_seq": ${last}`));
      const later = await freshLoad(root, 'snap');
      assert.equal(later.lag, last, 'loaded from scratch');
      assert.deepEqual(later.got, reference.got);
      assert.deepEqual(later.blackboard, reference.blackboard);
    });
  }

  it('an index.json of the wrong shape is unreadable too', async () => {
    const root = newRoot();
    await staleCaches(root);
    fs.writeFileSync(path.join(runFolder(root, 'snap'), 'index.json'), JSON.stringify({ format: 7, hello: 'world' }));
    const loaded = await freshLoad(root, 'snap');
    assert.ok(loaded.diagnostics.some((d) => d.file.endsWith('index.json')));
    assert.equal(loaded.drift.mismatch, false);
  });

  it('a missing run.json or index.json is rebuilt silently', async () => {
    for (const file of ['run.json', 'index.json']) {
      const root = newRoot();
      const { last } = await staleCaches(root);
      const reference = await freshLoad(root, 'snap');
      fs.rmSync(path.join(runFolder(root, 'snap'), file));
      const loaded = await freshLoad(root, 'snap');
      assert.equal(loaded.lag, last);
      assert.deepEqual(loaded.got, reference.got);
      assert.deepEqual(loaded.diagnostics, []);
    }
  });

  it('caches ahead of the log (the log lost its tail) are ignored', async () => {
    const root = newRoot();
    const s = openStore(root, { snapshotDelayMs: null });
    await s.store.execute('createRun', { run_id: 'snap', objective: 'snapshots', steps: PLAN });
    await busyRun(s.store, 'snap', 1);
    const file = logFile(root, 'snap');
    const shortLog = fs.readFileSync(file);
    const { run: short } = await s.store.execute('getRun', { run_id: 'snap' });
    await busyRun(s.store, 'snap', 2);
    s.store.flush();
    s.store.close();
    fs.writeFileSync(file, shortLog); // back to `short`, the caches still at the later seq

    const loaded = await freshLoad(root, 'snap');
    assert.deepEqual(loaded.got.run, short);
    assert.equal(loaded.lag, short.last_event_seq, 'folded from scratch');
    // Said: events Runboard recorded are not in the log (an older copy put back), and what keeps them.
    const said = loaded.diagnostics.filter((d) => /Runboard recorded events up to seq/.test(d.message));
    assert.equal(said.length, 1, JSON.stringify(loaded.diagnostics));
    assert.match(
      said[0].message,
      new RegExp(
        `^The log ends at seq ${short.last_event_seq}, but Runboard recorded events up to seq \\d+ \\(its caches say so\\): seqs ${short.last_event_seq + 1}–\\d+ are not in it\\. An older copy of the log was put back`,
      ),
    );
    // Replaced by that older copy (a new file, as git stash or checkout leaves it): the same.
    fs.renameSync(file, `${file}.old`);
    fs.writeFileSync(file, shortLog);
    assert.equal((await freshLoad(root, 'snap')).diagnostics.filter((d) => /Runboard recorded events up to seq/.test(d.message)).length, 1);
  });

  it('caches of another history at the same seq and offset (an older copy of the log put back in place, then written on) are not believed, and are replaced', async () => {
    const root = newRoot();
    const s = openStore(root, { snapshotDelayMs: null });
    await s.store.execute('createRun', { run_id: 'snap', objective: 'snapshots', steps: PLAN });
    await busyRun(s.store, 'snap', 1);
    const file = logFile(root, 'snap');
    const older = fs.readFileSync(file);
    await s.store.execute('patchBlackboard', { run_id: 'snap', op: 'add_fact', payload: { text: 'AAAA' } });
    s.store.flush();
    s.store.close();
    fs.writeFileSync(file, older); // in place: the file the caches name
    const w = openStore(root, { snapshotDelayMs: null });
    await w.store.execute('patchBlackboard', { run_id: 'snap', op: 'add_fact', payload: { text: 'BBBB' } });
    w.store.flush();
    w.store.close();
    const index = JSON.parse(fs.readFileSync(path.join(runFolder(root, 'snap'), 'index.json'), 'utf8'));
    assert.equal(index.log_offset, fs.statSync(file).size, 'the new event ends where the old one did');
    const facts = (await freshLoad(root, 'snap')).blackboard.facts.map((f: { text: string }) => f.text);
    assert.ok(facts.includes('BBBB') && !facts.includes('AAAA'), JSON.stringify(facts));
    // The caches a load starts from now are this history's.
    assert.equal(JSON.parse(fs.readFileSync(path.join(runFolder(root, 'snap'), 'blackboard.json'), 'utf8')).facts.at(-1).text, 'BBBB');
  });

  it('nothing is said lost while the log still ends in a line to read, nor for a run created again under its id', async () => {
    const root = newRoot();
    const s = openStore(root, { snapshotDelayMs: null });
    await s.store.execute('createRun', { run_id: 'snap', objective: 'snapshots', steps: PLAN });
    await busyRun(s.store, 'snap', 1);
    s.store.flush();
    s.store.close();
    const file = logFile(root, 'snap');
    const whole = fs.readFileSync(file);
    // Its final newline removed just now (an editor's save): a line to read once the file is still.
    fs.writeFileSync(file, whole.subarray(0, whole.length - 1));
    const saving = openStore(root, { tornSettleMs: 60_000 });
    try {
      await saving.store.execute('getRun', { run_id: 'snap' });
      assert.deepEqual(
        saving.diagnostics.filter((d) => /Runboard recorded events/.test(d.message)),
        [],
      );
    } finally {
      saving.store.close();
    }
    // The log deleted and the run created again under its id: another run, not this one's lost tail.
    fs.rmSync(file);
    const again = openStore(root, { snapshotDelayMs: null });
    try {
      await again.store.execute('createRun', { run_id: 'snap', objective: 'again' });
    } finally {
      again.store.close();
    }
    const loaded = await freshLoad(root, 'snap');
    assert.equal(loaded.got.run.objective, 'again');
    assert.deepEqual(
      loaded.diagnostics.filter((d) => /Runboard recorded events/.test(d.message)),
      [],
    );
  });

  it('caches newer than their index while the log holds those events (a writer between its caches and its index) are not believed, silently', async () => {
    const root = newRoot();
    const a = openStore(root, { snapshotDelayMs: null });
    await a.store.execute('createRun', { run_id: 'snap', objective: 'snapshots', steps: PLAN });
    await busyRun(a.store, 'snap', 1);
    a.store.flush();
    const indexFile = path.join(runFolder(root, 'snap'), 'index.json');
    const olderIndex = fs.readFileSync(indexFile);
    await busyRun(a.store, 'snap', 2);
    a.store.flush();
    a.store.close();
    fs.writeFileSync(indexFile, olderIndex);
    const reference = await freshLoad(root, 'snap');
    assert.deepEqual(reference.diagnostics, [], 'no "changed by hand?" for what a writer does');
    deleteCaches(root, 'snap');
    assert.deepEqual((await freshLoad(root, 'snap')).got, reference.got);
  });

  it('a run.json ahead of the log is not believed, and the next commit gets the next seq of the log', async () => {
    const root = newRoot();
    const s = openStore(root, { snapshotDelayMs: null });
    await s.store.execute('createRun', { run_id: 'snap', objective: 'snapshots', steps: PLAN });
    await busyRun(s.store, 'snap', 1);
    s.store.flush();
    const { run } = await s.store.execute('getRun', { run_id: 'snap' });
    s.store.close();
    // Hand-edited (or left by a writer whose log writes were lost): claims 50 more events.
    const runFile = path.join(runFolder(root, 'snap'), 'run.json');
    const edited: RunRecord = { ...(JSON.parse(fs.readFileSync(runFile, 'utf8')) as RunRecord) };
    edited.last_event_seq += 50;
    edited.revision += 50;
    fs.writeFileSync(runFile, JSON.stringify(edited));

    const w = openStore(root);
    try {
      const { run: loaded } = await w.store.execute('getRun', { run_id: 'snap' });
      assert.equal(loaded.last_event_seq, run.last_event_seq);
      assert.deepEqual(loaded, run);
      const { event } = await w.store.execute('appendEvent', { run_id: 'snap', type: 'note', status: 'running' });
      assert.equal(event.seq, run.last_event_seq + 1);
      assert.ok(
        w.diagnostics.some((d) => /ahead|run\.json says seq \d+, and is not what Runboard wrote/i.test(d.message)),
        JSON.stringify(w.diagnostics),
      );
    } finally {
      w.store.close();
    }
    assertContiguous(readLogEvents(root, 'snap'));
  });
});

describe('durability and cache timing', () => {
  for (const durability of ['fsync', 'none'] as const) {
    it(`durability '${durability}' commits and reloads`, async () => {
      const root = newRoot();
      const s = openStore(root, { durability });
      await s.store.execute('createRun', { run_id: 'd', objective: durability, steps: PLAN });
      await busyRun(s.store, 'd', 1);
      const { run } = await s.store.execute('getRun', { run_id: 'd' });
      s.store.close();
      const log = readLogEvents(root, 'd');
      assertContiguous(log);
      assert.equal(log.length, run.last_event_seq);
      deleteCaches(root, 'd');
      assert.deepEqual((await freshLoad(root, 'd')).got.run, run);
    });
  }

  it('caches are written about snapshotDelayMs after a change, not per commit', async () => {
    const root = newRoot();
    const s = openStore(root, { snapshotDelayMs: 150 });
    try {
      await s.store.execute('createRun', { run_id: 'c', objective: 'timing' });
      assert.equal(cachedSeq(root, 'c'), undefined, 'not written by the commit itself');
      for (let i = 0; i < 5; i++) await s.store.execute('appendEvent', { run_id: 'c', type: 'note', status: 'running' });
      const started = Date.now();
      await waitFor('run.json at seq 6', () => (cachedSeq(root, 'c') === 6 ? true : undefined), 10_000);
      assert.ok(Date.now() - started < 5000);
      assert.equal(cachedSeq(root, 'c', 'blackboard.json'), 6);
      assert.equal(cachedSeq(root, 'c', 'index.json'), 6);

      await s.store.execute('appendEvent', { run_id: 'c', type: 'note', status: 'running' });
      assert.equal(cachedSeq(root, 'c'), 6, 'the commit did not write the caches');
      await waitFor('run.json at seq 7', () => (cachedSeq(root, 'c') === 7 ? true : undefined), 10_000);
    } finally {
      s.store.close();
    }
  });

  it('with a long delay the caches lag until close', async () => {
    const root = newRoot();
    const s = openStore(root, { snapshotDelayMs: 60_000 });
    await s.store.execute('createRun', { run_id: 'c', objective: 'timing' });
    for (let i = 0; i < 3; i++) await s.store.execute('appendEvent', { run_id: 'c', type: 'note', status: 'running' });
    await sleep(300);
    assert.equal(cachedSeq(root, 'c'), undefined);
    s.store.close();
    assert.equal(cachedSeq(root, 'c'), 4, 'written on close');
    assert.equal(cachedSeq(root, 'c', 'index.json'), 4);
  });

  it('with no delay (null), close writes them only when the log ran snapshotLagEvents ahead', async () => {
    const root = newRoot();
    const a = openStore(root, { snapshotDelayMs: null, snapshotLagEvents: 5 });
    await a.store.execute('createRun', { run_id: 'c', objective: 'timing' });
    for (let i = 0; i < 2; i++) await a.store.execute('appendEvent', { run_id: 'c', type: 'note', status: 'running' });
    a.store.close();
    assert.equal(cachedSeq(root, 'c'), undefined, '3 events < 5: left alone');

    const b = openStore(root, { snapshotDelayMs: null, snapshotLagEvents: 5 });
    for (let i = 0; i < 2; i++) await b.store.execute('appendEvent', { run_id: 'c', type: 'note', status: 'running' });
    b.store.close();
    assert.equal(cachedSeq(root, 'c'), 5, '5 events not in any cache: written');
  });

  it('caches that take long to write wait longer: COST_FACTOR times the last write, at least snapshotDelayMs', async () => {
    const root = newRoot();
    const s = openStore(root);
    await s.store.execute('createRun', { run_id: 'c', objective: 'cost' });
    const h = s.store.loadedRuns()[0] as RunHandle;
    const dir = path.join(root, 'scratch');
    fs.mkdirSync(dir);
    const clock = [0, 40, 100, 105];
    const w = new CacheWriter(
      dir,
      { ...DEFAULT_STORE_OPTIONS, snapshotDelayMs: 1000 },
      () => undefined,
      () => clock.shift()!,
    );
    const log = { offset: 0, line: 0, identity: () => ({ dev: 0n, ino: 0n }) };
    assert.equal(w.delayMs(), 1000);
    w.write(h.state, log, undefined);
    assert.equal(w.delayMs(), 40 * COST_FACTOR, 'a 40 ms write');
    await s.store.execute('appendEvent', { run_id: 'c', type: 'note', status: 'running' });
    w.write(h.state, log, undefined);
    assert.equal(w.delayMs(), 1000, 'a 5 ms write');
    const never = new CacheWriter(dir, { ...DEFAULT_STORE_OPTIONS, snapshotDelayMs: null }, () => undefined);
    assert.equal(never.delayMs(), null);
    s.store.close();
  });

  it("another process's newer caches are left in place; a writer's own are replaced without being read", async () => {
    const root = newRoot();
    const [a, b] = [openStore(root, { snapshotDelayMs: null }), openStore(root, { snapshotDelayMs: null })];
    const index = path.join(runFolder(root, 'c'), 'index.json');
    try {
      await a.store.execute('createRun', { run_id: 'c', objective: 'two writers' });
      a.store.flush();
      assert.equal(cachedSeq(root, 'c', 'index.json'), 1);
      await a.store.execute('appendEvent', { run_id: 'c', type: 'note', status: 'running' });
      a.store.flush();
      assert.equal(cachedSeq(root, 'c', 'index.json'), 2, 'its own, replaced');
      await b.store.execute('appendEvent', { run_id: 'c', type: 'note', status: 'running' });
      b.store.flush();
      const written = fs.statSync(index).ino;
      assert.equal(cachedSeq(root, 'c', 'index.json'), 3);
      // A catches up to seq 3 and finds caches of seq 3 there, written by B: it leaves them.
      a.store.flush();
      assert.equal(fs.statSync(index).ino, written, "B's caches are not written again");
      await a.store.execute('appendEvent', { run_id: 'c', type: 'note', status: 'running' });
      a.store.flush();
      assert.equal(cachedSeq(root, 'c', 'index.json'), 4);
    } finally {
      a.store.close();
      b.store.close();
    }
  });
});
