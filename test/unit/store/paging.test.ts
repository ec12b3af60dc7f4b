// Paged reads of the log: listEvents (since_seq, tail, limit, next_since_seq) and listPatches,
// also from a store that loaded the run from its caches (events before them stay readable).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { EventRecord } from '../../../contract/schemas/records';
import { RunService } from '../../../server/src/service/runService';
import type { RunHandle } from '../../../server/src/store/file/runHandle';
import { deleteCaches, openStore, removeTree, tempRoot } from './helpers';

const roots: string[] = [];
after(() => {
  for (const r of roots) removeTree(r);
});

const seqs = (events: EventRecord[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const PATCH_TYPES = /^context\.(task\.|blackboard\.patched$|artifact\.added$)/;

/** Every event by following next_since_seq with pages of `limit`. */
async function allPages(store: RunService, limit: number, since_seq = 0): Promise<{ events: EventRecord[]; pages: number }> {
  const events: EventRecord[] = [];
  let pages = 0;
  for (let since: number | undefined = since_seq; since !== undefined; pages++) {
    const page: { events: EventRecord[]; next_since_seq?: number } = await store.execute('listEvents', {
      run_id: 'p',
      since_seq: since,
      limit,
    });
    events.push(...page.events);
    since = page.next_since_seq;
    if (since !== undefined) assert.equal(since, page.events[page.events.length - 1].seq);
  }
  return { events, pages };
}

/** Notes, blackboard patches and task events, interleaved. */
async function mixedHistory(store: RunService, round: number): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await store.execute('appendEvent', { run_id: 'p', type: 'note', status: 'running', payload: { round, i } });
    await store.execute('patchBlackboard', { run_id: 'p', op: 'add_fact', payload: { text: `fact ${round}.${i}` } });
  }
  await store.execute('createTasks', { run_id: 'p', tasks: [{ id: `t${round}`, task_type: 'work' }] });
  await store.execute('patchBlackboard', { run_id: 'p', op: 'add_artifact', payload: { path: `a${round}.txt`, artifact_type: 'file' } });
  const { task } = await store.execute('claimTask', { run_id: 'p', agent_id: 'a', lease_ms: 300_000 });
  await store.execute('transitionTask', { run_id: 'p', task_id: task!.id, action: 'heartbeat', lease_token: task!.lease_token! });
}

describe('listEvents', () => {
  it('pages with since_seq, tail and limit', async () => {
    const root = tempRoot();
    roots.push(root);
    const { store } = openStore(root);
    try {
      await store.execute('createRun', { run_id: 'p', objective: 'paging' });
      for (let i = 0; i < 30; i++) await store.execute('appendEvent', { run_id: 'p', type: 'note', status: 'running' });
      const list = (p: object) => store.execute('listEvents', { run_id: 'p', ...p });

      const all = await list({});
      assert.deepEqual(seqs(all.events), range(1, 31));
      assert.equal(all.next_since_seq, undefined);

      const first = await list({ limit: 10 });
      assert.deepEqual(seqs(first.events), range(1, 10));
      assert.equal(first.next_since_seq, 10);
      const second = await list({ since_seq: 10, limit: 10 });
      assert.deepEqual(seqs(second.events), range(11, 20));
      assert.equal(second.next_since_seq, 20);
      const last = await list({ since_seq: 30, limit: 10 });
      assert.deepEqual(seqs(last.events), [31]);
      assert.equal(last.next_since_seq, undefined);
      const exact = await list({ since_seq: 21, limit: 10 });
      assert.deepEqual(seqs(exact.events), range(22, 31));
      assert.equal(exact.next_since_seq, undefined, 'nothing remains after an exactly full page');

      const paged = await allPages(store, 7);
      assert.deepEqual(paged.events, all.events);
      assert.equal(paged.pages, 5);

      assert.deepEqual(seqs((await list({ tail: 5 })).events), range(27, 31));
      const tailPage = await list({ tail: 5, limit: 2 });
      assert.deepEqual(seqs(tailPage.events), [27, 28], 'tail first, then limit, oldest first');
      assert.equal(tailPage.next_since_seq, 28);
      assert.deepEqual(seqs((await list({ since_seq: 25, tail: 10 })).events), range(26, 31));
      assert.deepEqual(seqs((await list({ since_seq: 20, tail: 3 })).events), range(29, 31));
      assert.deepEqual((await list({ tail: 0 })).events, []);
      assert.deepEqual(seqs((await list({ tail: 100 })).events), range(1, 31));
      assert.deepEqual((await list({ since_seq: 31 })).events, []);
      assert.deepEqual((await list({ since_seq: 1000 })).events, []);
      const clampedLow = await list({ limit: 0 });
      assert.deepEqual(seqs(clampedLow.events), [1], 'limit is clamped to at least 1');
      assert.equal(clampedLow.next_since_seq, 1);
      assert.deepEqual(seqs((await list({ limit: 1e9 })).events), range(1, 31));
    } finally {
      store.close();
    }
  });
});

describe('reads after a load from the caches', () => {
  it('listEvents and listPatches see events from before and after the snapshot', async () => {
    const root = tempRoot();
    roots.push(root);
    const a = openStore(root, { snapshotDelayMs: null });
    await a.store.execute('createRun', { run_id: 'p', objective: 'paging' });
    await mixedHistory(a.store, 1);
    a.store.flush();
    const cachedAt = (await a.store.execute('getRun', { run_id: 'p' })).run.last_event_seq;
    const before = (await a.store.execute('listEvents', { run_id: 'p' })).events;
    a.store.close();

    const b = openStore(root, { snapshotDelayMs: null });
    await mixedHistory(b.store, 2);
    const everything = (await b.store.execute('listEvents', { run_id: 'p' })).events;
    b.store.close();
    assert.deepEqual(everything.slice(0, before.length), before);
    const last = everything.length;

    const fromCaches = openStore(root, { snapshotDelayMs: null });
    const scratchRoot = root;
    try {
      const s = fromCaches.store;
      await s.execute('getRun', { run_id: 'p' });
      assert.equal((s.loadedRuns()[0] as RunHandle).snapshotLag, last - cachedAt, 'loaded from the caches');
      assert.deepEqual((await s.execute('listEvents', { run_id: 'p' })).events, everything);
      assert.deepEqual((await allPages(s, 4)).events, everything);
      const across = await s.execute('listEvents', { run_id: 'p', since_seq: cachedAt - 3, limit: 6 });
      assert.deepEqual(seqs(across.events), range(cachedAt - 2, cachedAt + 3));
      assert.deepEqual(seqs((await s.execute('listEvents', { run_id: 'p', tail: last - 2 })).events), range(3, last));

      // A commit by this store, then reads from before its first indexed event still work.
      const { event } = await s.execute('appendEvent', { run_id: 'p', type: 'note', status: 'running' });
      assert.equal(event.seq, last + 1);
      assert.deepEqual(seqs((await s.execute('listEvents', { run_id: 'p', since_seq: 1, limit: 3 })).events), [2, 3, 4]);
      assert.deepEqual((await s.execute('listEvents', { run_id: 'p', since_seq: last })).events, [event]);

      const patches = (await s.execute('listPatches', { run_id: 'p' })).patches;
      const patchEvents = [...everything, event].filter((e) => PATCH_TYPES.test(e.type));
      assert.deepEqual(
        patches.map((p) => p.seq),
        seqs(patchEvents),
      );
      for (const [i, p] of patches.entries()) {
        assert.equal(p.patch_id, `bbp-${patchEvents[i].event_id.replace(/^evt-/, '')}`);
        assert.equal(p.ts_ms, patchEvents[i].ts_ms);
      }
      const ops = new Set(patches.map((p) => p.op));
      for (const op of ['add_fact', 'add_artifact', 'add_task', 'update_task_lease']) assert.ok(ops.has(op), `an ${op} row`);

      const since = (await s.execute('listPatches', { run_id: 'p', since_seq: cachedAt })).patches;
      assert.deepEqual(
        since,
        patches.filter((p) => p.seq > cachedAt),
      );
      const tail = (await s.execute('listPatches', { run_id: 'p', tail: 3 })).patches;
      assert.deepEqual(tail, patches.slice(-3));
      const sinceTail = (await s.execute('listPatches', { run_id: 'p', since_seq: 2, tail: 2 })).patches;
      assert.deepEqual(sinceTail, patches.slice(-2));
      assert.deepEqual((await s.execute('listPatches', { run_id: 'p', tail: 0 })).patches, []);

      // The same answers from a store that folded everything from scratch.
      s.close();
      deleteCaches(scratchRoot, 'p');
      const scratch = openStore(scratchRoot, { snapshotDelayMs: null });
      try {
        assert.deepEqual((await scratch.store.execute('listPatches', { run_id: 'p' })).patches, patches);
        assert.deepEqual((await scratch.store.execute('listEvents', { run_id: 'p' })).events, [...everything, event]);
      } finally {
        scratch.store.close();
      }
    } finally {
      fromCaches.store.close();
    }
  });
});
