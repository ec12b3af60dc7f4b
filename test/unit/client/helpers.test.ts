// Pure helpers of the client: stable JSON for replay diffs, the tasks file reader, the server
// runtime choice.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseTaskFile, TaskFileError } from '../../../client/src/commands/taskFile';
import { stableStringify } from '../../../client/src/virtualDocuments/stableJson';
import { launcherSource, LAUNCHER_NAME, writeLauncher } from '../../../client/src/agents/launcher';
import { chooseRuntime } from '../../../client/src/server/serverRuntime';

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
    assert.throws(() => parseTaskFile('{"tasks":[{"task_type":"a"}],"extra":1}'), /^Error: Unknown field "extra" beside "tasks"/);
    assert.throws(() => parseTaskFile('[]'), /no tasks/);
    assert.throws(() => parseTaskFile('[{"task_type":"a"}, 3]'), /Task 2 is not an object/);
    assert.throws(() => parseTaskFile('[{"task_type":" "}]'), /Task 1 has no task_type/);
  });
});

describe("chooseRuntime: the editor's own runtime unless a Node is configured", () => {
  it('Electron (desktop VS Code) runs scripts as Node through ELECTRON_RUN_AS_NODE', () => {
    const c = chooseRuntime(undefined, { execPath: '/Applications/Code.app/Contents/Frameworks/Code Helper (Plugin)', electron: '39.2.0' });
    assert.equal(c.command, '/Applications/Code.app/Contents/Frameworks/Code Helper (Plugin)');
    assert.deepEqual(c.env, { ELECTRON_RUN_AS_NODE: '1' });
    assert.equal(c.serverRuntime, undefined, 'the language client forks with the host runtime itself');
    assert.match(c.description, /Electron 39\.2\.0/);
  });
  it('a Node extension host (code-server, remote) is used as it is', () => {
    const c = chooseRuntime(undefined, { execPath: 'C:\\vscode-server\\node.exe' });
    assert.equal(c.command, 'C:\\vscode-server\\node.exe');
    assert.equal(c.serverRuntime, undefined);
  });
  it('runboard.server.nodePath wins, with no Electron variable', () => {
    const c = chooseRuntime('/opt/node/bin/node', { execPath: '/x', electron: '39' });
    assert.deepEqual([c.command, c.serverRuntime, c.env], ['/opt/node/bin/node', '/opt/node/bin/node', {}]);
  });
});

describe('the MCP launcher', () => {
  it('loads the given cli.js by its exact path, whatever the characters in it', () => {
    const cli = 'C:\\Users\\O\'Neil "x"\\.vscode\\extensions\\runboard-0.2.0\\dist\\cli.js';
    const src = launcherSource(cli);
    let required: string | undefined;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the launcher's text as Node would
    new Function('require', src)((p: string) => (required = p));
    assert.equal(required, cli);
  });
  it('is written by rename and rewritten in place on the next activation', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-launcher-'));
    try {
      const file = await writeLauncher(dir, '/ext/runboard-0.1.0/dist/cli.js');
      assert.equal(path.basename(file), LAUNCHER_NAME);
      assert.equal(await writeLauncher(dir, '/ext/runboard-0.2.0/dist/cli.js'), file, 'the same path across versions');
      assert.match(fs.readFileSync(file, 'utf8'), /runboard-0\.2\.0/);
      assert.deepEqual(fs.readdirSync(dir), [LAUNCHER_NAME], 'no temp file left');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('on Windows is renamed again while a scanner holds the old one; elsewhere, and past the retries, the error is said and no temp file is left', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-launcher-'));
    const refusing = (platform: string, codes: string[]) => ({
      platform,
      tries: 0,
      async rename(from: string, to: string) {
        this.tries++;
        const code = codes.shift();
        if (code) throw Object.assign(new Error(`${code}: injected`), { code });
        fs.renameSync(from, to);
      },
    });
    try {
      const windows = refusing('win32', ['EBUSY', 'EPERM']);
      const file = await writeLauncher(dir, '/ext/runboard-0.3.0/dist/cli.js', windows);
      assert.equal(windows.tries, 3);
      assert.match(fs.readFileSync(file, 'utf8'), /runboard-0\.3\.0/);
      const linux = refusing('linux', ['EPERM']);
      await assert.rejects(writeLauncher(dir, '/ext/runboard-0.4.0/dist/cli.js', linux), /EPERM/);
      assert.equal(linux.tries, 1);
      const held = refusing('win32', Array(20).fill('EACCES'));
      await assert.rejects(writeLauncher(dir, '/ext/runboard-0.4.0/dist/cli.js', held), /EACCES/);
      assert.equal(held.tries, 10);
      assert.deepEqual(fs.readdirSync(dir), [LAUNCHER_NAME], 'no temp file left');
      assert.match(fs.readFileSync(file, 'utf8'), /runboard-0\.3\.0/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
