// Where a torture's run lives, and how it is read back: the files of one root, or a PostgreSQL
// board shared by clones ("machines") — each a root whose .runboard/board.json names the board.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Pool, PoolConfig } from 'pg';
import type { EventRecord, RunRecord } from '../../../contract/schemas/records';
import { RunService } from '../../../server/src/service/runService';
import { boardOpener } from '../../../server/src/store/boards';
import { tempRoot } from '../../server/serverProcess';
import { RUN_ID } from './agents';
import { writeBoardConfig } from '../../../scripts/embeddedPostgres';

export interface TortureBoard {
  /** The clones the writers work in (one for files). */
  roots: string[];
  /** A service of this process on a root of the board. */
  service(root: string): RunService;
  /** The run's events, as the store keeps them. */
  readEvents(): Promise<EventRecord[]>;
  /** A root where a fresh process folds the run from nothing, and what the store keeps besides the events (run.json), if anything. */
  freshFold(): { root: string; persisted: RunRecord | undefined };
  /** Stops the store and starts it again after `downMs` (a database), under the writers. */
  restart?(downMs: number): Promise<void>;
  remove(): void;
}

export function fileBoard(): TortureBoard {
  const root = tempRoot('runboard-torture-');
  const made = [root];
  const runDir = path.join(root, '.runboard', 'runs', RUN_ID);
  return {
    roots: [root],
    service: (r) => new RunService([r], { snapshotDelayMs: null }),
    readEvents: async () =>
      fs
        .readFileSync(path.join(runDir, 'events.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as EventRecord),
    freshFold: () => {
      // The log alone, in a root of its own: no caches to start from.
      const scratch = tempRoot('runboard-torture-fold-');
      made.push(scratch);
      fs.mkdirSync(path.join(scratch, '.runboard', 'runs', RUN_ID), { recursive: true });
      fs.copyFileSync(path.join(runDir, 'events.jsonl'), path.join(scratch, '.runboard', 'runs', RUN_ID, 'events.jsonl'));
      return { root: scratch, persisted: JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')) as RunRecord };
    },
    remove: () => made.forEach((r) => fs.rmSync(r, { recursive: true, force: true })),
  };
}

/**
 * The board `board` on a PostgreSQL database, in `clones` roots. The password reaches every
 * process the torture starts through PGPASSWORD in this process's environment (set by the caller).
 */
export function postgresBoard(o: {
  config: PoolConfig;
  board: string;
  clones: number;
  pool: Pool;
  restart: (downMs: number) => Promise<void>;
}): TortureBoard {
  const made: string[] = [];
  const clone = () => {
    const root = tempRoot('runboard-torture-pg-');
    made.push(root);
    writeBoardConfig(root, o.config, o.board);
    return root;
  };
  return {
    roots: Array.from({ length: o.clones }, clone),
    service: (r) => new RunService([r], { snapshotDelayMs: null }, boardOpener()),
    readEvents: async () => {
      const r = await o.pool.query<{ line: string }>('SELECT line FROM runboard_events WHERE board = $1 AND run_id = $2 ORDER BY seq', [
        o.board,
        RUN_ID,
      ]);
      return r.rows.map((row) => JSON.parse(row.line) as EventRecord);
    },
    // Another clone: it folds what the database holds; the database keeps no cache to compare.
    freshFold: () => ({ root: clone(), persisted: undefined }),
    restart: o.restart,
    remove: () => made.forEach((r) => fs.rmSync(r, { recursive: true, force: true })),
  };
}
