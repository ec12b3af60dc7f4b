// Row 7: the same workload — claim → heartbeat → complete until the board is empty — by 4 worker
// processes over one board, Runboard vs the SQLite queue, durability-matched: Runboard fsync vs
// synchronous=FULL, Runboard none vs synchronous=NORMAL. Throughput in completed tasks/s from
// "go" to the last worker's "done" (process start and loading are not on the clock). Runboard
// twice: each worker writing directly (7a, 7b), and the workers routed through one headless server
// of the root, which group-commits what arrives together (7c, 7d; issue 18).
import * as path from 'node:path';
import type { Durability } from '../contract/limits';
import { benchStore, inTempDir, median, ratioOf, Row } from './harness';
import { seedSqliteQueue, SqliteQueue, SqliteSync } from './sqliteQueue';
import { taskInputs } from './workload';
import { withHeadlessServer } from './headlessServer';
import { race, RaceResult } from './workerRace';

export interface VersusSqliteSize {
  tasks: number;
  workers: number;
  rounds: number;
}

type RunboardPath = 'direct' | 'routed';

async function runboardRound(size: VersusSqliteSize, durability: Durability, via: RunboardPath): Promise<RaceResult> {
  return inTempDir('vs-runboard', async (dir) => {
    const root = path.join(dir, 'root');
    const runId = 'board';
    const store = benchStore(root);
    try {
      await store.execute('createRun', { run_id: runId, objective: 'four workers on one board' });
      for (let made = 0; made < size.tasks; made += 500) {
        await store.execute('createTasks', { run_id: runId, tasks: taskInputs(Math.min(500, size.tasks - made), made) });
      }
      store.flush(); // caches, so the workers load fast
    } finally {
      store.close();
    }
    const kind = via === 'direct' ? 'runboard' : 'routed';
    const args = Array.from({ length: size.workers }, (_, i) => [kind, root, runId, durability, `agent-${i}`]);
    return via === 'direct' ? race(args, size.tasks) : withHeadlessServer(root, durability, () => race(args, size.tasks));
  });
}

async function sqliteRound(size: VersusSqliteSize, sync: SqliteSync): Promise<RaceResult> {
  return inTempDir('vs-sqlite', async (dir) => {
    const file = path.join(dir, 'queue.db');
    seedSqliteQueue(file, size.tasks);
    const args = Array.from({ length: size.workers }, (_, i) => ['sqlite', file, sync, `agent-${i}`]);
    const result = await race(args, size.tasks);
    const q = new SqliteQueue(file, sync);
    try {
      if (q.countDone() !== size.tasks) throw new Error('SQLite queue: not every task is done');
    } finally {
      q.close();
    }
    return result;
  });
}

async function pairing(size: VersusSqliteSize, durability: Durability, sync: SqliteSync, via: RunboardPath, goal: number): Promise<Row> {
  const runboard: RaceResult[] = [];
  const sqlite: RaceResult[] = [];
  for (let r = 0; r < size.rounds; r++) {
    runboard.push(await runboardRound(size, durability, via));
    sqlite.push(await sqliteRound(size, sync));
  }
  const value = median(runboard.map((r) => r.rate));
  const baseline = median(sqlite.map((r) => r.rate));
  const ratio = ratioOf(value, baseline);
  const cpu = (rs: RaceResult[]) => Math.round(median(rs.map((r) => r.cpuUsPerTask)));
  return {
    name: `vs SQLite, ${size.workers} workers (${durability} vs ${sync})${via === 'routed' ? ', routed through a server' : ''}`,
    value,
    unit: 'tasks/s',
    baseline,
    ratio,
    goal: `ratio ≥ ${goal}`,
    pass: ratio >= goal,
    note:
      `claim → heartbeat → complete over ${size.tasks} tasks; CPU per task, all workers: ` +
      `Runboard ${cpu(runboard)} µs, SQLite ${cpu(sqlite)} µs; ${size.rounds} rounds`,
  };
}

export async function benchVersusSqlite(size: VersusSqliteSize): Promise<Row[]> {
  return [
    await pairing(size, 'fsync', 'FULL', 'direct', 1),
    await pairing(size, 'none', 'NORMAL', 'direct', 1),
    // Issue 18's goals for the routed path: ≥ 1 with fsync; ≥ 0.6 without (≥ 1 needs smaller task events).
    await pairing(size, 'fsync', 'FULL', 'routed', 1),
    await pairing(size, 'none', 'NORMAL', 'routed', 0.6),
  ];
}
