// Worker processes of a throughput row (queueWorker.ts), started apart, let go together, timed
// from "go" to the last "done": process start and loading are not on the clock.
import { ChildProcess, fork } from 'node:child_process';
import { nowMs, settle } from './harness';
import { benchEntry, REPO } from './paths';
import type { WorkerDone } from './queueWorker';

function startWorker(args: string[]): Promise<ChildProcess> {
  // BENCH_WORKER_ARGS: extra node flags for the workers, e.g. "--cpu-prof --cpu-prof-dir=prof".
  const extra = process.env.BENCH_WORKER_ARGS?.split(' ').filter(Boolean) ?? [];
  const worker = benchEntry('queueWorker');
  const child = fork(worker.file, args, {
    cwd: REPO,
    execArgv: [...worker.execArgv, ...extra],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => (m === 'ready' ? resolve(child) : reject(new Error(`worker said ${JSON.stringify(m)}`))));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

export interface RaceResult {
  /** Completed tasks per second, from "go" to the last "done". */
  rate: number;
  /** CPU time of all workers per completed task, µs. */
  cpuUsPerTask: number;
}

/** Starts the workers, lets them go together, waits for every one to finish. */
export async function race(argsPerWorker: string[][], expected: number): Promise<RaceResult> {
  const workers = await Promise.all(argsPerWorker.map(startWorker));
  try {
    await settle();
    const finished = workers.map(
      (w) =>
        new Promise<WorkerDone>((resolve, reject) => {
          w.once('message', (m) => resolve(m as WorkerDone));
          w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
        }),
    );
    const t0 = nowMs();
    for (const w of workers) w.send('go');
    const reports = await Promise.all(finished);
    const ms = nowMs() - t0;
    const completed = reports.reduce((a, r) => a + r.completed, 0);
    await Promise.all(workers.map((w) => (w.exitCode !== null ? Promise.resolve() : new Promise((r) => w.once('exit', r)))));
    if (completed !== expected) throw new Error(`workers completed ${completed} tasks, expected ${expected}`);
    const cpuMs = reports.reduce((a, r) => a + r.cpuMs, 0);
    return { rate: completed / (ms / 1000), cpuUsPerTask: (cpuMs * 1000) / completed };
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  }
}
