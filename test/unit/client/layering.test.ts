// The client side of the layering rule (DESIGN.md): the extension and the webview import the
// server's code for types only (but the message table and the worktrees' git work), and the contract's zod schemas for types only; the webview takes
// no message table (JSON-RPC) either.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const REPO = path.resolve(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** `import … from '…'` statements that bring in values (not `import type`) from modules matching `wanted`. */
function runtimeImports(file: string, wanted: RegExp): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^import\s+(type\s+)?([\s\S]*?)\s+from\s+'([^']+)';/gm)) {
    const [, typeOnly, names, spec] = m;
    if (!wanted.test(spec)) continue;
    if (typeOnly) continue;
    // `import { type A, type B } from` is type-only too.
    const inner = names
      .replace(/^\{|\}$/g, '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (names.startsWith('{') && inner.every((n) => n.startsWith('type '))) continue;
    out.push(spec);
  }
  return out;
}

describe('client layering', () => {
  it("client/src and media/src use server code and the contract's schemas only as types; the webview no message table", () => {
    const offenders: string[] = [];
    const client = sources(path.join(REPO, 'client', 'src'));
    const media = sources(path.join(REPO, 'media', 'src'));
    for (const file of [...client, ...media]) {
      for (const spec of runtimeImports(file, /server\/src\/|contract\/schemas\//)) {
        // The message table (server/src/protocol.ts) is shared by design, and so is the git work of
        // task worktrees (server/src/worktrees/: done where the repository is, by the CLI and the
        // extension host alike); the webview takes neither.
        if (/server\/src\/(protocol|worktrees\/\w+)$/.test(spec) && !media.includes(file)) continue;
        offenders.push(`${path.relative(REPO, file)} → ${spec}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('the check sees a value import', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-layering-'));
    const tmp = path.join(dir, 'probe.ts');
    fs.writeFileSync(
      tmp,
      "import { EVENT } from '../../server/src/engine/model';\nimport type { Task } from '../../server/src/engine/model';\n",
    );
    try {
      assert.deepEqual(runtimeImports(tmp, /server\/src\//), ['../../server/src/engine/model']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
