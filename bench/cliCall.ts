// Row 10: a whole `runboard claim` and `runboard complete` process, start to exit, vs a bare
// `node -e 0`: writing directly (goal: under 150 ms and at most 3× the bare start), and routed
// through a headless server of the root (issue 18's goal: at most 1.15× the bare start).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchStore, inTempDir, median, nowMs, ratioOf, Row } from './harness';
import { CLI_JS } from './paths';
import { taskInputs } from './workload';
import { withHeadlessServer } from './headlessServer';

export interface CliCallSize {
  calls: number;
}

const GOAL_MS = 150;
const GOAL_RATIO = 3;
const ROUTED_GOAL_RATIO = 1.15;

function timedRun(args: string[], env: NodeJS.ProcessEnv): { ms: number; stdout: string } {
  const t0 = nowMs();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = nowMs() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

export async function benchCliCall(size: CliCallSize): Promise<Row[]> {
  if (!fs.existsSync(CLI_JS)) throw new Error(`${CLI_JS} is missing: run npm run build first`);
  return inTempDir('cli', async (dir) => {
    const root = path.join(dir, 'root');
    const runId = 'cli';
    const store = benchStore(root, { snapshotLagEvents: 0 });
    try {
      await store.execute('createRun', { run_id: runId, objective: 'CLI calls' });
      await store.execute('createTasks', { run_id: runId, tasks: taskInputs(Math.max(200, size.calls)) });
    } finally {
      store.close(); // writes the caches, as a long-lived writer would have
    }
    const env = { ...process.env, RUNBOARD_AGENT: 'bench-agent' };
    const base = ['--root', root, '--run', runId, '--durability', 'fsync', '--json'];
    const bare: number[] = [];
    /** `calls` claim + complete pairs, each beside a bare node start (the baseline, measured alongside). */
    const measure = (callEnv: NodeJS.ProcessEnv) => {
      const claims: number[] = [];
      const completes: number[] = [];
      timedRun([CLI_JS, ...base, 'claim'], callEnv); // warm the file cache (and the connection path)
      for (let i = 0; i < size.calls; i++) {
        bare.push(timedRun(['-e', '0'], env).ms);
        const claim = timedRun([CLI_JS, ...base, 'claim'], callEnv);
        claims.push(claim.ms);
        const task = (JSON.parse(claim.stdout) as { task: { id: string; lease_token: string } | null }).task;
        if (!task) throw new Error('nothing left to claim');
        completes.push(timedRun([CLI_JS, ...base, 'complete', '--token', task.lease_token], callEnv).ms);
      }
      return { claims, completes };
    };
    const direct = measure({ ...env, RUNBOARD_ROUTE: '0' });
    const routed = await withHeadlessServer(root, 'fsync', async () => measure(env));
    const node = median(bare);
    const row = (name: string, samples: number[], via: 'direct' | 'routed'): Row => {
      const value = median(samples);
      const ratio = ratioOf(value, node);
      return {
        name,
        value,
        unit: 'ms',
        baseline: node,
        ratio,
        goal: via === 'direct' ? `< ${GOAL_MS} ms and ratio ≤ ${GOAL_RATIO}` : `ratio ≤ ${ROUTED_GOAL_RATIO}`,
        pass: via === 'direct' ? value < GOAL_MS && ratio <= GOAL_RATIO : ratio <= ROUTED_GOAL_RATIO,
        note: `whole process (durability fsync) vs node -e 0; ${size.calls} calls each${via === 'routed' ? '; a headless server of the root answers' : ''}`,
      };
    };
    return [
      row('CLI call: runboard claim', direct.claims, 'direct'),
      row('CLI call: runboard complete', direct.completes, 'direct'),
      row('CLI call: runboard claim, routed', routed.claims, 'routed'),
      row('CLI call: runboard complete, routed', routed.completes, 'routed'),
    ];
  });
}
