// The store interface holds: nothing above the store (the service, the server, the CLI and MCP)
// imports the file store or the PostgreSQL store, which only store/boards.ts chooses; the store knows no protocol (no
// imports from the service, the server or the CLI).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { importedModules } from '../engine/layering.test';

const SRC = path.join(__dirname, '..', '..', '..', 'server', 'src');
const STORE = path.join(SRC, 'store');
const FILE_STORE = path.join(STORE, 'file');

function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** Each relative import of the files, resolved to the path it names. */
function importsOf(files: string[]): { file: string; target: string }[] {
  return files.flatMap((file) =>
    importedModules(fs.readFileSync(file, 'utf8'))
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => ({ file: path.relative(SRC, file), target: path.resolve(path.dirname(file), spec) })),
  );
}

const inside = (dir: string) => (target: string) => target === dir || target.startsWith(dir + path.sep);

describe('store layering', () => {
  it('only store/boards.ts (and atomicFiles.ts, its small-file helpers) imports the file store from outside it', () => {
    const outside = sources(SRC).filter((f) => !inside(FILE_STORE)(f));
    const found = importsOf(outside).filter((i) => inside(FILE_STORE)(i.target));
    assert.ok(found.length > 0, 'the scan sees the imports of the file store');
    assert.deepEqual([...new Set(found.map((i) => i.file))].sort(), [
      path.join('store', 'atomicFiles.ts'),
      path.join('store', 'boards.ts'),
    ]);
  });

  it('only store/boards.ts loads the PostgreSQL store from outside it, and that store uses nothing of the file store', () => {
    const pg = path.join(STORE, 'pg');
    const outside = sources(SRC).filter((f) => !inside(pg)(f));
    const found = importsOf(outside).filter((i) => inside(pg)(i.target));
    assert.deepEqual([...new Set(found.map((i) => i.file))].sort(), [path.join('store', 'boards.ts')]);
    assert.deepEqual(
      importsOf(sources(pg)).filter((i) => inside(FILE_STORE)(i.target)),
      [],
    );
  });

  it('the store imports nothing from the service, the server, the CLI or the protocol', () => {
    const above = [path.join(SRC, 'service'), path.join(SRC, 'rpc'), path.join(SRC, 'cli'), path.join(SRC, 'protocol')];
    const found = importsOf(sources(STORE)).filter((i) => above.some((dir) => inside(dir)(i.target)));
    assert.deepEqual(found, []);
  });

  it('routing imports nothing from the service, the server or the CLI (the clients that route stay thin)', () => {
    const above = [path.join(SRC, 'service'), path.join(SRC, 'rpc'), path.join(SRC, 'cli')];
    const found = importsOf(sources(path.join(SRC, 'routing'))).filter((i) => above.some((dir) => inside(dir)(i.target)));
    assert.deepEqual(found, []);
  });
});
