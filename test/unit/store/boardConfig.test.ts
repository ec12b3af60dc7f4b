// .runboard/board.json read (server/src/store/boardConfig.ts): each mistake named by its own field,
// with what it should be.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { DomainError } from '../../../server/src/engine/errors';
import { readBoardConfig } from '../../../server/src/store/boardConfig';
import { removeTree, tempRoot } from './helpers';

const roots: string[] = [];
after(() => roots.forEach(removeTree));

/** A root whose board.json is `text` (a document, or its text as saved). */
function rootWith(doc: unknown): string {
  const root = tempRoot();
  roots.push(root);
  fs.mkdirSync(path.join(root, '.runboard'), { recursive: true });
  fs.writeFileSync(path.join(root, '.runboard', 'board.json'), typeof doc === 'string' ? doc : JSON.stringify(doc));
  return root;
}

function refusal(doc: unknown, env: NodeJS.ProcessEnv = {}): { field: unknown; message: string } {
  const root = rootWith(doc);
  try {
    readBoardConfig(root, env);
  } catch (e) {
    assert.ok(e instanceof DomainError && e.code === 'BOARD_CONFIG_INVALID', String(e));
    return { field: e.details.field, message: e.message.replace(/^.* — /, '') };
  }
  assert.fail('accepted');
}

describe('board.json', () => {
  it('an unknown field is named by its own path, not its parent', () => {
    assert.deepEqual(refusal({ store: 'files', extra: 1 }), {
      field: 'extra',
      message: 'extra: not a field of a files board (it has only store; "store": "postgres" names a database board)',
    });
    assert.deepEqual(refusal({ store: 'postgres', board: 'b', postgres: { hots: 'x' } }), {
      field: 'postgres.hots',
      message: 'postgres.hots: not a field of postgres (it has host, port, database, user, ssl, url_env); did you mean "host"?',
    });
    // The words of libpq and URLs name the field they mean.
    assert.match(refusal({ store: 'postgres', board: 'b', postgres: { dbname: 'x' } }).message, /did you mean "database"\?$/);
    assert.match(refusal({ store: 'postgres', board: 'b', postgres: { sslmode: 'require' } }).message, /did you mean "ssl"\?$/);
    // A misspelt key is named, not the key it left missing.
    assert.deepEqual(refusal({ store: 'postgres', bord: 'b' }), {
      field: 'bord',
      message: 'bord: not a field of board.json (it has store, board, postgres); did you mean "board"?',
    });
    // A files board has no board name: said so, not "board: not a field … (store, board, postgres)".
    assert.match(
      refusal({ store: 'files', board: 'x' }).message,
      /^board: not a field of a files board \(it has only store; "store": "postgres" names a database board\)$/,
    );
  });

  it('a byte order mark before the JSON (a Windows editor) reads as the JSON', () => {
    const root = rootWith('\uFEFF' + JSON.stringify({ store: 'postgres', board: 'team', postgres: { host: 'db' } }));
    const config = readBoardConfig(root, {});
    assert.deepEqual(config.store === 'postgres' && [config.board, config.pool.host], ['team', 'db']);
  });

  it('url_env: a postgres:// URL as fields, its password only when it holds one; anything else refused without its value', () => {
    const board = { store: 'postgres', board: 'b', postgres: { url_env: 'DB_URL' } };
    const pool = (url: string) => {
      const c = readBoardConfig(rootWith(board), { DB_URL: url });
      assert.ok(c.store === 'postgres');
      return c.pool;
    };
    // No password in the URL: none in the config, so the lookup (the editor's secret, PGPASSWORD, ~/.pgpass) gives it.
    assert.deepEqual({ ...pool('postgres://ann@db.example:6543/work') }, { user: 'ann', host: 'db.example', port: 6543, database: 'work' });
    assert.equal(pool('postgresql://ann:s3cret@db/work').password, 's3cret');
    for (const [url, says] of [
      ['not a url', 'it is no URL'],
      ['mysql://ann:s3cret@db/work', 'it is a mysql: URL'],
    ]) {
      const r = refusal(board, { DB_URL: url });
      assert.equal(r.field, 'postgres.url_env');
      assert.equal(
        r.message,
        `postgres.url_env: the environment variable DB_URL does not hold a postgres:// URL (${says}); set it to postgres://user@host:port/database`,
      );
      assert.doesNotMatch(r.message, /s3cret/);
    }
  });

  it("url_env: a URL's sslmode means what libpq says, as the file's ssl does, without pg's warning", async () => {
    const board = { store: 'postgres', board: 'b', postgres: { url_env: 'DB_URL' } };
    const ssl = (url: string) => {
      const c = readBoardConfig(rootWith(board), { DB_URL: url });
      assert.ok(c.store === 'postgres');
      // pg's parser makes objects without a prototype.
      const s = c.pool.ssl;
      return typeof s === 'object' ? { ...s } : s;
    };
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      // require: TLS, the certificate not checked (pg 8 alone checked it: a managed database's own certificate failed).
      assert.deepEqual(ssl('postgres://ann@db/work?sslmode=require'), { rejectUnauthorized: false });
      assert.deepEqual(ssl('postgres://ann@db/work?sslmode=verify-full'), {});
      assert.equal(ssl('postgres://ann@db/work?sslmode=disable'), false);
      assert.equal(ssl('postgres://ann@db/work'), undefined);
      // verify-ca needs the CA to check against: named, as libpq's sslrootcert.
      assert.match(refusal(board, { DB_URL: 'postgres://ann@db/work?sslmode=verify-ca' }).message, /sslrootcert/);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings, []);
      // A URL that says how itself is taken at its word (pg refuses the option given twice).
      assert.deepEqual(ssl('postgres://ann@db/work?sslmode=require&uselibpqcompat=true'), { rejectUnauthorized: false });
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('no store, or an unknown one, says which there are', () => {
    for (const doc of [{}, { store: 'mysql' }])
      assert.deepEqual(refusal(doc), { field: 'store', message: 'store: say "files" or "postgres"' });
  });
});
