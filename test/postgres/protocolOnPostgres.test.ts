// The protocol tests that are not about files (test/server/: the real server process over
// JSON-RPC), run again with every root's board on a real PostgreSQL: each test root gets a
// board.json naming a board of its own (serverProcess.ts, RUNBOARD_TEST_PG), and the tests
// about the files themselves are skipped there (itOnFiles).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { startPostgres, type TestPostgres } from '../../scripts/embeddedPostgres';

// Left out, being about the files: flood (waits for the caches), bigReplay (writes a log fixture), readOnly (an untrusted
// workspace's files), stuckHolders (the file locks).
const SUITES = ['methods', 'contract', 'leases', 'live', 'liveBurst', 'smallFindings', 'subscribeNewRuns', 'manyRuns', 'socketServe'];
const REPO = path.resolve(__dirname, '..', '..');
let db: TestPostgres;

before(async () => {
  db = await startPostgres();
});
after(async () => {
  await db.remove();
});

for (const suite of SUITES) {
  it(`test/server/${suite}.test.ts on PostgreSQL`, { timeout: 600_000 }, () => {
    const { host, port, user, database } = db.config;
    // A runner of its own (not a child of this one: NODE_TEST_CONTEXT would make it report to us in its binary form).
    const { NODE_TEST_CONTEXT: _child, ...env } = process.env;
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter', 'tap', path.join('test', 'server', `${suite}.test.ts`)],
      {
        cwd: REPO,
        env: { ...env, RUNBOARD_TEST_PG: JSON.stringify({ host, port, user, database }), PGPASSWORD: String(db.config.password) },
        encoding: 'utf8',
      },
    );
    const count = (what: string) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(r.stdout)?.[1] ?? NaN);
    console.log(`${suite} on PostgreSQL: ${count('pass')} passed, ${count('skipped')} about files skipped, ${count('fail')} failed`);
    assert.equal(r.status, 0, `${suite} failed on PostgreSQL:\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-2000)}`);
    assert.ok(count('pass') > 0, `${suite}: no test ran`);
  });
}
