// What the VSIX carries, read from vsce's own file list of the built package (`vsce ls`, the
// list `npm run package` zips): the lock binary of every desktop target and no other native file
// (no per-Node-ABI builds), the CLI shims, no sources or maps; and a manifest that runs beside the
// files (extensionKind workspace: Remote SSH, WSL, Dev Containers, Codespaces).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { LOCK_BINARY, LOCK_TARGETS } from '../../server/src/store/file/osLock';

const REPO = path.resolve(__dirname, '..', '..');

describe('the packaged extension', () => {
  let files: string[] = [];
  before(() => {
    assert.ok(fs.existsSync(path.join(REPO, 'dist', 'extension.js')), 'dist/ is missing: npm run build first (npm test does)');
    const vsce = path.join(REPO, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
    files = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: REPO, encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  });

  it('carries the lock binary for every desktop target', () => {
    assert.deepEqual([...LOCK_TARGETS].sort(), ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'win32-arm64', 'win32-x64']);
    for (const target of LOCK_TARGETS)
      assert.ok(files.includes(`dist/native/${target}/${LOCK_BINARY}`), `no lock binary for ${target} in ${files.join(', ')}`);
  });

  it('carries no other native file: nothing built for one Node ABI', () => {
    const native = files.filter((f) => f.endsWith('.node'));
    assert.deepEqual(native.sort(), LOCK_TARGETS.map((t) => `dist/native/${t}/${LOCK_BINARY}`).sort());
    assert.equal(files.filter((f) => /fs_ext|abi\d+/.test(f)).length, 0);
  });

  it('carries the bundles and both CLI shims, and no sources or source maps', () => {
    for (const f of [
      'dist/extension.js',
      'dist/server.js',
      'dist/cli.js',
      'dist/cli-thin.js',
      'dist/cli-core.js',
      'dist/mcp.js',
      'dist/bin/runboard',
      'dist/bin/runboard.cmd',
      'package.json',
      'schemas/tasks.schema.json',
    ]) {
      assert.ok(files.includes(f), `${f} is missing`);
    }
    assert.deepEqual(
      files.filter((f) => f.endsWith('.map') || f.endsWith('.ts') || /^(server|client|test|node_modules)\//.test(f)),
      [],
    );
  });

  it('runs beside the workspace files, wherever they are (remote hosts included)', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    assert.deepEqual(manifest.extensionKind, ['workspace']);
    assert.equal(manifest.dependencies['fs-ext'], undefined);
  });
});
