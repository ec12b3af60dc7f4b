// The store interface's conformance suite (test/unit/store/boardConformance.ts) on a PostgreSQL
// board: each root's .runboard/board.json names a board of its own on the test's database, the
// password comes from the environment (PGPASSWORD), as it would on a developer's machine.
import { after, before } from 'node:test';
import { Pool } from 'pg';
import { boardOpener } from '../../server/src/store/boards';
import { describeBoardStore } from '../unit/store/boardConformance';
import { databaseNowMs, startPostgres, writeBoardConfig, type TestPostgres } from '../../scripts/embeddedPostgres';

let db: TestPostgres;
let clockPool: Pool;
let boards = 0;

before(async () => {
  db = await startPostgres();
  clockPool = new Pool(db.config);
});
after(async () => {
  await clockPool.end();
  await db.remove();
});

describeBoardStore({
  name: 'PostgreSQL',
  opener: () => boardOpener({ PGPASSWORD: String(db.config.password) }),
  prepareRoot: (root) => writeBoardConfig(root, db.config, `conformance-${++boards}`),
  ownClock: () => databaseNowMs(clockPool),
});
