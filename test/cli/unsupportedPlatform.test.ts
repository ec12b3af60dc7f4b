// On a platform the lock binary does not cover (here: this machine dressed up as 32-bit ARM Linux
// by a preload that changes process.arch before Runboard starts), the built server stops at
// start and the CLI refuses writes — each with a message naming the platform — and nothing is
// left on disk (no empty run folder that would list as a run).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { SERVER_JS } from '../server/serverProcess';
import { assertBuilt, CLI_JS, cleanEnv, tempWorkspace } from './cliHarness';

describe('an unsupported platform (linux-arm)', () => {
  assertBuilt();
  const dir = tempWorkspace('runboard-armhf-');
  const preload = path.join(dir, 'armhf.js');
  fs.writeFileSync(preload, "Object.defineProperty(process, 'arch', { value: 'arm' });\n");
  const asArm = (script: string, args: string[]) =>
    spawnSync(process.execPath, ['-r', preload, script, ...args], {
      cwd: dir,
      env: cleanEnv(),
      encoding: 'utf8',
      input: '',
      timeout: 20_000,
    });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the server exits at start with a message naming the platform', () => {
    const r = asArm(SERVER_JS, ['--stdio']);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /no file-lock binary for linux-arm: it runs on darwin-arm64, darwin-x64, linux-arm64, linux-x64, win32-arm64, win32-x64/,
    );
    assert.equal(r.stdout, '', 'nothing on the protocol channel');
  });

  it('the CLI refuses a write with STORAGE_ERROR naming the platform, and leaves no run folder', () => {
    const r = asArm(CLI_JS, ['--root', dir, '--json', 'run', 'create', '--id', 'r1', 'On ARM']);
    assert.equal(r.status, 1, r.stderr);
    const { error } = JSON.parse(r.stdout);
    assert.equal(error.code, 'STORAGE_ERROR');
    assert.match(error.message, /linux-arm/);
    assert.equal(fs.existsSync(path.join(dir, '.runboard', 'runs', 'r1')), false, 'no empty run folder left');
    const runs = asArm(CLI_JS, ['--root', dir, '--json', 'runs']);
    assert.equal(runs.status, 0, 'reading needs no lock');
    assert.deepEqual(JSON.parse(runs.stdout).runs, []);
  });
});
