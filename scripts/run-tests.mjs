// Runs every test suite with node's test runner (TypeScript through tsx), then the e2e suite in
// the real VS Code workbench when it is installed (test/e2e/setup.sh). Skipping e2e is loud.
//   node scripts/run-tests.mjs [--only unit|server|cli|e2e] [--no-e2e]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const noE2e = argv.includes('--no-e2e') || process.env.RUNBOARD_SKIP_E2E === '1';

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return findTests(p);
    return d.name.endsWith('.test.ts') ? [p] : [];
  });
}

const suites = ['unit', 'server', 'cli', 'reliability'].filter((s) => !only || only === s);
let failed = false;
for (const suite of suites) {
  const files = findTests(path.join('test', suite)).sort();
  if (files.length === 0) continue;
  console.log(`\n=== ${suite}: ${files.length} test files ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed = true;
}

if (!only || only === 'e2e') {
  const runner = path.join('test', 'e2e', 'run.sh');
  const installed = fs.existsSync(path.join('test', 'e2e', '.cache', 'env.sh'));
  if (noE2e) {
    console.log('\n!!! E2E SKIPPED: disabled by --no-e2e / RUNBOARD_SKIP_E2E=1 !!!\n');
  } else if (!fs.existsSync(runner) || !installed) {
    console.log('\n' + '!'.repeat(78));
    console.log('!!! E2E SKIPPED: the VS Code workbench is not installed here.');
    console.log('!!! Install it with `bash test/e2e/setup.sh` (CI does this), then `npm test` runs it.');
    console.log('!'.repeat(78) + '\n');
  } else {
    console.log('\n=== e2e: the real VS Code workbench ===');
    const r = spawnSync('bash', [runner], { stdio: 'inherit' });
    if (r.status !== 0) failed = true;
  }
}

process.exit(failed ? 1 : 0);
