// `npm run bench` (= build, then this): runs every workload, prints the table and writes
// bench/results.json (a full run only when the machine was quiet at its start: load average ≤ 1,
// waited for up to 5 minutes). Flags: --quick (CI-sized, ~10× smaller), --only <n|key>[,…] (some rows),
// --markdown (also print the table as Markdown, for BENCHMARKS.md), --no-bundle (run the
// sources through tsx instead).
//
// The workloads call the engine and store in-process, so by default they run from an esbuild
// bundle (out/bench/), like the shipped dist/*.js: under tsx every module is compiled on its own,
// with getter-based imports and name-keeping helpers that cost 10–20% in the fold's hot path.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Row } from './harness';
import { BUNDLE_DIR, BUNDLED, REPO, RESULTS_JSON } from './paths';
import { ROWS, selectRows } from './rows';
import { markdownTable, textTable } from './table';

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** Bundles run.ts and the worker entry into out/bench, then runs the bundle; returns its exit code. */
async function runBundled(argv: string[]): Promise<number> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(REPO, 'bench', 'run.ts'), path.join(REPO, 'bench', 'queueWorker.ts')],
    outdir: BUNDLE_DIR,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  const r = spawnSync(process.execPath, [path.join(BUNDLE_DIR, 'run.js'), ...argv], { stdio: 'inherit' });
  return r.status ?? 1;
}

/** A full run is recorded only on a quiet machine: the 1-minute load average at start at most this. */
const QUIET_LOAD = 1;
const QUIET_WAIT_MS = 5 * 60_000;

/** Waits (up to QUIET_WAIT_MS) for the machine to be quiet; whether it is. */
async function waitForQuiet(): Promise<boolean> {
  const until = Date.now() + QUIET_WAIT_MS;
  for (;;) {
    const load = os.loadavg()[0];
    if (load <= QUIET_LOAD) return true;
    if (Date.now() >= until) return false;
    process.stderr.write(`load average ${load.toFixed(2)} > ${QUIET_LOAD}: waiting for a quiet machine…\n`);
    await new Promise((r) => setTimeout(r, 10_000));
  }
}

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  // Another process's load skews every ratio: a full run on a busy machine is shown, never recorded.
  const record = quick || (await waitForQuiet());
  const specs = selectRows(argValue(argv, '--only'));
  const rows: Row[] = [];
  const started = Date.now();
  for (const spec of specs) {
    const n = ROWS.indexOf(spec) + 1;
    const t0 = Date.now();
    process.stderr.write(`row ${n} (${spec.key})… `);
    const out = await spec.run(quick);
    out.forEach((r, i) => rows.push({ id: out.length > 1 ? `${n}${'abcdefgh'[i]}` : String(n), ...r }));
    process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  console.log(`\n${textTable(rows)}\n`);
  if (argv.includes('--markdown')) console.log(`${markdownTable(rows)}\n`);
  const failed = rows.filter((r) => !r.pass);
  console.log(failed.length === 0 ? 'Every goal met.' : `Goals missed: ${failed.map((r) => r.id).join(', ')}.`);
  const results = {
    quick,
    bundled: BUNDLED,
    date: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? '',
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadavg: os.loadavg(),
    },
    rows,
  };
  if (!record) {
    console.log(
      `Not recorded: the load average was above ${QUIET_LOAD} at the start (${os.loadavg()[0].toFixed(2)} now). Run it again on a quiet machine.`,
    );
    process.exitCode = 1;
    return;
  }
  fs.writeFileSync(RESULTS_JSON, JSON.stringify(results, null, 2) + '\n');
  console.log(`Wrote ${path.relative(process.cwd(), RESULTS_JSON)}.`);
}

const argv = process.argv.slice(2);
const run = !BUNDLED && !argv.includes('--no-bundle') ? runBundled(argv).then((code) => process.exit(code)) : main(argv);
run.catch((e) => {
  console.error((e as Error).stack ?? e);
  process.exit(1);
});
