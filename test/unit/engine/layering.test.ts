// The engine is pure: no file system, paths, processes or network (node:crypto for hashing is
// fine). The store does the I/O; this keeps replay and tests deterministic. Below the engine lies
// only the contract (../contract), which imports nothing.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const REPO = path.join(__dirname, '..', '..', '..');
const ENGINE_DIR = path.join(REPO, 'server', 'src', 'engine');
const CONTRACT_DIR = path.join(REPO, 'contract');
const FORBIDDEN = ['fs', 'fs/promises', 'path', 'os', 'child_process', 'net'];

/** Every module specifier a file names: static and dynamic imports, re-exports and require calls. */
export function importedModules(source: string): string[] {
  const specifiers: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[\w*\s{},$]+\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) specifiers.push(m[1]);
  return specifiers;
}

function isForbidden(specifier: string): boolean {
  const bare = specifier.replace(/^node:/, '');
  return FORBIDDEN.some((m) => bare === m || bare.startsWith(`${m}/`));
}

describe('engine layering', () => {
  it('the import scanner sees every form of import', () => {
    const sample = [
      "import * as fs from 'node:fs';",
      'import { join } from "path";',
      "import type { X } from 'os';",
      "export { y } from 'child_process';",
      "import 'net';",
      "const p = await import('fs/promises');",
      "const q = require('node:os');",
      "import { createHash } from 'node:crypto';",
      "import { z } from 'zod';",
      "import {\n  a,\n  b,\n} from './model';",
    ].join('\n');
    const found = importedModules(sample);
    assert.deepEqual(found.filter(isForbidden).sort(), ['child_process', 'fs/promises', 'net', 'node:fs', 'node:os', 'os', 'path'].sort());
    assert.ok(found.includes('node:crypto') && found.includes('zod') && found.includes('./model'));
  });

  it('no engine file imports node:fs, fs, path, os, child_process or net', () => {
    const files = fs.readdirSync(ENGINE_DIR).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length >= 10, `found the engine sources in ${ENGINE_DIR}`);
    const offences: string[] = [];
    for (const file of files) {
      const source = fs.readFileSync(path.join(ENGINE_DIR, file), 'utf8');
      for (const spec of importedModules(source)) if (isForbidden(spec)) offences.push(`${file} imports ${spec}`);
    }
    assert.deepEqual(offences, []);
  });

  it('engine files import nothing from outside the engine folder but the contract (the arrows point downward)', () => {
    const files = fs.readdirSync(ENGINE_DIR).filter((f) => f.endsWith('.ts'));
    const outward: string[] = [];
    for (const file of files) {
      const source = fs.readFileSync(path.join(ENGINE_DIR, file), 'utf8');
      for (const spec of importedModules(source)) {
        if (spec.startsWith('..') && !path.resolve(ENGINE_DIR, spec).startsWith(CONTRACT_DIR + path.sep))
          outward.push(`${file} imports ${spec}`);
      }
    }
    assert.deepEqual(outward, []);
  });

  it('the contract imports only itself and zod (its schemas): every side can depend on it', () => {
    const files = ['', 'schemas'].flatMap((dir) =>
      fs
        .readdirSync(path.join(CONTRACT_DIR, dir))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => path.join(dir, f)),
    );
    assert.ok(files.includes('taskRules.ts') && files.includes(path.join('schemas', 'params.ts')));
    const outward: string[] = [];
    for (const file of files) {
      const source = fs.readFileSync(path.join(CONTRACT_DIR, file), 'utf8');
      const inSchemas = file.startsWith('schemas');
      for (const m of source.matchAll(/^import\s+(type\s+)?[\s\S]*?\s+from\s+'([^']+)';/gm)) {
        const [, typeOnly, spec] = m;
        const target = path.resolve(CONTRACT_DIR, path.dirname(file), spec);
        const inside = spec.startsWith('.') && (target === CONTRACT_DIR || target.startsWith(CONTRACT_DIR + path.sep));
        const allowed =
          (inside && (inSchemas || typeOnly || !target.startsWith(path.join(CONTRACT_DIR, 'schemas')))) ||
          (spec === 'zod' && (inSchemas || typeOnly));
        if (!allowed) outward.push(`${file} imports ${typeOnly ? 'type ' : ''}${spec}`);
      }
    }
    assert.deepEqual(outward, []);
  });
});
