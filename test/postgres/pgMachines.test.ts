// One board, two "machines": two services with roots of their own (two clones) whose
// .runboard/board.json names the same PostgreSQL board, each following it as a server does.
// What a team relies on: the same runs on both, live updates across them, no task claimed
// twice, command ids deduped across machines, a run never paused for being on another path,
// expired leases requeued once however many servers' timers fire, and a database restart that
// loses nothing acknowledged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'pg';
import type { EventRecord } from '../../contract/schemas/records';
import { DomainError } from '../../server/src/engine/errors';
import { RunService } from '../../server/src/service/runService';
import { boardOpener } from '../../server/src/store/boards';
import { removeTree, tempRoot } from '../unit/store/helpers';
import { databaseNowMs, startPostgres, writeBoardConfig, type TestPostgres } from '../../scripts/embeddedPostgres';

let db: TestPostgres;
let raw: Pool;
const roots: string[] = [];
const closers: (() => Promise<void> | void)[] = [];

before(async () => {
  db = await startPostgres();
  raw = new Pool(db.config);
  raw.on('error', () => undefined);
});
after(async () => {
  for (const c of closers.reverse()) await c();
  await raw.end();
  await db.remove();
  roots.forEach(removeTree);
});

interface Machine {
  root: string;
  service: RunService;
  heard: EventRecord[];
  /** The diagnostics the service said (each once). */
  said: string[];
}

/** A clone of the workspace on its own machine: its root, its board.json, a service that follows the board. */
function machine(board: string, clock: () => number = Date.now): Machine {
  const root = tempRoot();
  roots.push(root);
  writeBoardConfig(root, db.config, board);
  const service = new RunService([root], { durability: 'fsync', clock }, boardOpener({ PGPASSWORD: String(db.config.password) }));
  const heard: EventRecord[] = [];
  const said: string[] = [];
  service.on({ onCommit: (n) => heard.push(...n.events), onDiagnostic: (d) => said.push(d.message) });
  const following = service.follow(() => undefined);
  closers.push(async () => {
    await following.close();
    service.close();
  });
  return { root, service, heard, said };
}

const dbNow = () => databaseNowMs(raw);

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const seqsOf = (events: EventRecord[], runId: string) => events.filter((e) => e.run_id === runId).map((e) => e.seq);
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const code = (c: string) => (e: unknown) => e instanceof DomainError && e.code === c;

describe('one PostgreSQL board on two machines', () => {
  it('the same runs on both; the other machine hears every commit once, in order', async () => {
    const [a, b] = [machine('live'), machine('live')];
    await a.service.execute('createRun', { run_id: 'r', objective: 'shared' });
    await waitFor(async () => (await b.service.execute('listRuns', {})).runs.some((r) => r.run_id === 'r'), 'b to list the run');
    for (let i = 0; i < 20; i++) {
      const on = i % 2 === 0 ? a : b;
      await on.service.execute('patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { text: `fact ${i}` } });
    }
    for (const m of [a, b]) await waitFor(() => seqsOf(m.heard, 'r').includes(21), 'every commit heard');
    assert.deepEqual(seqsOf(a.heard, 'r'), range(21));
    assert.deepEqual(
      seqsOf(
        b.heard.filter((e) => e.seq > 1),
        'r',
      ),
      range(21).slice(1),
      'b heard seq 2… once each, in order',
    );
    const [ea, eb] = [await a.service.execute('listEvents', { run_id: 'r' }), await b.service.execute('listEvents', { run_id: 'r' })];
    assert.deepEqual(ea.events, eb.events);
    assert.deepEqual(
      ea.events.map((e) => e.seq),
      range(21),
    );
  });

  it('claims from both machines at once never hand one task to two agents; a command id is deduped across machines', async () => {
    const [a, b] = [machine('claims'), machine('claims')];
    await a.service.execute('createRun', { run_id: 'r', objective: 'claims' });
    await a.service.execute('createTasks', { run_id: 'r', tasks: ['t1', 't2', 't3', 't4', 't5'].map((id) => ({ id, task_type: 'w' })) });
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).service.execute('claimTask', { run_id: 'r', agent_id: `agent-${i}` })),
    );
    const won = claims.map((c) => c.task?.id).filter((id): id is string => id !== undefined);
    assert.deepEqual([...won].sort(), ['t1', 't2', 't3', 't4', 't5']);
    await b.service.execute('createTasks', { run_id: 'r', tasks: [{ id: 't6', task_type: 'w' }] });
    const first = await a.service.execute('claimTask', { run_id: 'r', agent_id: 'late', command_id: 'cmd-1' });
    assert.equal(first.task?.id, 't6');
    const again = await b.service.execute('claimTask', { run_id: 'r', agent_id: 'late', command_id: 'cmd-1' });
    assert.equal((again as { deduped?: boolean }).deduped, true);
    assert.deepEqual(again.task, first.task);
    await assert.rejects(
      b.service.execute('claimTask', { run_id: 'r', agent_id: 'other', command_id: 'cmd-1' }),
      code('COMMAND_ID_CONFLICT'),
    );
    const { events } = await b.service.execute('listEvents', { run_id: 'r' });
    assert.deepEqual(
      events.map((e) => e.seq),
      range(events.length),
      'seqs contiguous across machines',
    );
  });

  it('a run bound on one machine is not paused by the other machine’s path', async () => {
    const [a, b] = [machine('paths'), machine('paths')];
    await a.service.execute('createRun', { run_id: 'r', objective: 'paths', workspace: { canonical_path: a.root } });
    await a.service.execute('appendEvent', { run_id: 'r', type: 'started', status: 'running' });
    const check = await b.service.execute('validateWorkspaceLease', { run_id: 'r', phase: 'start', current_path: b.root });
    assert.deepEqual([check.ok, check.mismatch, check.status], [true, false, 'running']);
    assert.equal((await a.service.execute('getRun', { run_id: 'r' })).run.status, 'running');
  });

  it('an expired lease is requeued once, whichever timers fire; a timer never waits for a run another transaction holds', async () => {
    const [a, b] = [machine('timers'), machine('timers')];
    await a.service.execute('createRun', { run_id: 'r', objective: 'timers' });
    await a.service.execute('createTasks', { run_id: 'r', tasks: [{ id: 't', task_type: 'w' }] });
    const { task } = await a.service.execute('claimTask', { run_id: 'r', agent_id: 'x', lease_ms: 5_000 });
    await b.service.execute('getRun', { run_id: 'r' });
    // While another transaction holds the run, a timer goes by without waiting (SKIP LOCKED).
    const holder = await raw.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM runboard_runs WHERE board = 'timers' AND run_id = 'r' FOR UPDATE");
      await waitFor(async () => (await dbNow()) > task!.lease_expires_at_ms!, 'the lease to expire by the database clock');
      const far = Date.now() + 3_600_000;
      await Promise.race([
        b.service.expireLeases(far),
        new Promise((_, reject) => setTimeout(() => reject(new Error('the timer waited for the held run')), 3_000)),
      ]);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const far = Date.now() + 3_600_000;
    await Promise.all([a.service.expireLeases(far), b.service.expireLeases(far), a.service.expireLeases(far)]);
    const { events } = await a.service.execute('listEvents', { run_id: 'r' });
    const requeues = events.filter((e) => e.type.startsWith('context.task.') && e.task_id === 't' && e.seq > 3);
    assert.equal(requeues.length, 1, `one requeue: ${requeues.map((e) => e.type).join(', ')}`);
    assert.equal((await b.service.execute('getBlackboard', { run_id: 'r' })).blackboard.tasks[0].status, 'runnable');
  });

  it("a machine whose clock is an hour ahead makes a run: its leases still expire by the database's clock", async () => {
    const ahead = machine('skew', () => Date.now() + 3_600_000);
    const b = machine('skew');
    await ahead.service.execute('createRun', { run_id: 'r', objective: 'skewed maker' });
    await ahead.service.execute('createTasks', { run_id: 'r', tasks: [{ id: 't', task_type: 'w' }] });
    const { task } = await ahead.service.execute('claimTask', { run_id: 'r', agent_id: 'x', lease_ms: 5_000 });
    const now = await dbNow();
    assert.ok(Math.abs(task!.lease_expires_at_ms! - (now + 5_000)) < 2_000, 'the lease is timed by the database');
    await waitFor(async () => (await dbNow()) > task!.lease_expires_at_ms!, 'the lease to expire by the database clock');
    await b.service.expireLeases(Date.now() + 3_600_000);
    assert.equal((await b.service.execute('getBlackboard', { run_id: 'r' })).blackboard.tasks[0].status, 'runnable');
  });

  it("each outage of a server's listener is said once, and so is its end", async () => {
    const a = machine('outages');
    await a.service.execute('createRun', { run_id: 'o', objective: 'outages' });
    const lost = () => a.said.filter((m) => /cannot listen for commits/.test(m)).length;
    const back = () => a.said.filter((m) => /listening for commits again/.test(m)).length;
    for (const n of [1, 2]) {
      await db.stop();
      try {
        await waitFor(() => lost() === n, `outage ${n} to be said`, 15_000);
      } finally {
        await db.start();
      }
      await waitFor(() => back() === n, `the end of outage ${n} to be said`, 15_000);
    }
    assert.deepEqual([lost(), back()], [2, 2], 'once each');
    assert.match(
      a.said.find((m) => /listening for commits again/.test(m))!,
      /^PostgreSQL board outages: listening for commits again \(outage 1\); the commits made meanwhile are caught up$/,
    );
    // A board error said by the board (a list read again failing) names the board once.
    assert.deepEqual(
      a.said.filter((m) => m.includes('PostgreSQL board outages: PostgreSQL board')),
      [],
    );
  });

  it('a database restart: commits fail while it is down and nothing half-written stays; afterwards both go on and hear each other', async () => {
    const [a, b] = [machine('restart'), machine('restart')];
    await a.service.execute('createRun', { run_id: 'r', objective: 'restart' });
    await b.service.execute('getRun', { run_id: 'r' });
    await a.service.execute('patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { text: 'before' } });
    await waitFor(() => seqsOf(b.heard, 'r').includes(2), 'b to hear seq 2');
    await db.stop();
    await assert.rejects(
      a.service.execute('patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { text: 'while down' } }),
      code('STORAGE_ERROR'),
    );
    // A server that knows the board's runs says the board is down: not "no readable runs" (a CLI
    // then said "create a run") nor "nothing needs you".
    await assert.rejects(a.service.execute('listRuns', {}), code('STORAGE_ERROR'));
    await assert.rejects(a.service.execute('listAttention', {}), code('STORAGE_ERROR'));
    await db.start();
    const after = await a.service.execute('patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { text: 'after' } });
    assert.equal(after.patch.seq, 3, 'the failed commit took no seq');
    await b.service.execute('patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { text: 'from b' } });
    await waitFor(() => seqsOf(a.heard, 'r').includes(4) && seqsOf(b.heard, 'r').includes(3), 'both to hear the other after the restart');
    const facts = (await b.service.execute('getBlackboard', { run_id: 'r' })).blackboard.facts.map((f) => f.text);
    assert.deepEqual(facts, ['before', 'after', 'from b']);
    for (const m of [a, b])
      assert.deepEqual(
        seqsOf(m.heard, 'r'),
        [...new Set(seqsOf(m.heard, 'r'))].sort((x, y) => x - y),
        'no seq heard twice',
      );
  });
});
