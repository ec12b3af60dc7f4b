// Shared pieces of the benchmark workloads: the result row, timing, medians and percentiles,
// temp folders, and a store configured for measuring (no background snapshot timer).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunService } from '../server/src/service/runService';
import { StoreOptions } from '../server/src/store/types';

/** One line of the table and of bench/results.json. */
export interface Row {
  /** The row's number in the issue, with a letter when one workload yields several rows (set by run.ts). */
  id?: string;
  name: string;
  /** Runboard's measurement. */
  value: number;
  unit: string;
  /** The baseline's measurement in the same unit (null when the goal is absolute). */
  baseline: number | null;
  /** value / baseline (null without a baseline). */
  ratio: number | null;
  goal: string;
  pass: boolean;
  /** What was measured, briefly (sizes, rounds). */
  note?: string;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile, p in (0, 100]. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export function nowMs(): number {
  return performance.now();
}

export async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = nowMs();
  await fn();
  return nowMs() - t0;
}

export function timeSync(fn: () => unknown): number {
  const t0 = nowMs();
  fn();
  return nowMs() - t0;
}

export function ratioOf(value: number, baseline: number): number {
  return baseline > 0 ? value / baseline : NaN;
}

export function tempDir(prefix: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `runboard-bench-${prefix}-`)));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs `fn` with a fresh temp folder that is removed afterwards. */
export async function inTempDir<T>(prefix: string, fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = tempDir(prefix);
  try {
    return await fn(dir);
  } finally {
    removeDir(dir);
  }
}

/**
 * A store as a long-lived writer uses it, minus the snapshot timer: the caches are written in
 * the background and are not part of a commit, so a timer firing mid-measurement would only
 * add noise. Loading benchmarks never write caches on close (they must stay as prepared).
 */
export function benchStore(root: string, options: Partial<StoreOptions> = {}): RunService {
  return new RunService([root], { durability: 'none', snapshotDelayMs: null, snapshotLagEvents: Number.MAX_SAFE_INTEGER, ...options });
}

/** Lets pending timers and I/O callbacks run, so one measurement does not pay for the last. */
export function settle(ms = 20): Promise<void> {
  global.gc?.();
  return new Promise((r) => setTimeout(r, ms));
}

export function fmt(n: number | null, digits = 3): string {
  if (n === null || Number.isNaN(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  return n.toPrecision(digits);
}
