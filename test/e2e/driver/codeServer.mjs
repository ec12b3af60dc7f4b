// @ts-check
// Starts and stops code-server (the VS Code 1.139 workbench + server with a Node extension host)
// on 127.0.0.1, in its own process group, with every file it writes kept in a run dir.
//   node codeServer.mjs start RUN_DIR [--port N] [--workspace DIR] [-- extra code-server args]
//     prints the port; leaves the server running (pid in RUN_DIR/code-server.pid)
//   node codeServer.mjs stop RUN_DIR
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_SERVER_BIN, NODE24_DIR } from './paths.mjs';

/** User settings for every workbench the harness starts: quiet, no welcome page, no telemetry. */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  // Every folder counts as trusted (the suite opens temp copies of the fixture). Tests of
  // restricted mode start their own workbench with this set back to true.
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  // Keeps chat/agent UI from opening panels; set to false for tests of the MCP integration.
  'chat.disableAIFeatures': true,
  // The worktree tests make the workspace a git repository; VS Code's git extension, scanning it
  // meanwhile, would take .git/index.lock under their git commands.
  'git.enabled': false,
};

/** A free TCP port on 127.0.0.1 (the OS picks it; a tiny race with other processes remains). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/** XDG dirs inside the run dir: code-server and VS Code write heartbeat, logs and a device id there. */
export function xdgEnv(runDir) {
  return {
    XDG_DATA_HOME: path.join(runDir, 'xdg', 'data'),
    XDG_CONFIG_HOME: path.join(runDir, 'xdg', 'config'),
    XDG_CACHE_HOME: path.join(runDir, 'xdg', 'cache'),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function healthy(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The code-server command (on Node 24) and the flags that keep all its files in `runDir`. */
function codeServerCommand(runDir) {
  if (!fs.existsSync(CODE_SERVER_BIN)) throw new Error(`code-server is not installed (${CODE_SERVER_BIN}): run test/e2e/setup.sh`);
  const xdg = xdgEnv(runDir);
  for (const d of [...Object.values(xdg), extensionsDir(runDir)]) fs.mkdirSync(d, { recursive: true });
  return {
    node: path.join(NODE24_DIR, 'bin', 'node'),
    args: [
      fs.realpathSync(CODE_SERVER_BIN),
      '--config', path.join(runDir, 'config.yaml'), // else it writes ~/.config/code-server/config.yaml
      '--extensions-dir', extensionsDir(runDir),
      '--user-data-dir', path.join(runDir, 'user-data'),
    ],
    xdg,
  };
}

export function extensionsDir(runDir) {
  return path.join(runDir, 'extensions');
}

/** Where the extension of `manifest` (package.json) is installed, or staged as if installed. */
export function installedExtensionDir(runDir, manifest) {
  return path.join(extensionsDir(runDir), `${manifest.publisher}.${manifest.name}-${manifest.version}`);
}

/** `code-server --install-extension vsix` into the run dir that startCodeServer(runDir) serves. */
export function installExtension(runDir, vsix) {
  const cmd = codeServerCommand(runDir);
  execFileSync(cmd.node, [...cmd.args, '--install-extension', vsix], { env: { ...process.env, ...cmd.xdg }, stdio: 'pipe', timeout: 120_000 });
}

/**
 * Starts code-server and resolves once /healthz answers.
 * @param {object} o
 * @param {string} o.runDir  everything code-server writes goes here (user data, extensions, logs, XDG dirs)
 * @param {number} [o.port]  default: a free port
 * @param {string} [o.workspace]  folder opened when the URL names none
 * @param {string[]} [o.args]  extra code-server args, e.g. ['--vscode-option', 'enable-smoke-test-driver']
 * @param {object} [o.settings]  merged over DEFAULT_SETTINGS into the user settings
 * @param {object} [o.env]  extra environment (inherited by the extension host)
 * @param {string} [o.path]  PATH for code-server and all it starts (default: Node 24 first, then ours)
 * @param {string} [o.password]  ask for this password (the login page); without it, no auth: only
 *   for the test harness's throwaway servers, never for one a person uses
 * @returns {Promise<{port: number, pid: number, baseUrl: string, runDir: string, log: string, stop: () => Promise<void>}>}
 */
export async function startCodeServer({ runDir, port, workspace, args = [], settings = {}, env = {}, path: searchPath, password }) {
  const cmd = codeServerCommand(runDir);
  const userData = path.join(runDir, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2));

  for (let attempt = 1; ; attempt++) {
    const p = port ?? (await freePort());
    const log = path.join(runDir, 'code-server.log');
    const out = fs.openSync(log, 'a');
    const child = spawn(
      cmd.node,
      [
        ...cmd.args,
        '--auth', password ? 'password' : 'none',
        '--bind-addr', `127.0.0.1:${p}`,
        '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
        ...args,
        ...(workspace ? [workspace] : []),
      ],
      {
        // Own process group: stop() ends code-server, its extension hosts and their children together.
        detached: true,
        stdio: ['ignore', out, out],
        // Node 24 first on PATH unless told otherwise: terminals and tools started by the extension host find it.
        // The password goes by environment, never argv (visible in `ps`); code-server deletes it
        // from its environment before it starts extension hosts.
        env: {
          ...process.env, ...cmd.xdg, ...env,
          PATH: searchPath ?? `${path.join(NODE24_DIR, 'bin')}${path.delimiter}${process.env.PATH}`,
          ...(password ? { PASSWORD: password } : {}),
        },
      },
    );
    fs.closeSync(out);
    child.unref();
    fs.writeFileSync(path.join(runDir, 'code-server.pid'), String(child.pid));
    fs.writeFileSync(path.join(runDir, 'port'), String(p));
    let exited = false;
    child.on('exit', () => (exited = true));

    const deadline = Date.now() + 60_000;
    while (!exited && Date.now() < deadline && !(await healthy(p))) await sleep(300);
    if (!exited && (await healthy(p))) {
      return { port: p, pid: child.pid, baseUrl: `http://127.0.0.1:${p}`, runDir, log, stop: () => stopCodeServer(runDir) };
    }
    await stopCodeServer(runDir);
    const text = fs.readFileSync(log, 'utf8');
    // Another process took the port between freePort() and the bind: pick another.
    if (port === undefined && attempt < 3 && /EADDRINUSE/.test(text)) continue;
    throw new Error(`code-server did not answer on 127.0.0.1:${p}${exited ? ' (it exited)' : ' in 60 s'}; log ${log}:\n${text.slice(-3000)}`);
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** SIGTERM to the process group started by startCodeServer(runDir), then SIGKILL after 5 s. */
export async function stopCodeServer(runDir) {
  const pidFile = path.join(runDir, 'code-server.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  if (pid > 1) {
    try { process.kill(-pid, 'SIGTERM'); } catch { /* already gone */ }
    for (let i = 0; i < 50 && groupAlive(pid); i++) await sleep(100);
    if (groupAlive(pid)) try { process.kill(-pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
  }
  fs.rmSync(pidFile, { force: true });
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, runDir, ...rest] = process.argv.slice(2);
  if (!runDir || !['start', 'stop'].includes(cmd)) {
    console.error('usage: codeServer.mjs start RUN_DIR [--port N] [--workspace DIR] [-- args...] | stop RUN_DIR');
    process.exit(2);
  }
  if (cmd === 'stop') {
    await stopCodeServer(path.resolve(runDir));
  } else {
    const dash = rest.indexOf('--');
    const opts = dash < 0 ? rest : rest.slice(0, dash);
    const args = dash < 0 ? [] : rest.slice(dash + 1);
    const opt = (name) => (opts.includes(name) ? opts[opts.indexOf(name) + 1] : undefined);
    const cs = await startCodeServer({
      runDir: path.resolve(runDir),
      port: opt('--port') ? Number(opt('--port')) : undefined,
      workspace: opt('--workspace'),
      args,
    });
    console.log(cs.port);
  }
}
