// @ts-check
// Fresh demo workspaces: temp copies of test/e2e/fixtures/workspace, one per test window, so
// runs created by one test never show up in another.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_WORKSPACE } from './paths.mjs';

const cli = !!process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
const created = new Set();
process.on('exit', () => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** Copies the fixture into a new temp dir and returns its real path (VS Code compares real paths). */
export function freshWorkspace(prefix = 'runboard-e2e-ws-') {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  fs.cpSync(FIXTURE_WORKSPACE, dir, { recursive: true });
  if (!cli) created.add(dir); // removed on exit unless removeWorkspace() ran (the CLI hands it out)
  return dir;
}

export function removeWorkspace(dir) {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  created.delete(dir);
}

// `node workspace.mjs` prints the path of a new fresh workspace (for shell scripts).
if (cli) console.log(freshWorkspace());
