// What a CLI call costs to start: cli.js loads only the CLI bundle (never the MCP SDK or the
// server), and runs it through a V8 code cache that is written once, in a private folder, and
// survives being corrupted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, CLI_JS, cli, cliJson, modulesLoaded, removeTempWorkspaces, seedRun, tempWorkspace } from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);

function cacheFiles(dir: string): string[] {
  const d = path.join(dir, 'runboard');
  return fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith('.v8')) : [];
}

describe('CLI start-up', () => {
  it('a claim without a server loads nothing but cli.js, cli-thin.js, cli-core.js and the lock binary', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', [{ id: 't', task_type: 'x' }]);
    const loaded = modulesLoaded(root, ['--root', root, '--json', 'claim']);
    const names = loaded.map((f) => path.basename(f));
    assert.ok(names.includes('cli-core.js'), names.join(', '));
    for (const f of loaded) {
      assert.ok(
        /^(cli\.js|cli-thin\.js|cli-core\.js|fs-native-extensions\.node)$/.test(path.basename(f)),
        `unexpected module on the claim path: ${f}`,
      );
    }
  });

  it("cli.js and cli-thin.js, the thin path's bundles, hold no zod, commander or lock binding (those are cli-core.js's)", () => {
    const dist = path.dirname(CLI_JS);
    const core = fs.readFileSync(path.join(dist, 'cli-core.js'), 'utf8');
    for (const bundle of ['cli.js', 'cli-thin.js']) {
      const thin = fs.readFileSync(path.join(dist, bundle), 'utf8');
      for (const marker of ['ZodError', 'CommanderError', 'fs-native-extensions']) {
        assert.ok(core.includes(marker), `${marker} marks what cli-core.js holds`);
        assert.ok(!thin.includes(marker), `${bundle} holds ${marker}`);
      }
    }
  });

  it('cli.js, cli-thin.js and cli-core.js are ASCII, so the loader makes one-byte strings of them (decoding cli-core.js as UTF-8 costs a direct call 10–20 ms on a slow VM)', () => {
    const dist = path.dirname(CLI_JS);
    for (const bundle of ['cli.js', 'cli-thin.js', 'cli-core.js']) {
      const bytes = fs.readFileSync(path.join(dist, bundle));
      const at = bytes.findIndex((b) => b > 0x7f);
      assert.equal(at, -1, `${bundle} has a non-ASCII byte at ${at}: …${bytes.subarray(Math.max(0, at - 60), at + 20).toString()}…`);
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
    const files = cacheFiles(cacheHome);
    assert.deepEqual(
      files.map((f) => f.split('-')[0] + '-' + f.split('-')[1].split('.')[0]),
      ['cli-core', 'cli-thin'],
      'one cache per bundle run: cli-thin.js (run by cli.js), cli-core.js',
    );
    const [file] = files;
    assert.ok(file, 'written after a command');
    assert.ok(file.startsWith(`cli-core.js-`) && file.includes(`-${process.version}-v8.${process.versions.v8}-${process.arch}-`), file);
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

describe('on a Node too old for it (an old node first on a terminal’s PATH)', () => {
  it("says so and what to do, or runs again on the editor's runtime the terminal names", async (t) => {
    // @ts-expect-error -- the test setup's plain .mjs module, without types
    const { NODE18 } = (await import('../e2e/driver/paths.mjs')) as { NODE18: string };
    if (!fs.existsSync(NODE18)) return t.skip(`Node 18 is not installed (bash test/e2e/setup.sh installs it in ${NODE18})`);
    assertBuilt();
    const root = tempWorkspace();
    const old = spawnSync(NODE18, [CLI_JS, '--root', root, 'runs'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    assert.equal(old.status, 127, old.stdout + old.stderr);
    assert.match(
      old.stderr,
      /^runboard: it needs Node\.js 20 or later, and the node that ran it \(\S+\) is v18\.\d+\.\d+: install a newer Node\.js/,
    );
    assert.equal(fs.existsSync(path.join(root, '.runboard')), false, 'nothing written');
    // RUNBOARD_NODE (the editor's runtime, set by the extension in its terminals): run there instead.
    const again = spawnSync(NODE18, [CLI_JS, '--root', root, '--json', 'run', 'create', 'On the editor runtime', '--id', 'e'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', RUNBOARD_NODE: process.execPath },
    });
    assert.equal(again.status, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).run.run_id, 'e');
    // One it cannot run (an editor updated since the terminal opened): said, not a silent exit.
    const gone = spawnSync(NODE18, [CLI_JS, '--root', root, 'runs'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', RUNBOARD_NODE: path.join(root, 'no-such-runtime') },
    });
    assert.equal(gone.status, 127);
    assert.match(
      gone.stderr,
      /the editor's runtime this terminal names \(RUNBOARD_NODE=\S+no-such-runtime\) cannot be run: .*ENOENT.*Open a new VS Code terminal/,
    );
  });
});
