// Pure helpers of the client: stable JSON for replay diffs, the tasks file reader, the server
// runtime choice.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseTaskFile, TaskFileError } from '../../../client/src/commands/taskFile';
import { stableStringify } from '../../../client/src/docs/stableJson';
import { bundledAbis, chooseRuntime, findNodeOnPath } from '../../../client/src/server/serverRuntime';

describe('stableStringify', () => {
  it('sorts keys at every depth, keeps array order, drops undefined, ends with a newline', () => {
    const a = stableStringify({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } });
    assert.equal(a, '{\n  "a": {\n    "d": [\n      3,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n');
    assert.equal(stableStringify({ x: 1, y: 2 }), stableStringify({ y: 2, x: 1 }));
  });
});

describe('parseTaskFile', () => {
  it('reads an array or {tasks: [...]}, with or without a BOM', () => {
    assert.deepEqual(parseTaskFile('[{"task_type":"a"}]'), [{ task_type: 'a' }]);
    assert.deepEqual(parseTaskFile('\uFEFF{"tasks":[{"task_type":"a","id":"x"}]}'), [{ task_type: 'a', id: 'x' }]);
  });
  it('rejects what cannot be a batch, naming the row', () => {
    assert.throws(() => parseTaskFile('{'), TaskFileError);
    assert.throws(() => parseTaskFile('{"x":1}'), /JSON array of tasks/);
    assert.throws(() => parseTaskFile('[]'), /no tasks/);
    assert.throws(() => parseTaskFile('[{"task_type":"a"}, 3]'), /Task 2 is not an object/);
    assert.throws(() => parseTaskFile('[{"task_type":" "}]'), /Task 1 has no task_type/);
  });
});

describe('chooseRuntime', () => {
  const base = { hostAbi: '137', hostIsElectron: false, bundledAbis: ['115', '137'] };
  it('takes the configured node path first', () => {
    assert.equal(chooseRuntime({ ...base, configured: '/opt/node' }).runtime, '/opt/node');
  });
  it("uses the extension host's own Node when a binding for its ABI is bundled", () => {
    const c = chooseRuntime(base);
    assert.equal(c.runtime, undefined);
    assert.equal(c.warning, undefined);
  });
  it('falls back to a node on PATH whose ABI has a binding', () => {
    const c = chooseRuntime({ ...base, bundledAbis: ['115'], pathNode: { file: '/usr/bin/node', abi: '115' } });
    assert.equal(c.runtime, '/usr/bin/node');
    assert.equal(c.warning, undefined);
  });
  it('never forks Electron itself when a PATH node exists, and warns when no ABI fits', () => {
    const c = chooseRuntime({ ...base, hostIsElectron: true, hostAbi: '125', bundledAbis: ['115'], pathNode: { file: '/n', abi: '120' } });
    assert.equal(c.runtime, '/n');
    assert.match(c.warning ?? '', /bundled ABIs: 115/);
    const none = chooseRuntime({ ...base, bundledAbis: [] });
    assert.equal(none.runtime, undefined);
    assert.match(none.warning ?? '', /no node on PATH/);
  });
  it('reads bundled ABIs from the file names and finds node on a PATH', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-rt-'));
    try {
      for (const f of ['fs_ext-linux-x64-abi115.node', 'fs_ext-linux-x64-abi137.node', 'fs_ext-darwin-arm64-abi115.node', 'other.txt']) {
        fs.writeFileSync(path.join(dir, f), '');
      }
      assert.deepEqual(bundledAbis(dir, 'linux', 'x64').sort(), ['115', '137']);
      assert.deepEqual(bundledAbis(path.join(dir, 'missing')), []);
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      const exe = path.join(bin, process.platform === 'win32' ? 'node.exe' : 'node');
      fs.writeFileSync(exe, '');
      fs.chmodSync(exe, 0o755);
      assert.equal(findNodeOnPath(['', path.join(dir, 'nope'), bin].join(path.delimiter)), exe);
      assert.equal(findNodeOnPath(path.join(dir, 'nope')), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
