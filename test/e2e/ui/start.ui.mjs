// @ts-check
// The README's first command, as a new user runs it: a fresh clone (no dist/, no
// test/e2e/.cache), no `code` on PATH, `npm start` in its own process group like a terminal's
// foreground job. It installs the workbench from inside an npm script (the environment that once
// broke code-server's postinstall) on an empty cache, serves Runboard on a demo workspace behind
// a generated password, opens with the Runboard view and the demo README shown, and Ctrl-C (a
// SIGINT to the whole group) ends it with exit 130, no error text, no process and no temp folder
// left. Started again and killed with kill -9, its watchdog leaves nothing either.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../driver/paths.mjs';
import { Workbench } from '../driver/workbench.mjs';

export const title = 'npm start from a fresh clone installs, serves Runboard behind a password, and Ctrl-C or kill -9 leaves nothing';
export const timeoutMs = 600_000;

/** A copy of the checkout as `git clone` would make it (tracked and new files, nothing ignored), with the repo's node_modules. */
function freshClone(dir) {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(REPO_ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
  }
  fs.chmodSync(path.join(dir, 'test', 'e2e', 'setup.sh'), 0o755);
  // `npm ci` is what the README runs first; its result is the repo's own node_modules.
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
}

/** PATH without any folder that holds a `code` command: the machine the npm workbench is for. */
function pathWithoutCode() {
  return (process.env.PATH ?? '').split(path.delimiter).filter((d) => d && !fs.existsSync(path.join(d, 'code'))).join(path.delimiter);
}

/** Pids of live processes whose command line or working folder lies in `dir`. */
function processesIn(dir) {
  const found = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (cmd.includes(dir) || cwd.startsWith(dir)) found.push(`${pid} ${cmd.slice(0, 160)}`);
    } catch {
      /* gone meanwhile, or not ours */
    }
  }
  return found;
}

/** The run folders of `npm start` in the clone's workbench cache. */
function serveFolders(clone) {
  return fs.readdirSync(path.join(clone, 'test', 'e2e', '.cache')).filter((f) => f.startsWith('serve-'));
}

/** Resolves once `test()` holds, checking every 200 ms; fails with `why()` after `ms`. */
async function until(test, ms, why) {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Collects a stream; `waitFor(re)` resolves with the first match in everything so far or later. */
function collect(stream, exited) {
  let text = '';
  const waiters = new Set();
  const check = () => {
    for (const w of waiters) {
      const m = w.re.exec(text);
      if (m) {
        waiters.delete(w);
        w.resolve(m);
      }
    }
  };
  stream.on('data', (d) => {
    text += d;
    check();
  });
  void exited.then(({ code, signal }) => {
    for (const w of waiters) w.reject(new Error(`npm start ended (${code ?? signal}) before ${w.re}; output:\n${text}`));
    waiters.clear();
  });
  return {
    text: () => text,
    waitFor(re, ms) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${re} in ${ms} ms; output:\n${text}`)), ms);
        waiters.add({ re, resolve: (m) => (clearTimeout(timer), resolve(m)), reject: (e) => (clearTimeout(timer), reject(e)) });
        check();
      });
    },
  };
}

export async function run({ page, log }) {
  const clone = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-e2e-clone-')));
  let child;
  let wb;
  let workspace;
  try {
    freshClone(clone);
    assert.equal(fs.existsSync(path.join(clone, 'test', 'e2e', '.cache')), false, 'the clone has no workbench cache');
    log(`fresh clone at ${clone}`);

    // A terminal's foreground job: its own process group, which Ctrl-C signals as a whole.
    child = spawn('npm', ['start'], { cwd: clone, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: pathWithoutCode() } });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const out = collect(child.stdout, exited);
    const err = collect(child.stderr, exited);

    await out.waitFor(/== setup: npm install code-server/, 120_000);
    log('npm start is installing the workbench (inside an npm script, on an empty cache)');
    const [, url] = await out.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/, 480_000);
    const [, password] = await out.waitFor(/password: (\S+)/, 5_000);
    [, workspace] = await out.waitFor(/Demo workspace: (.+)\n/, 5_000);
    assert.ok(fs.existsSync(path.join(clone, 'test', 'e2e', '.cache', 'workbench-ready')), 'the workbench was installed into the clone');
    assert.equal(fs.existsSync(path.join(clone, 'test', 'e2e', '.cache', 'env.sh')), false, 'serving installs only what serving needs, not the test setup');
    assert.ok(password.length >= 20, `a generated password: ${password}`);
    log(`served at ${url}`);

    // Without the password the workbench is not reachable; with it, it opens as for a person.
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302, 'unauthenticated requests are sent to the login page');
    assert.match(res.headers.get('location') ?? '', /login/);
    wb = await Workbench.open(page.context(), url, { password });
    log('signed in with the printed password');

    // No click: the demo opens with the Runboard view and its README.
    const runs = await wb.waitForViewProvider('Runs', { timeout: 90_000 });
    await runs.getByRole('region', { name: 'Welcome' }).getByRole('button', { name: 'Create Run' }).waitFor({ timeout: 90_000 });
    await wb.page.locator('.tabs-container .tab', { hasText: 'README' }).first().waitFor({ timeout: 30_000 });
    log('the Runboard view and the demo README are shown');
    await wb.screenshot('start-demo');
    await wb.close();
    wb = undefined;

    const errBeforeCtrlC = err.text().length; // the build's own report goes to stderr
    process.kill(-child.pid, 'SIGINT');
    const { code, signal } = await exited;
    assert.ok(signal === 'SIGINT' || code === 130, `Ctrl-C ends npm start with 130 (got ${code ?? signal})`);
    assert.equal(err.text().slice(errBeforeCtrlC), '', 'Ctrl-C prints nothing on stderr');
    assert.doesNotMatch(err.text() + out.text(), /\berror\b|exited on its own/i, 'no error text');
    log(`Ctrl-C: npm start ended by ${signal ?? code}, nothing on stderr`);

    // The watchdog (its own process group) ends as it sees the script's pipe close.
    await until(() => processesIn(clone).length === 0, 15_000, () => `processes of the clone left:\n${processesIn(clone).join('\n')}`);
    assert.equal(fs.existsSync(workspace), false, `the untouched demo workspace ${workspace} is removed`);
    assert.deepEqual(serveFolders(clone), [], 'the run folder is removed');
    log('no process, demo workspace or run folder left');

    // A terminal killed, or kill -9 of npm start's group: code-server's own group is never signalled,
    // and the watchdog stops it and removes what npm start made.
    const again = spawn('npm', ['start'], { cwd: clone, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: pathWithoutCode() } });
    const againExited = new Promise((resolve) => again.once('exit', (code, signal) => resolve({ code, signal })));
    const againOut = collect(again.stdout, againExited);
    collect(again.stderr, againExited);
    [, workspace] = await againOut.waitFor(/Demo workspace: (.+)\n/, 240_000);
    await againOut.waitFor(/password: (\S+)/, 240_000);
    assert.ok(processesIn(clone).some((p) => /code-server/.test(p)), 'code-server runs');
    process.kill(-again.pid, 'SIGKILL');
    await againExited;
    await until(() => processesIn(clone).length === 0, 30_000, () => `left after kill -9:\n${processesIn(clone).join('\n')}`);
    assert.equal(fs.existsSync(workspace), false, `the untouched demo workspace ${workspace} is removed`);
    assert.deepEqual(serveFolders(clone), [], 'the run folder is removed');
    log('kill -9 of npm start: the watchdog stopped code-server and removed its folders');
  } finally {
    if (wb) await wb.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    for (const line of processesIn(clone)) try { process.kill(Number(line.split(' ')[0]), 'SIGKILL'); } catch { /* gone */ }
    fs.rmSync(clone, { recursive: true, force: true });
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  }
}
