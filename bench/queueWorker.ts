// A worker process of row 7: claims, heartbeats and completes tasks until none is left, from
// Runboard (its own RunService on the shared root, the OS lock between processes), from Runboard
// through the root's server (routed: the CLI's and MCP's path when a server runs), or from the
// SQLite queue. Started by versusSqlite.ts with fork; it says "ready", waits for "go", says "done".
//   queueWorker.ts runboard|routed <root> <run_id> <fsync|none> <agent>
//   queueWorker.ts sqlite <db file> <FULL|NORMAL> <agent>
import { RunService } from '../server/src/service/runService';
import { RoutedCaller, type MethodCaller } from '../server/src/routing/client';
import { takesCommandId } from '../contract/schemas/params';
import type { Durability } from '../contract/limits';
import { SqliteQueue, SqliteSync } from './sqliteQueue';

export interface WorkerDone {
  done: true;
  completed: number;
  /** CPU time this process spent in the loop (user + system), ms. */
  cpuMs: number;
}

type Loop = () => Promise<number>;

/** The claim → heartbeat → complete loop over any caller of the protocol's methods. */
function boardLoop(caller: MethodCaller, runId: string, agent: string): Loop {
  return async () => {
    let completed = 0;
    for (;;) {
      const { task } = await caller.execute('claimTask', { run_id: runId, agent_id: agent });
      if (!task) return completed;
      await caller.execute('transitionTask', { run_id: runId, task_id: task.id, action: 'heartbeat', lease_token: task.lease_token });
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
): Promise<{ loop: Loop; close: () => void }> {
  const store = new RunService([root], { durability, snapshotDelayMs: null, snapshotLagEvents: Number.MAX_SAFE_INTEGER });
  // Load the run now, not on the clock.
  if (!(await store.runIn(store.rootPaths()[0], runId))) throw new Error(`no run ${runId} in ${root}`);
  return { loop: boardLoop(store, runId, agent), close: () => store.close() };
}

/** Through the root's server only: a fall back to writing directly would measure the other path, so it fails the row. */
function routedLoop(root: string, runId: string, durability: Durability, agent: string): { loop: Loop; close: () => void } {
  const caller = new RoutedCaller({ root, durability, takesCommandId }, () => {
    throw new Error(`worker ${agent}: no server answered on ${root}'s socket`);
  });
  return { loop: boardLoop(caller, runId, agent), close: () => caller.close() };
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
