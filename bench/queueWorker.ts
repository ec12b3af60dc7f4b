// A worker process of row 7: claims, heartbeats and completes tasks until none is left, from
// Runboard (its own RunService on the shared root, the OS lock between processes), from Runboard
// through the root's server (routed: the CLI's and MCP's path when a server runs), or from the
// SQLite queue. Started by versusSqlite.ts with fork; it says "ready", waits for "go", says "done".
//   queueWorker.ts runboard|routed <root> <run_id> <fsync|none> <agent>
//   queueWorker.ts sqlite <db file> <FULL|NORMAL> <agent>
//   queueWorker.ts runboard-claim-complete|routed-claim-complete <root> <run_id> <agent>   (row 11: a root whose board is on PostgreSQL)
//   queueWorker.ts pgboss <connection JSON> <queue>                   (row 11: pg-boss on the same database)
import { RunService } from '../server/src/service/runService';
import { RoutedCaller, type MethodCaller } from '../server/src/routing/client';
import { takesCommandId } from '../contract/schemas/params';
import type { Durability } from '../contract/limits';
import PgBoss from 'pg-boss';
import { SqliteQueue, SqliteSync } from './sqliteQueue';

export interface WorkerDone {
  done: true;
  completed: number;
  /** CPU time this process spent in the loop (user + system), ms. */
  cpuMs: number;
}

type Loop = () => Promise<number>;

/** The claim → heartbeat → complete loop over any caller of the protocol's methods (claim → complete without `heartbeat`). */
function boardLoop(caller: MethodCaller, runId: string, agent: string, heartbeat = true): Loop {
  return async () => {
    let completed = 0;
    for (;;) {
      const { task } = await caller.execute('claimTask', { run_id: runId, agent_id: agent });
      if (!task) return completed;
      if (heartbeat) {
        await caller.execute('transitionTask', { run_id: runId, task_id: task.id, action: 'heartbeat', lease_token: task.lease_token });
      }
      await caller.execute('transitionTask', { run_id: runId, task_id: task.id, action: 'complete', lease_token: task.lease_token });
      completed++;
    }
  };
}

async function runboardLoop(
  root: string,
  runId: string,
  durability: Durability,
  agent: string,
  heartbeat = true,
): Promise<{ loop: Loop; close: () => void }> {
  const store = new RunService([root], { durability, snapshotDelayMs: null, snapshotLagEvents: Number.MAX_SAFE_INTEGER });
  // Load the run now, not on the clock.
  if (!(await store.runIn(store.rootPaths()[0], runId))) throw new Error(`no run ${runId} in ${root}`);
  return { loop: boardLoop(store, runId, agent, heartbeat), close: () => store.close() };
}

/** pg-boss on the same database: fetch (its claim: SKIP LOCKED over independent jobs) → complete, until the queue is empty. */
async function pgBossLoop(connection: string, queue: string): Promise<{ loop: Loop; close: () => void }> {
  const boss = new PgBoss({
    ...(JSON.parse(connection) as PgBoss.DatabaseOptions),
    max: 2,
    supervise: false,
    schedule: false,
    migrate: false,
  });
  boss.on('error', (e: Error) => process.stderr.write(`pg-boss: ${e.message}\n`));
  await boss.start();
  const loop = async () => {
    let completed = 0;
    for (;;) {
      const [job] = await boss.fetch(queue);
      if (!job) return completed;
      await boss.complete(queue, job.id);
      completed++;
    }
  };
  return { loop, close: () => void boss.stop({ graceful: false, wait: false }) };
}

/** Through the root's server only: a fall back to writing directly would measure the other path, so it fails the row. */
function routedLoop(
  root: string,
  runId: string,
  durability: Durability,
  agent: string,
  heartbeat = true,
): { loop: Loop; close: () => void } {
  const caller = new RoutedCaller({ root, durability, takesCommandId }, () => {
    throw new Error(`worker ${agent}: no server answered on ${root}'s socket`);
  });
  return { loop: boardLoop(caller, runId, agent, heartbeat), close: () => caller.close() };
}

function sqliteLoop(file: string, sync: SqliteSync, agent: string): { loop: Loop; close: () => void } {
  const q = new SqliteQueue(file, sync);
  const loop = async () => {
    let completed = 0;
    for (;;) {
      const row = q.claim(agent);
      if (!row) return completed;
      if (!q.heartbeat(row.id, row.lease_token)) throw new Error(`heartbeat lost ${row.id}`);
      if (!q.complete(row.id, row.lease_token)) throw new Error(`complete lost ${row.id}`);
      completed++;
    }
  };
  return { loop, close: () => q.close() };
}

async function main(): Promise<void> {
  const [kind, ...args] = process.argv.slice(2);
  const worker = await (kind === 'runboard'
    ? runboardLoop(args[0], args[1], args[2] as Durability, args[3])
    : kind === 'runboard-claim-complete'
      ? runboardLoop(args[0], args[1], 'fsync', args[2], false)
      : kind === 'routed-claim-complete'
        ? routedLoop(args[0], args[1], 'fsync', args[2], false)
        : kind === 'pgboss'
          ? pgBossLoop(args[0], args[1])
          : kind === 'routed'
            ? routedLoop(args[0], args[1], args[2] as Durability, args[3])
            : sqliteLoop(args[0], args[1] as SqliteSync, args[2]));
  process.once('message', () => {
    const cpu0 = process.cpuUsage();
    worker
      .loop()
      .then((completed) => {
        const cpu = process.cpuUsage(cpu0);
        worker.close();
        process.send!({ done: true, completed, cpuMs: (cpu.user + cpu.system) / 1000 } satisfies WorkerDone, () => process.exit(0));
      })
      .catch((e) => {
        process.stderr.write(`${(e as Error).stack ?? e}\n`);
        process.exit(1);
      });
  });
  process.send!('ready');
}

main().catch((e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exit(1);
});
