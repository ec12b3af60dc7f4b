// What a CLI call costs to start: cli.js loads only the CLI bundle (never the MCP SDK or the
// server), and runs it through a V8 code cache that is written once, in a private folder, and
// survives being corrupted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, cleanEnv, CLI_JS, cli, cliJson, removeTempWorkspaces, seedRun, tempWorkspace } from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);

function cacheFiles(dir: string): string[] {
  const d = path.join(dir, 'runboard');
  return fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith('.v8')) : [];
}

describe('CLI start-up', () => {
  it('a claim loads nothing but cli.js, cli-core.js and the lock binary', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', [{ id: 't', task_type: 'x' }]);
    const log = path.join(root, 'loaded.txt');
    const hook = path.join(root, 'hook.js');
    // Records every file-backed module node loads (builtins have no path) and every script read
    // (cli.js runs cli-core.js from its source text through vm).
    fs.writeFileSync(
      hook,
      `const M = require('module'); const fs = require('fs'); const path = require('path'); const orig = M._load;
       const note = (f) => fs.appendFileSync(${JSON.stringify(log)}, f + '\\n');
       M._load = function (request, parent, isMain) {
         try { const f = M._resolveFilename(request, parent, isMain); if (path.isAbsolute(f)) note(f); } catch {}
         return orig.apply(this, arguments);
       };
       const read = fs.readFileSync;
       fs.readFileSync = function (f) { if (typeof f === 'string' && /\\.(js|node)$/.test(f)) note(f); return read.apply(this, arguments); };`,
    );
    const r = spawnSync(process.execPath, ['-r', hook, CLI_JS, '--root', root, '--json', 'claim'], { env: cleanEnv(), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).task.id, 't');
    const loaded = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter((f) => f !== hook);
    const names = loaded.map((f) => path.basename(f));
    assert.ok(names.includes('cli-core.js'), names.join(', '));
    for (const f of loaded) {
      assert.ok(/^(cli\.js|cli-core\.js|fs-native-extensions\.node)$/.test(path.basename(f)), `unexpected module on the claim path: ${f}`);
    }
  });

  it('writes the code cache once, after a real command, into a private folder', () => {
    const root = tempWorkspace();
    const cacheHome = tempWorkspace('runboard-cache-');
    const env = { XDG_CACHE_HOME: cacheHome };
    assert.equal(cli(['--version'], { env }).status, 0);
    assert.deepEqual(cacheFiles(cacheHome), [], 'not after --version');
    assert.equal(cli(['--root', root, 'bogus'], { env }).status, 2);
    assert.deepEqual(cacheFiles(cacheHome), [], 'not after a usage error');

    assert.equal(cli(['--root', root, 'runs'], { env }).status, 0);
    const [file] = cacheFiles(cacheHome);
    assert.ok(file, 'written after a command');
    assert.ok(file.startsWith(`cli-core.js-`) && file.includes(`-${process.version}-${process.arch}-`), file);
    const full = path.join(cacheHome, 'runboard', file);
    if (process.platform !== 'win32') {
      assert.equal(fs.statSync(path.dirname(full)).mode & 0o777, 0o700);
      assert.equal(fs.statSync(full).mode & 0o777, 0o600);
    }
    const written = fs.statSync(full).mtimeMs;
    assert.equal(cli(['--root', root, 'runs'], { env }).status, 0);
    assert.equal(fs.statSync(full).mtimeMs, written, 'an accepted cache is not rewritten');

    // A corrupt cache is rejected by V8 and replaced.
    fs.writeFileSync(full, 'not a code cache');
    const r = cliJson(root, ['run', 'create', 'still works', '--id', 'ok'], 0, { env });
    assert.equal(r.run.run_id, 'ok');
    assert.notEqual(fs.readFileSync(full, 'utf8'), 'not a code cache');
  });

  it('does not use a cache folder that others can write', { skip: process.platform === 'win32' }, () => {
    const root = tempWorkspace();
    const cacheHome = tempWorkspace('runboard-cache-');
    fs.mkdirSync(path.join(cacheHome, 'runboard'), { mode: 0o777 });
    fs.chmodSync(path.join(cacheHome, 'runboard'), 0o777);
    assert.equal(cli(['--root', root, 'runs'], { env: { XDG_CACHE_HOME: cacheHome } }).status, 0);
    assert.deepEqual(cacheFiles(cacheHome), []);
  });
});
