// Reading needs no write access: a workspace the user can read but not write (read-only media,
// another user's runs) is browsable — runs, run show, events, replay — a write says STORAGE_ERROR,
// and a run folder the user cannot open is listed as unreadable instead of hiding the others.
// Root ignores permission bits, so as root the CLI runs as `nobody` (setpriv).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, CLI_JS, cleanEnv, removeTempWorkspaces, seedRun, tempWorkspace } from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);

const asRoot = process.getuid?.() === 0;
const setpriv = ['/usr/bin/setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];

/** The CLI as a user without write access to `root` (nobody, when the tests run as root). */
function cliReadOnly(root: string, args: string[]) {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-ro-cache-'));
  fs.chmodSync(cache, 0o777);
  const argv = [process.execPath, CLI_JS, '--root', root, '--json', ...args];
  const [cmd, ...rest] = asRoot ? [...setpriv, ...argv] : argv;
  const r = spawnSync(cmd, rest, { encoding: 'utf8', env: cleanEnv({ XDG_CACHE_HOME: cache }), timeout: 30_000 });
  fs.rmSync(cache, { recursive: true, force: true });
  return { status: r.status, out: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

/** No write bit anywhere under `dir` for anyone but root (and for us, when we are not root). */
function readOnlyTree(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) readOnlyTree(p);
    fs.chmodSync(p, e.isDirectory() ? 0o555 : 0o444);
  }
  fs.chmodSync(dir, 0o555);
}

const skip = process.platform === 'win32' || (asRoot && !fs.existsSync(setpriv[0]));

describe('a workspace without write access', { skip }, () => {
  it('is browsable; writes are STORAGE_ERROR; an unopenable run is listed as unreadable, the others as usual', () => {
    const root = tempWorkspace('runboard-ro-');
    seedRun(root, 'a', [{ id: 't', task_type: 'w', payload: { title: 'T' } }]);
    seedRun(root, 'b');
    seedRun(root, 'closed');
    readOnlyTree(root);
    fs.chmodSync(path.join(root, '.runboard', 'runs', 'closed'), 0o000);
    try {
      const runs = cliReadOnly(root, ['runs']);
      assert.equal(runs.status, 0, runs.stderr);
      assert.deepEqual(runs.out.runs.map((r: { run_id: string }) => r.run_id).sort(), ['a', 'b']);
      assert.deepEqual(
        runs.out.unreadable.map((u: { run_id: string }) => u.run_id),
        ['closed'],
      );

      const show = cliReadOnly(root, ['run', 'show', 'a']);
      assert.equal(show.status, 0, show.stderr);
      assert.equal(show.out.run.tasks[0].id, 't');
      const events = cliReadOnly(root, ['run', 'events', 'a']);
      assert.equal(events.status, 0, events.stderr);
      const replay = cliReadOnly(root, ['--run', 'a', 'replay']);
      assert.equal(replay.status, 0, replay.stderr);
      assert.equal(replay.out.drift.mismatch, false);

      const write = cliReadOnly(root, ['--run', 'a', 'fact', 'add', 'nope']);
      assert.equal(write.status, 1);
      assert.equal(write.out.error.code, 'STORAGE_ERROR', JSON.stringify(write.out));
    } finally {
      fs.chmodSync(path.join(root, '.runboard', 'runs', 'closed'), 0o755);
      spawnSync('chmod', ['-R', 'u+w', root]);
    }
  });

  it('a command naming no run, where the only run cannot be read, says why — not "no run yet, create one"', () => {
    const root = tempWorkspace('runboard-ro-');
    seedRun(root, 'closed');
    readOnlyTree(root);
    fs.chmodSync(path.join(root, '.runboard', 'runs', 'closed'), 0o000);
    try {
      const claim = cliReadOnly(root, ['claim']);
      assert.equal(claim.status, 2);
      assert.equal(claim.out.error.code, 'RUN_REQUIRED');
      assert.match(claim.out.error.message, /^No readable run in .*; 1 cannot be read:\n {2}closed: /);
      assert.doesNotMatch(claim.out.error.message, /Create one/);
    } finally {
      fs.chmodSync(path.join(root, '.runboard', 'runs', 'closed'), 0o755);
      spawnSync('chmod', ['-R', 'u+w', root]);
    }
  });
});
