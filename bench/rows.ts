// The benchmark rows in table order, each with its full and --quick sizes (quick scales the big
// workloads down about 10×; its numbers show trends, the full run is the one to quote).
import { benchArchive } from './archiveRuns';
import { benchBatchedThroughput } from './batchedThroughput';
import { benchClaimScaling } from './claimScaling';
import { benchCliCall } from './cliCall';
import { benchColdLoad } from './coldLoad';
import { Row } from './harness';
import { benchLiveLatency } from './liveLatency';
import { benchPostgres } from './postgresBoard';
import { benchReplayFold } from './replayFold';
import { benchServerMemory } from './serverMemory';
import { benchCommitLatency, benchDurableCommits } from './singleCommits';
import { benchVersusSqlite } from './versusSqlite';

export interface RowSpec {
  /** What `--only` takes: the row number or this key. */
  key: string;
  run(quick: boolean): Promise<Row[]>;
}

const pick = <T>(quick: boolean, full: T, small: T): T => (quick ? small : full);

export const ROWS: RowSpec[] = [
  {
    key: 'commit',
    run: (q) => benchCommitLatency(pick(q, { commits: 5000, warmup: 500, rounds: 7 }, { commits: 2000, warmup: 1000, rounds: 3 })),
  },
  {
    key: 'batched',
    run: (q) => benchBatchedThroughput(pick(q, { events: 100_000, batch: 100, rounds: 5 }, { events: 10_000, batch: 100, rounds: 3 })),
  },
  {
    key: 'fsync',
    run: (q) => benchDurableCommits(pick(q, { commits: 500, warmup: 50, rounds: 5 }, { commits: 100, warmup: 20, rounds: 3 })),
  },
  {
    key: 'claims',
    run: (q) =>
      benchClaimScaling(
        pick(q, { small: 100, large: 100_000, pairs: 1000, rounds: 5 }, { small: 100, large: 10_000, pairs: 300, rounds: 3 }),
      ),
  },
  { key: 'fold', run: (q) => benchReplayFold(pick(q, { events: 1_000_000, rounds: 3 }, { events: 100_000, rounds: 3 })) },
  {
    key: 'load',
    run: (q) => benchColdLoad(pick(q, { events: 1_000_000, tail: 1000, rounds: 5 }, { events: 100_000, tail: 1000, rounds: 3 })),
  },
  {
    key: 'sqlite',
    run: (q) => benchVersusSqlite(pick(q, { tasks: 20_000, workers: 4, rounds: 3 }, { tasks: 2000, workers: 4, rounds: 1 })),
  },
  { key: 'live', run: (q) => benchLiveLatency(pick(q, { appends: 1000 }, { appends: 200 })) },
  { key: 'memory', run: (q) => benchServerMemory(pick(q, { runs: 100, events: 10_000 }, { runs: 10, events: 10_000 })) },
  { key: 'cli', run: (q) => benchCliCall(pick(q, { calls: 20 }, { calls: 5 })) },
  {
    key: 'postgres',
    run: (q) =>
      benchPostgres(pick(q, { tasks: 2000, workers: 4, rounds: 3, appends: 500 }, { tasks: 400, workers: 4, rounds: 1, appends: 100 })),
  },
  {
    key: 'archive',
    run: (q) =>
      benchArchive(pick(q, { events: 1_000_000, rounds: 3, tortureCommands: 1000 }, { events: 100_000, rounds: 3, tortureCommands: 300 })),
  },
];

/** The rows `--only` names: a 1-based number or a key, comma-separated. */
export function selectRows(only: string | undefined): RowSpec[] {
  if (!only) return ROWS;
  const wanted = only.split(',').map((s) => s.trim());
  const out = ROWS.filter((r, i) => wanted.includes(String(i + 1)) || wanted.includes(r.key));
  if (out.length === 0) throw new Error(`--only ${only}: no such row (1–${ROWS.length} or ${ROWS.map((r) => r.key).join(', ')})`);
  return out;
}
