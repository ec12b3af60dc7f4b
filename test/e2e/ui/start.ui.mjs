// The README's first command on a machine without a desktop `code`: `npm start` ends in
// scripts/open-workbench.mjs, which serves the npm-installed workbench on 127.0.0.1 with Runboard
// staged like an installed extension and a fresh demo workspace, and prints the URL. Here: the
// printed URL opens a workbench where Runboard is active on the demo workspace (its tasks.json
// there), and Ctrl-C stops everything.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../driver/paths.mjs';
import { Workbench } from '../driver/workbench.mjs';

export const title = 'npm start serves Runboard on a demo workspace and stops on Ctrl-C';
export const timeoutMs = 240_000;

/** Collects a child's stdout; `waitFor(re)` resolves with the first match in all of it so far or later. */
function outputOf(child) {
  let out = '';
  const waiters = new Set();
  const check = () => {
    for (const w of waiters) {
      const m = w.re.exec(out);
      if (m) {
        waiters.delete(w);
        w.resolve(m);
      }
    }
  };
  child.stdout.on('data', (d) => {
    out += d;
    check();
  });
  child.once('exit', (code) => {
    for (const w of waiters) w.reject(new Error(`open-workbench exited with ${code}; output:\n${out}`));
    waiters.clear();
  });
  return {
    waitFor(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${re} in ${timeoutMs} ms; output:\n${out}`)), timeoutMs);
        const done = (f) => (v) => {
          clearTimeout(timer);
          f(v);
        };
        waiters.add({ re, resolve: done(resolve), reject: done(reject) });
        check();
      });
    },
  };
}

export async function run({ page, log }) {
  // --web: the npm workbench even if this machine has `code` on PATH (what a machine without it gets).
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'open-workbench.mjs'), '--web'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const output = outputOf(child);
  let workspace;
  let wb;
  try {
    [, workspace] = await output.waitFor(/Demo workspace: (.+)\n/, 30_000);
    const [, url] = await output.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/, 120_000);
    assert.ok(fs.existsSync(path.join(workspace, 'tasks.json')), 'the demo workspace has the sample tasks');
    log(`served at ${url}`);

    wb = await Workbench.open(page.context(), url);
    await wb.openViewContainer('Runboard');
    const runs = await wb.waitForViewProvider('Runs', { timeout: 90_000 });
    await runs.getByRole('button', { name: 'Create Run' }).waitFor({ timeout: 90_000 });
    log('Runboard is active on the demo workspace');
  } finally {
    if (wb) await wb.close();
    child.kill('SIGINT');
    await exited;
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  }
  const { code, signal } = await exited;
  assert.equal(code, 0, `open-workbench stopped with ${code ?? signal}`);
  log('Ctrl-C stopped it');
}
