// Smoke test of the benchmark harness (bench/): every workload runs at a trivial size and yields
// well-formed rows, so the bench code cannot rot between benchmark runs. Nothing here is timed:
// the numbers are not checked, only that each workload does its work and reports it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { benchBatchedThroughput } from '../../bench/batchedThroughput';
import { benchClaimScaling } from '../../bench/claimScaling';
import { benchCliCall } from '../../bench/cliCall';
import { benchColdLoad } from '../../bench/coldLoad';
import { writeFixtureRun } from '../../bench/fixture';
import { inTempDir, median, percentile, Row } from '../../bench/harness';
import { benchLiveLatency } from '../../bench/liveLatency';
import { CLI_JS, SERVER_JS } from '../../bench/paths';
import { benchReplayFold } from '../../bench/replayFold';
import { ROWS, selectRows } from '../../bench/rows';
import { benchServerMemory } from '../../bench/serverMemory';
import { benchCommitLatency, benchDurableCommits } from '../../bench/singleCommits';
import { markdownTable, textTable } from '../../bench/table';
import { benchVersusSqlite } from '../../bench/versusSqlite';
import { RunService } from '../../server/src/service/runService';
import { assertRows } from './benchRows';

const built = fs.existsSync(SERVER_JS) && fs.existsSync(CLI_JS);

describe('benchmark harness (smoke, tiny sizes)', () => {
  it('median and percentile', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.equal(percentile([5, 1, 4, 2, 3], 100), 5);
    assert.equal(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        99,
      ),
      99,
    );
  });

  it('the fixture writer produces a run the store loads to exactly the requested seq, caches included', async () => {
    await inTempDir('smoke', async (root) => {
      const f = writeFixtureRun(root, { runId: 'fx', events: 777, eventsPerTask: 20, snapshotAtSeq: 700 });
      assert.equal(f.events, 777);
      assert.ok(f.snapshotSeq !== undefined && f.snapshotSeq >= 700);
      assert.equal(fs.readFileSync(f.file, 'utf8').split('\n').filter(Boolean).length, 777);
      const store = new RunService([root], { durability: 'none', snapshotDelayMs: null });
      const diagnostics: string[] = [];
      store.on({ onDiagnostic: (d) => diagnostics.push(d.message) });
      try {
        const h = (await store.runIn(store.rootPaths()[0], 'fx'))!;
        assert.equal(h.lastSeq, 777);
        assert.ok(h.state.tasks.size > 0);
        assert.deepEqual(diagnostics, []);
      } finally {
        store.close();
      }
    });
  });

  it('rows 1–4: single, batched, durable commits and claim scaling', async () => {
    assertRows(await benchCommitLatency({ commits: 20, warmup: 5, rounds: 1 }), 1);
    assertRows(await benchBatchedThroughput({ events: 200, batch: 100, rounds: 1 }), 1);
    assertRows(await benchDurableCommits({ commits: 5, warmup: 2, rounds: 1 }), 1);
    assertRows(await benchClaimScaling({ small: 10, large: 60, pairs: 15, rounds: 1 }), 1);
  });

  it('rows 5–6: replay fold and cold load', async () => {
    assertRows(await benchReplayFold({ events: 3000, rounds: 1 }), 1);
    assertRows(await benchColdLoad({ events: 3000, tail: 1000, rounds: 1 }), 1);
  });

  it('row 7: worker processes against Runboard and SQLite', { timeout: 180_000 }, async () => {
    assertRows(await benchVersusSqlite({ tasks: 30, workers: 2, rounds: 1 }), 4); // direct and routed
  });

  it(
    'rows 8–10: live latency, server memory, CLI calls (need npm run build)',
    { skip: !built && 'dist/ is not built', timeout: 180_000 },
    async () => {
      assertRows(await benchLiveLatency({ appends: 5 }), 2);
      assertRows(await benchServerMemory({ runs: 2, events: 500 }), 1);
      assertRows(await benchCliCall({ calls: 1 }), 4); // direct and routed
    },
  );

  it('selects rows by number or key and renders tables', () => {
    assert.equal(selectRows(undefined).length, ROWS.length);
    assert.deepEqual(
      selectRows('1,sqlite').map((r) => r.key),
      ['commit', 'sqlite'],
    );
    assert.throws(() => selectRows('nope'), /no such row/);
    const rows: Row[] = [{ id: '1', name: 'x', value: 1.5, unit: 'ms', baseline: null, ratio: null, goal: '< 2 ms', pass: true }];
    assert.match(textTable(rows), /x\s+1\.50\s+—/);
    assert.match(markdownTable(rows), /\| 1 \| x \| 1\.50 \| — \| ms \|/);
  });
});
