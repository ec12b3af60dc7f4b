// Smoke test of bench row 11 (bench/postgresBoard.ts) at a trivial size, beside the others in
// test/unit/bench.test.ts: it needs PostgreSQL (it starts its own) and the built dist/.
import { it } from 'node:test';
import { benchPostgres } from '../../bench/postgresBoard';
import { assertRows } from '../unit/benchRows';

it('row 11: a PostgreSQL board beside pg-boss, and live latency across servers', { timeout: 300_000 }, async () => {
  assertRows(await benchPostgres({ tasks: 20, workers: 2, rounds: 1, appends: 5 }), 4);
});
