// The client side of the layering rule (DESIGN.md): the extension and the webview import the
// server's code for types only, except the protocol module (the typed messages, shared by design).
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

/** `import … from '…server/src/…'` statements that bring in values (not `import type`). */
function runtimeServerImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^import\s+(type\s+)?([\s\S]*?)\s+from\s+'([^']+)';/gm)) {
    const [, typeOnly, names, spec] = m;
    if (!spec.includes('server/src/')) continue;
    if (typeOnly) continue;
    // `import { type A, type B } from` is type-only too.
    const inner = names.replace(/^\{|\}$/g, '').split(',').map((s) => s.trim()).filter(Boolean);
    if (names.startsWith('{') && inner.every((n) => n.startsWith('type '))) continue;
    out.push(spec);
  }
  return out;
}

describe('client layering', () => {
  it('client/src and media/src use server code only as types, apart from protocol.ts', () => {
    const offenders: string[] = [];
    for (const file of [...sources(path.join(REPO, 'client', 'src')), ...sources(path.join(REPO, 'media', 'src'))]) {
      for (const spec of runtimeServerImports(file)) {
        const isProtocol = /server\/src\/protocol$/.test(spec);
        if (!isProtocol || file.includes(`${path.sep}media${path.sep}`)) offenders.push(`${path.relative(REPO, file)} → ${spec}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('the check sees a value import', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-layering-'));
    const tmp = path.join(dir, 'probe.ts');
    fs.writeFileSync(tmp, "import { EVENT } from '../../server/src/engine/model';\nimport type { Task } from '../../server/src/engine/model';\n");
    try {
      assert.deepEqual(runtimeServerImports(tmp), ['../../server/src/engine/model']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
