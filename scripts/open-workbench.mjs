// `npm start`: opens Runboard in a real VS Code on a fresh demo workspace (a temp copy of
// test/e2e/fixtures/workspace, which opens with its README and the Runboard view shown):
//   - the desktop VS Code (`code --extensionDevelopmentPath=<repo> <workspace>`) when `code` is on PATH,
//   - otherwise the npm-installed workbench (code-server; `test/e2e/setup.sh --serve` installs it
//     on first use, Linux only) served on 127.0.0.1 behind a generated password; the URL and the
//     password are printed and the server runs until Ctrl-C, which stops it and leaves nothing
//     behind but a demo workspace that holds the user's work (and says where it is); when this
//     script dies without stopping it (kill -9), scripts/workbenchWatchdog.mjs does.
// Usage (after `npm run build`; `npm start` does both):
//   node scripts/open-workbench.mjs [--web] [--port N] [--workspace DIR]
//     --web        use the npm-installed workbench even when `code` is on PATH
//     --port N     port for the web workbench (default: a free one)
//     --workspace  open this folder instead of a fresh demo copy (it is never changed or removed)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { demoWorkspace } from './demoWorkspace.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { web: { type: 'boolean' }, port: { type: 'string' }, workspace: { type: 'string' } } });

if (!fs.existsSync(path.join(repo, 'dist', 'extension.js'))) {
  console.error('dist/extension.js is missing: run `npm run build` first (npm start does).');
  process.exit(1);
}

/** Ends this process by `signal` itself, so npm and the shell see "interrupted" (exit 130 for SIGINT), not an error. */
function dieBy(signal) {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}

function onPath(cmd) {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, cmd)));
}

/** The folder to open: the one given by --workspace (never changed), else a fresh demo copy. */
function chooseWorkspace() {
  const demo = values.workspace ? undefined : demoWorkspace(os.tmpdir());
  return { demo, workspace: demo ? demo.dir : path.resolve(values.workspace) };
}

if (!values.web && onPath('code')) {
  const { demo, workspace } = chooseWorkspace();
  console.log(`Opening the desktop VS Code with Runboard loaded from this repository on ${workspace}…`);
  // The desktop user's settings are theirs: the demo README is opened by naming it.
  const files = demo ? [path.join(workspace, 'README.md')] : [];
  const r = spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${repo}`, workspace, ...files], { stdio: 'inherit' });
  if (r.signal) dieBy(r.signal);
  process.exit(r.status ?? 1);
}

// The npm-installed workbench. Its install (a few minutes, once) lives in test/e2e/.cache/.
const { workbenchInstalled, CACHE_DIR } = await import('../test/e2e/driver/paths.mjs');
if (!workbenchInstalled()) {
  if (process.platform !== 'linux') {
    console.error('No `code` on PATH, and the npm-installed workbench runs on Linux only: install VS Code and its `code` command, or install runboard.vsix (`npm run package`).');
    process.exit(1);
  }
  console.log('No `code` on PATH: installing a VS Code workbench from npm (code-server on Node 24), once, into test/e2e/.cache/…');
  const r = spawnSync('bash', [path.join(repo, 'test', 'e2e', 'setup.sh'), '--serve'], { stdio: 'inherit' });
  if (r.signal) dieBy(r.signal);
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const { installedExtensionDir, startCodeServer, stopCodeServer } = await import('../test/e2e/driver/codeServer.mjs');

const { demo, workspace } = chooseWorkspace();
console.log(`Demo workspace: ${workspace}`);

// The extension is staged like an installed VSIX (package.json, dist/, media/, docs) in the
// server's extensions folder, so the workbench behaves as for a user (toasts, no test driver).
const runDir = fs.mkdtempSync(path.join(CACHE_DIR, 'serve-'));
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const staged = installedExtensionDir(runDir, pkg);
fs.mkdirSync(staged, { recursive: true });
for (const entry of ['package.json', 'dist', 'media', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
  const src = path.join(repo, entry);
  if (fs.existsSync(src)) fs.cpSync(src, path.join(staged, entry), { recursive: true });
}

// code-server runs in a process group of its own, which a kill -9 of this script or a closed
// terminal never reaches: a watchdog, told by its stdin closing that this script ended, stops it.
const watchdog = spawn(process.execPath, [path.join(repo, 'scripts', 'workbenchWatchdog.mjs'), runDir, ...(demo ? [demo.dir] : [])], {
  detached: true,
  stdio: ['pipe', 'ignore', 'ignore'],
});
watchdog.unref();

let liveness;
let stopping = false;
/** Stops code-server and removes what this script made; ends by `signal` (Ctrl-C) or with `code`. */
async function stop({ signal, code = 0 }) {
  if (stopping) return;
  stopping = true;
  clearInterval(liveness);
  console.log('\nStopping the workbench…');
  await stopCodeServer(runDir); // by its pid file: works even while it is still starting
  fs.rmSync(runDir, { recursive: true, force: true });
  let kept = false;
  if (demo) {
    kept = !demo.untouched();
    if (kept) console.log(`The demo workspace holds your changes and stays at ${demo.dir} (delete it when done).`);
    else fs.rmSync(demo.dir, { recursive: true, force: true });
  }
  // Said, so that nobody wonders what is left: the workbench's install stays for the next start.
  console.log(`Stopped; its temporary files${demo && !kept ? ' and the demo workspace' : ''} are removed (the workbench's install stays in ${path.relative(repo, CACHE_DIR)}, for the next start).`);
  if (signal) dieBy(signal);
  else process.exit(code);
}
process.on('SIGINT', () => stop({ signal: 'SIGINT' }));
process.on('SIGTERM', () => stop({ signal: 'SIGTERM' }));
process.on('SIGHUP', () => stop({ signal: 'SIGHUP' }));

// code-server on loopback is still reachable by every user of this machine: a password it is.
const password = randomBytes(18).toString('base64url');
const port = Number(values.port) || undefined; // absent or 0: a free port
let cs;
try {
  // The README opens by a user setting: VS Code reads workbench.startupEditor from user settings only.
  cs = await startCodeServer({ runDir, port, workspace, password, settings: demo ? { 'workbench.startupEditor': 'readme' } : {} });
} catch (e) {
  console.error(e.message);
  await stop({ code: 1 });
}
const url = `${cs.baseUrl}/?folder=${encodeURIComponent(workspace)}`;
console.log(`\nRunboard is running in VS Code (code-server) at:\n\n  ${url}\n  password: ${password}\n\nOpen it in a browser on this machine and sign in with the password. Ctrl-C stops it.`);

// Runs until a signal; notices when code-server dies on its own.
liveness = setInterval(() => {
  try {
    process.kill(cs.pid, 0);
  } catch {
    console.error(`code-server exited on its own:\n${fs.readFileSync(cs.log, 'utf8').slice(-2000)}`);
    void stop({ code: 1 });
  }
}, 2000);
