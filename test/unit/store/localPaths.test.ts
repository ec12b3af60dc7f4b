// Paths as the protocol compares them (service/localPaths.ts): a path keeps the file system's case
// — a lower-cased one is not found in a folder made case-sensitive on Windows (one WSL created) —
// and case is ignored on Windows only where paths are compared, so that a binding stored
// lower-cased by an earlier version still matches its folder. Windows is injected.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { normalizePath, samePath, spelledAsBound } from '../../../server/src/service/localPaths';

describe('local paths', () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-paths-')));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a path keeps its case, on Windows too', () => {
    const folder = path.join(dir, 'MixedCase');
    fs.mkdirSync(folder);
    const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
    Object.defineProperty(process, 'platform', { value: 'win32' });
    try {
      assert.equal(normalizePath('MixedCase', dir), folder);
      assert.equal(normalizePath('Not/Made/Yet', dir), path.join(dir, 'Not/Made/Yet'));
    } finally {
      Object.defineProperty(process, 'platform', platform);
    }
  });

  it('paths are compared without case on Windows only', () => {
    assert.equal(samePath('C:\\Work\\Proj', 'c:\\work\\proj', 'win32'), true);
    assert.equal(samePath('C:\\Work\\Proj', 'C:\\Work\\Other', 'win32'), false);
    assert.equal(samePath('/work/Proj', '/work/proj', 'linux'), false);
    assert.equal(samePath('/work/proj', '/work/proj', 'linux'), true);
  });

  it('a binding stored lower-cased still matches its folder on Windows (no mismatch, no pause)', () => {
    assert.equal(spelledAsBound('c:\\work\\proj', 'C:\\Work\\Proj', 'win32'), 'c:\\work\\proj');
    assert.equal(spelledAsBound('c:\\work\\other', 'C:\\Work\\Proj', 'win32'), 'C:\\Work\\Proj');
    assert.equal(spelledAsBound('', 'C:\\Work\\Proj', 'win32'), 'C:\\Work\\Proj', 'an unbound run is bound as the path is spelled');
    assert.equal(spelledAsBound('/work/proj', '/work/Proj', 'linux'), '/work/Proj');
  });
});
