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

function refusal(doc: unknown): { field: unknown; message: string } {
  const root = tempRoot();
  roots.push(root);
  fs.mkdirSync(path.join(root, '.runboard'), { recursive: true });
  fs.writeFileSync(path.join(root, '.runboard', 'board.json'), JSON.stringify(doc));
  try {
    readBoardConfig(root, {});
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
      message: 'extra: not a field of board.json (store, board, postgres)',
    });
    assert.deepEqual(refusal({ store: 'postgres', board: 'b', postgres: { hots: 'x' } }), {
      field: 'postgres.hots',
      message: 'postgres.hots: not a field of board.json',
    });
  });

  it('no store, or an unknown one, says which there are', () => {
    for (const doc of [{}, { store: 'mysql' }])
      assert.deepEqual(refusal(doc), { field: 'store', message: 'store: say "files" or "postgres"' });
  });
});
