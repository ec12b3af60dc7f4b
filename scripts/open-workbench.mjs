// Opens Runboard in a real VS Code on a fresh demo workspace (a temp copy of
// test/e2e/fixtures/workspace):
//   - the desktop VS Code (`code --extensionDevelopmentPath=<repo> <workspace>`) when `code` is on PATH,
//   - otherwise the npm-installed workbench (code-server, installed by test/e2e/setup.sh on first
//     use) served on 127.0.0.1; the URL is printed and the server runs until Ctrl-C.
// Usage (after `npm run build`; `npm run start:workbench` does both):
//   node scripts/open-workbench.mjs [--web] [--port N] [--workspace DIR]
//     --web        use the npm-installed workbench even when `code` is on PATH
//     --port N     port for the web workbench (default: a free one)
//     --workspace  open this folder instead of a fresh demo copy
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { web: { type: 'boolean' }, port: { type: 'string' }, workspace: { type: 'string' } } });

if (!fs.existsSync(path.join(repo, 'dist', 'extension.js'))) {
  console.error('dist/extension.js is missing: run `npm run build` first (npm run start:workbench does).');
  process.exit(1);
}

let workspace = values.workspace && path.resolve(values.workspace);
if (!workspace) {
  workspace = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-demo-')));
  fs.cpSync(path.join(repo, 'test', 'e2e', 'fixtures', 'workspace'), workspace, { recursive: true });
}
console.log(`Demo workspace: ${workspace}`);

function onPath(cmd) {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, cmd)));
}

if (!values.web && onPath('code')) {
  console.log('Opening the desktop VS Code with Runboard loaded from this repository…');
  const r = spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${repo}`, workspace], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

// The npm-installed workbench. Its install (about 4 min, once) lives in test/e2e/.cache/.
const setup = path.join(repo, 'test', 'e2e', 'setup.sh');
const { workbenchInstalled, CACHE_DIR } = await import('../test/e2e/driver/paths.mjs');
if (!workbenchInstalled()) {
  console.log('No `code` on PATH: installing the npm workbench (code-server) first, once…');
  const r = spawnSync('bash', [setup], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  // setup.sh built the Node 24 flock binding; the build copies it next to the bundles.
  const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: repo, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const { installedExtensionDir, startCodeServer, stopCodeServer } = await import('../test/e2e/driver/codeServer.mjs');

// The extension is staged like an installed VSIX (package.json, dist/, media/, docs) in the
// server's extensions folder, so the workbench behaves as for a user (toasts, no test driver).
const runDir = fs.mkdtempSync(path.join(CACHE_DIR, 'workbench-'));
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const staged = installedExtensionDir(runDir, pkg);
fs.mkdirSync(staged, { recursive: true });
for (const entry of ['package.json', 'dist', 'media', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
  const src = path.join(repo, entry);
  if (fs.existsSync(src)) fs.cpSync(src, path.join(staged, entry), { recursive: true });
}

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the workbench…');
  await stopCodeServer(runDir); // by its pid file: works even while it is still starting
  fs.rmSync(runDir, { recursive: true, force: true });
  if (!values.workspace) console.log(`The demo workspace stays at ${workspace} (delete it when done).`);
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const port = Number(values.port) || undefined; // absent or 0: a free port
let cs;
try {
  cs = await startCodeServer({ runDir, port, workspace });
} catch (e) {
  console.error(e.message);
  await stop(1);
}
const url = `${cs.baseUrl}/?folder=${encodeURIComponent(workspace)}`;
console.log(`\nRunboard is running in VS Code (code-server) at:\n\n  ${url}\n\nOpen it in a browser on this machine. Ctrl-C stops it.`);

// Runs until a signal; notices when code-server dies on its own.
setInterval(() => {
  try {
    process.kill(cs.pid, 0);
  } catch {
    console.error(`code-server exited on its own:\n${fs.readFileSync(cs.log, 'utf8').slice(-2000)}`);
    stop(1);
  }
}, 2000);
