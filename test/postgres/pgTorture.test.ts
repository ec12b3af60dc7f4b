// The torture across "machines" (issue 19): one run on a PostgreSQL board shared by two clones,
// each with a server of its own, CLIs and MCP servers on both, a headless socket server on the
// first; the chaos loop kill -9s servers and clients and restarts the database once in the
// middle. Every acknowledged command is in the database exactly once, seqs are contiguous, no
// task is held by two live leases, and a fresh fold in a third clone replays without drift.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Pool } from 'pg';
import { runTorture } from '../reliability/torture/run';
import { postgresBoard } from '../reliability/torture/tortureBoards';
import { startPostgres, type TestPostgres } from '../../scripts/embeddedPostgres';

const seed = Number(process.env.TORTURE_SEED ?? 1919);
const commands = Number(process.env.TORTURE_COMMANDS ?? 600);
let db: TestPostgres;
let pool: Pool;

before(async () => {
  db = await startPostgres();
  pool = new Pool(db.config);
  pool.on('error', () => undefined);
  process.env.PGPASSWORD = String(db.config.password);
});
after(async () => {
  delete process.env.PGPASSWORD;
  await pool.end();
  await db.remove();
});

it(
  `torture on a PostgreSQL board: two clones, ${commands} commands, kills and a database restart (seed ${seed})`,
  { timeout: 600_000 },
  async () => {
    const board = postgresBoard({
      config: db.config,
      board: `torture-${seed}`,
      clones: 2,
      pool,
      restart: async (downMs) => {
        await db.stop();
        await new Promise((r) => setTimeout(r, downMs));
        await db.start();
      },
    });
    const r = await runTorture({ seed, commands, board, log: (l) => console.log(l) });
    console.log(`torture report: ${JSON.stringify(r)}`);
    assert.ok(r.acks > 100, 'enough commands went through');
    assert.ok(r.kills > 0, 'the chaos loop killed writers');
    assert.equal(r.restarts, 1, 'the database was restarted under the writers');
    assert.ok(r.claims > 10, 'tasks were claimed');
    assert.ok(r.routed > 0, 'CLI calls went through a socket server');
  },
);
