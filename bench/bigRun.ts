// The big run shared by the fold and cold-load workloads: written once per bench process (with
// caches a short tail behind the log), loaded through the real RunService, with the caches moved
// aside when a load must come from the log alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunService } from '../server/src/service/runService';
import { BLACKBOARD_FILE, INDEX_FILE, RUN_FILE } from '../contract/layout';
import { Fixture, writeFixtureRun } from './fixture';
import { benchStore, nowMs, removeDir, tempDir } from './harness';

export interface BigRun {
  root: string;
  runId: string;
  fixture: Fixture;
}

const CACHES = [RUN_FILE, BLACKBOARD_FILE, INDEX_FILE];
const made = new Map<string, BigRun>();

/** A run of `events` events whose caches stop `tail` events before the end; reused within the process. */
export function bigRun(events: number, tail: number): BigRun {
  const key = `${events}/${tail}`;
  const have = made.get(key);
  if (have) return have;
  const root = tempDir('bigrun');
  process.once('exit', () => removeDir(root));
  const runId = 'big';
  const fixture = writeFixtureRun(root, { runId, events, snapshotAtSeq: Math.max(1, events - tail) });
  const run = { root, runId, fixture };
  made.set(key, run);
  return run;
}

/** Runs `fn` with the run's caches moved out of its folder (so a load folds the whole log). */
export async function withoutCaches<T>(run: BigRun, fn: () => Promise<T>): Promise<T> {
  const aside = path.join(run.root, 'caches-aside');
  fs.mkdirSync(aside, { recursive: true });
  for (const f of CACHES) fs.renameSync(path.join(run.fixture.dir, f), path.join(aside, f));
  try {
    return await fn();
  } finally {
    for (const f of CACHES) fs.renameSync(path.join(aside, f), path.join(run.fixture.dir, f));
  }
}

export interface LoadResult {
  ms: number;
  lastSeq: number;
  diagnostics: string[];
}

/** Opens the run in a fresh store (its first use loads it) and closes the store without writing. */
export async function timeLoad(run: BigRun): Promise<LoadResult> {
  const store: RunService = benchStore(run.root);
  const diagnostics: string[] = [];
  store.on({ onDiagnostic: (d) => diagnostics.push(d.message) });
  try {
    const t0 = nowMs();
    const h = await store.runIn(store.rootPaths()[0], run.runId);
    const ms = nowMs() - t0;
    if (!h) throw new Error('the big run did not load');
    return { ms, lastSeq: h.lastSeq, diagnostics };
  } finally {
    store.close();
  }
}
