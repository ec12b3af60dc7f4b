// The `runboard` shim the extension puts on the integrated terminals' PATH (client/bin/runboard):
// a `node` on PATH when there is one, else the editor's runtime from RUNBOARD_NODE, run as Node;
// else a clear message and exit 127. Run for real with stand-in runtimes that report how they
// were called. The Windows .cmd cannot run here: its branches are checked as text (review only).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

const BIN = path.resolve(__dirname, '..', '..', '..', 'client', 'bin');

/** An executable that prints its name, ELECTRON_RUN_AS_NODE and its arguments. */
function standIn(dir: string, name: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\necho "${name} ELECTRON_RUN_AS_NODE=\${ELECTRON_RUN_AS_NODE:-unset} $*"\n`, { mode: 0o755 });
  return file;
}

describe('the runboard shim (POSIX sh)', { skip: process.platform === 'win32' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-shim-'));
  const withNode = fs.mkdtempSync(path.join(dir, 'path-'));
  standIn(withNode, 'node');
  const editor = standIn(dir, 'editor-runtime');
  const empty = fs.mkdtempSync(path.join(dir, 'empty-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const shim = path.join(BIN, 'runboard');
  const run = (env: Record<string, string>) => spawnSync(shim, ['--json', 'runs', 'a b'], { encoding: 'utf8', env });

  it('runs dist/cli.js with a node on PATH, arguments intact, not as Electron', () => {
    const r = run({ PATH: withNode, RUNBOARD_NODE: editor });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `node ELECTRON_RUN_AS_NODE=unset ${BIN}/../cli.js --json runs a b`);
  });

  it('without node on PATH runs it with the editor runtime in RUNBOARD_NODE, as Node', () => {
    const r = run({ PATH: empty, RUNBOARD_NODE: editor });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `editor-runtime ELECTRON_RUN_AS_NODE=1 ${BIN}/../cli.js --json runs a b`);
  });

  it('with neither says what is missing and exits 127', () => {
    for (const env of [{ PATH: empty }, { PATH: empty, RUNBOARD_NODE: path.join(dir, 'gone') }] as Record<string, string>[]) {
      const r = run(env);
      assert.equal(r.status, 127);
      assert.match(r.stderr, /no node on PATH, and no editor runtime in RUNBOARD_NODE/);
    }
  });
});

describe('the runboard.cmd shim (Windows; verified by review, its branches checked here)', () => {
  const text = fs.readFileSync(path.join(BIN, 'runboard.cmd'), 'utf8');

  it('has CRLF line ends throughout (cmd mis-reads labels otherwise)', () => {
    assert.ok(text.length > 0 && !/[^\r]\n/.test(text), 'every \\n follows a \\r');
  });

  it('prefers node on PATH, falls back to RUNBOARD_NODE as Node, else exits 127', () => {
    const lines = text.split('\r\n');
    const at = (s: string) => lines.findIndex((l) => l.includes(s));
    assert.ok(at('where node') >= 0 && at('where node') < at('if defined RUNBOARD_NODE'), 'node on PATH is tried first');
    assert.ok(at('exit /b 127') > at('if defined RUNBOARD_NODE'));
    const editor = lines.slice(at(':with_editor'));
    assert.ok(editor.some((l) => l === 'set ELECTRON_RUN_AS_NODE=1'));
    assert.ok(editor.some((l) => l.startsWith('"%RUNBOARD_NODE%" "%RUNBOARD_CLI%" %*')));
  });
});
