// The PostgreSQL board's commits (issue 19, store/pg/pgEventLog.ts) on a real PostgreSQL:
// concurrent committers on two pools ("machines") get contiguous seqs and each decides on every
// event before it; a rejected decision writes nothing and frees the run; creation is once per
// board; decisions are timed by the database; and listeners hear each commit once, coming back
// with a resync after their connection is cut.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'pg';
import { DomainError } from '../../server/src/engine/errors';
import { PgEventLog, type StoredEvent } from '../../server/src/store/pg/pgEventLog';
import { PgListener } from '../../server/src/store/pg/pgListener';
import { storageError } from '../../server/src/store/pg/pgErrors';
import { PG_TIMEOUTS } from '../../server/src/store/pg/pgBoard';
import { ANSWER_TIMEOUT_MS } from '../../server/src/routing/client';
import { startPostgres, type TestPostgres } from '../../scripts/embeddedPostgres';

let db: TestPostgres;
const pools: Pool[] = [];
const pool = () => {
  const p = new Pool({ ...db.config, max: 4 });
  // Idle clients lose their connections when the database restarts or cuts them: the pool says so here.
  p.on('error', () => undefined);
  pools.push(p);
  return p;
};

before(async () => {
  db = await startPostgres();
});
after(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await db.remove();
});

/** A line as the engine would write it: here only what the checks read. */
const line = (o: object) => JSON.stringify(o);

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the PostgreSQL board', () => {
  it('commits from two machines at once: contiguous seqs, each decided on every event before it', async () => {
    const [a, b] = [await PgEventLog.open(pool(), 'team'), await PgEventLog.open(pool(), 'team')];
    await a.createRun('r1', [line({ seq: 1, saw: 0 })]);
    const perWorker = 25;
    // Four workers per machine, each knowing only what its own commits returned.
    const worker = async (log: PgEventLog, name: string) => {
      let known = 1;
      for (let i = 0; i < perWorker; i++) {
        const done = await log.commit('r1', known, (since, at) => {
          assert.equal(at.nextSeq, known + since.length + 1, 'the events since are all there is');
          return { lines: [line({ seq: at.nextSeq, saw: at.nextSeq - 1, by: name })], value: at.nextSeq };
        });
        known = done.value;
      }
    };
    await Promise.all([0, 1, 2, 3].flatMap((i) => [worker(a, `a${i}`), worker(b, `b${i}`)]));
    const events = await a.readSince('r1', 0);
    const total = 1 + 8 * perWorker;
    assert.deepEqual(
      events.map((e) => e.seq),
      Array.from({ length: total }, (_, i) => i + 1),
    );
    for (const e of events) {
      const parsed = JSON.parse(e.line) as { seq: number; saw: number };
      assert.equal(parsed.seq, e.seq);
      assert.equal(parsed.saw, e.seq - 1);
    }
  });

  it('a decision that throws writes nothing and frees the run; a run is created once per board', async () => {
    const log = await PgEventLog.open(pool(), 'team');
    await log.createRun('r2', [line({ seq: 1 })]);
    await assert.rejects(
      log.commit('r2', 1, () => {
        throw new DomainError('TASK_NOT_FOUND', 'no such task');
      }),
      (e: unknown) => e instanceof DomainError && e.code === 'TASK_NOT_FOUND',
    );
    const next = await log.commit('r2', 1, (_since, at) => ({ lines: [line({ seq: at.nextSeq })], value: at.nextSeq }));
    assert.equal(next.value, 2, 'nothing of the rejected one was written');
    await assert.rejects(log.createRun('r2', [line({ seq: 1 })]), (e: unknown) => e instanceof DomainError && e.code === 'RUN_EXISTS');
    await assert.rejects(
      log.commit('nope', 0, () => ({ lines: [], value: 0 })),
      (e: unknown) => e instanceof DomainError && e.code === 'RUN_NOT_FOUND',
    );
    // Another board of the same database holds its own runs.
    const other = await PgEventLog.open(pool(), 'other team');
    assert.deepEqual(await other.runIds(), []);
    await other.createRun('r2', [line({ seq: 1 })]);
    assert.ok((await log.runIds()).includes('r2'));
  });

  it("decides at the database's time", async () => {
    const log = await PgEventLog.open(pool(), 'clock');
    const created = await log.now();
    await log.createRun('t', [line({ seq: 1 })]);
    const { value } = await log.commit('t', 1, (_s, at) => ({ lines: [], value: at.nowMs }));
    const r = await pools[0].query<{ ms: string }>('SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS ms');
    assert.ok(created <= value && value <= Number(r.rows[0].ms), `${created} ≤ ${value} ≤ ${r.rows[0].ms}`);
  });

  it('listeners hear each commit once with its last seq, and resync after their connection is cut', async () => {
    const p = pool();
    const log = await PgEventLog.open(p, 'heard');
    const heard: [string, number][] = [];
    let resyncs = 0;
    const listener = await PgListener.start(
      db.config,
      'heard',
      { commit: (run, seq) => heard.push([run, seq]), archived: () => undefined, resync: () => resyncs++, unreachable: () => undefined },
      50,
    );
    try {
      await log.createRun('n', [line({ seq: 1 })]);
      // Three events in one commit: one notification.
      await log.commit('n', 1, (_s, at) => ({ lines: [0, 1, 2].map((i) => line({ seq: at.nextSeq + i })), value: 0 }));
      await PgEventLog.open(p, 'another board').then((o) => o.createRun('n', [line({ seq: 1 })]));
      await waitFor(() => heard.length >= 2, 'two notifications');
      assert.deepEqual(heard, [
        ['n', 1],
        ['n', 4],
      ]);
      // Cut the listener's connection, as a database restart would.
      await p.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`);
      await waitFor(() => resyncs === 1, 'the resync');
      await log.commit('n', 4, (_s, at) => ({ lines: [line({ seq: at.nextSeq })], value: 0 }));
      await waitFor(() => heard.length === 3, 'the next commit');
      assert.deepEqual(heard[2], ['n', 5]);
    } finally {
      await listener.close();
    }
  });

  it('a database restart: commits go on from the seq it holds, and a listener resyncs', async () => {
    const p = pool();
    const log = await PgEventLog.open(p, 'restart');
    let resyncs = 0;
    const heard: number[] = [];
    const listener = await PgListener.start(
      db.config,
      'restart',
      { commit: (_r, seq) => heard.push(seq), archived: () => undefined, resync: () => resyncs++, unreachable: () => undefined },
      100,
    );
    try {
      await log.createRun('r', [line({ seq: 1 })]);
      await db.stop();
      await assert.rejects(log.commit('r', 1, (_s, at) => ({ lines: [line({ seq: at.nextSeq })], value: 0 })));
      await db.start();
      // Acknowledged before the restart: still there; the failed commit left nothing.
      const next = await log.commit('r', 1, (since, at) => ({ lines: [line({ seq: at.nextSeq })], value: [since.length, at.nextSeq] }));
      assert.deepEqual(next.value, [0, 2]);
      await waitFor(() => resyncs >= 1, 'the resync after the restart', 10_000);
      await log.commit('r', 2, (_s, at) => ({ lines: [line({ seq: at.nextSeq })], value: 0 }));
      await waitFor(() => heard.includes(3), 'a commit heard after the restart', 10_000);
    } finally {
      await listener.close();
    }
  });

  it('a listener started while the database is down says so, keeps trying, and resyncs once it is up', async () => {
    const p = pool();
    const log = await PgEventLog.open(p, 'late');
    await log.createRun('l', [line({ seq: 1 })]);
    await db.stop();
    const unreachable: string[] = [];
    let resyncs = 0;
    const heard: number[] = [];
    const listener = await PgListener.start(
      db.config,
      'late',
      {
        commit: (_r, seq) => heard.push(seq),
        archived: () => undefined,
        resync: () => resyncs++,
        unreachable: (e) => unreachable.push(e.message),
      },
      100,
    );
    try {
      assert.ok(unreachable.length >= 1, 'the first connection failed and was said');
      await db.start();
      await waitFor(() => resyncs === 1, 'the resync once the database is up', 10_000);
      await log.commit('l', 1, (_s, at) => ({ lines: [line({ seq: at.nextSeq })], value: 0 }));
      await waitFor(() => heard.includes(2), 'a commit heard', 10_000);
    } finally {
      await listener.close();
    }
  });

  it('reads what it stored: lines byte for byte, in seq order', async () => {
    const log = await PgEventLog.open(pool(), 'bytes');
    const lines = [line({ seq: 1, text: 'zoë 日本語 "quoted" \\ back' }), line({ seq: 2, nested: { a: [1, 2, { b: null }] } })];
    await log.createRun('b', lines);
    const read: StoredEvent[] = await log.readSince('b', 0);
    assert.deepEqual(
      read.map((e) => e.line),
      lines,
    );
    assert.deepEqual(await log.readSince('b', 1), [{ seq: 2, line: lines[1] }]);
  });

  it('a backend that stops answering fails the statement (query_timeout, transient), and the next commit goes on a new connection', async () => {
    // A board's pools wait longer than a lock wait may last (that fails first, as LOCK_NOT_AVAILABLE),
    // and less than a routed client waits for its answer (it hears the error, not its own timeout).
    assert.ok(PG_TIMEOUTS.query_timeout > PG_TIMEOUTS.lock_timeout && PG_TIMEOUTS.query_timeout < ANSWER_TIMEOUT_MS);
    const frozen = new Pool({ ...db.config, max: 1, query_timeout: 300 });
    frozen.on('error', () => undefined);
    pools.push(frozen);
    // What each connection is sent: after a timeout, nothing more (a ROLLBACK would wait behind the statement, a second timeout).
    const sent: string[] = [];
    frozen.on('connect', (c) => {
      const query = c.query.bind(c) as (...a: unknown[]) => unknown;
      (c as { query: unknown }).query = (...a: unknown[]) => {
        sent.push(typeof a[0] === 'string' ? a[0] : String((a[0] as { text?: string }).text));
        return query(...a);
      };
    });
    const log = await PgEventLog.open(frozen, 'stall');
    await log.createRun('s', [line({ seq: 1 })]);
    const pid = (await frozen.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    process.kill(pid, 'SIGSTOP'); // the pool's one connection: its backend frozen (as a machine that hangs)
    try {
      const failed = await log
        .commit('s', 1, (_since, at) => ({ lines: [line({ seq: at.nextSeq })], value: 0 }))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.match(String(failed), /Query read timeout/);
      assert.match(sent[sent.length - 1], /^BEGIN; /, 'the frozen statement was the last sent on its connection: no ROLLBACK after it');
      const said = storageError('stall', failed);
      assert.equal(said.details.transient, true, said.message);
      // The frozen connection is not used again: the next commit gets a backend that answers.
      const done = await log.commit('s', 1, (_since, at) => ({ lines: [line({ seq: at.nextSeq })], value: at.nextSeq }));
      assert.equal(done.value, 2);
      assert.deepEqual(
        (await log.readSince('s', 0)).map((e) => e.seq),
        [1, 2],
      );
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it(
    'a test database whose server died is removed without waiting for its exit (the harness once hung an after hook so)',
    { timeout: 60_000 },
    async () => {
      const other = await startPostgres();
      const c = new Pool({ ...other.config, max: 1 });
      c.on('error', () => undefined);
      const backend = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await c.end();
      // The postmaster: the backend's parent (Linux's /proc/<pid>/stat, field 4).
      const postmaster = Number(fs.readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      process.kill(postmaster, 'SIGKILL');
      await waitFor(
        () =>
          !fs.existsSync(`/proc/${postmaster}/stat`) || fs.readFileSync(`/proc/${postmaster}/stat`, 'utf8').split(') ')[1].startsWith('Z'),
        'the server to die',
      );
      await other.remove(); // resolves: before, it waited for an exit that had come already
    },
  );
});
