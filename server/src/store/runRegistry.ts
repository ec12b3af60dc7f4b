// Which runs there are and which are loaded: the open roots, each run's handle (loaded on first
// use, let go when its log is gone), the listeners of every run's commits, diagnostics and
// resets, and the bound on open descriptors (the least recently used runs close theirs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../../../contract/diagnostic';
import { EVENTS_FILE } from '../../../contract/layout';
import { DomainError } from '../engine/errors';
import { assertRunId, runIdProblem } from '../engine/ids';
import { whyUnreadable } from './fileIdentity';
import { normalizePath, runDir, runsDir } from './paths';
import { RunHandle } from './runHandle';
import type { RunReader } from './runReader';
import { CommitNotice, ResetNotice, RunSite, StoreListener, StoreOptions } from './types';

export type Locator = { root?: string; run_id: string };

/** At most this many runs keep descriptors open (two or three each); the rest reopen on use. */
const OPEN_RUNS = 128;

export class RunRegistry {
  private readonly roots = new Map<string, Map<string, RunHandle>>();
  private readonly listeners = new Set<StoreListener>();
  /** Diagnostics about files that are said once (unreadable runs and checkpoints, symlinked folders). */
  private readonly reported = new Set<string>();
  /** Runs that may hold open descriptors, least recently used first (Map order). */
  private readonly withFiles = new Map<RunReader, true>();

  constructor(private readonly options: StoreOptions) {}

  // ------------------------------------------------------------------ roots and listeners

  /** Opens a root (a path or file:// URI); returns its normalized path. */
  addRoot(root: string): string {
    const p = normalizePath(root, process.cwd());
    if (!this.roots.has(p)) this.roots.set(p, new Map());
    return p;
  }

  removeRoot(root: string): void {
    const p = normalizePath(root, process.cwd());
    const runs = this.roots.get(p);
    if (!runs) return;
    for (const h of runs.values()) this.dispose(h);
    this.roots.delete(p);
  }

  rootPaths(): string[] {
    return [...this.roots.keys()];
  }

  on(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  readonly emitCommit = (n: CommitNotice) => {
    for (const l of this.listeners) l.onCommit?.(n);
  };

  readonly emitDiagnostic = (d: Diagnostic) => {
    for (const l of this.listeners) l.onDiagnostic?.(d);
  };

  readonly emitReset = (n: ResetNotice) => {
    for (const l of this.listeners) l.onReset?.(n);
  };

  dispose(h: RunHandle): void {
    this.withFiles.delete(h);
    h.close();
  }

  private dropRun(runs: Map<string, RunHandle>, runId: string): void {
    const h = runs.get(runId);
    if (h) this.dispose(h);
    runs.delete(runId);
  }

  /**
   * A run is about to use its files: it becomes the most recent, and the least recent runs beyond
   * OPEN_RUNS close their descriptors (reopened on their next use), so thousands of runs work
   * under a limit of 1,024 open files.
   */
  private readonly touched = (h: RunReader) => {
    this.withFiles.delete(h);
    this.withFiles.set(h, true);
    if (this.withFiles.size <= OPEN_RUNS) return;
    for (const old of this.withFiles.keys()) {
      if (this.withFiles.size <= OPEN_RUNS) break;
      this.withFiles.delete(old);
      old.releaseFiles();
    }
  };

  /** The open root named by a path or URI; ROOT_UNKNOWN when it is not open. */
  resolveRoot(root: string): string {
    const p = normalizePath(root, process.cwd());
    if (!this.roots.has(p)) {
      throw new DomainError('ROOT_UNKNOWN', `${root} is not an open root (open: ${this.rootPaths().join(', ') || 'none'}).`, { root });
    }
    return p;
  }

  // ------------------------------------------------------------------ finding runs

  /** Run ids in a root's runs folder: valid names of real (non-symlink) folders holding a log. */
  runIdsIn(root: string): string[] {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(runsDir(root), { withFileTypes: true });
    } catch {
      return [];
    }
    const ids: string[] = [];
    for (const d of entries) {
      if (runIdProblem(d.name)) continue;
      if (d.isSymbolicLink()) {
        this.reportOnce(`symlink:${root}:${d.name}`, {
          file: path.join(runsDir(root), d.name),
          message: 'Run folders must not be symbolic links; this one is ignored.',
        });
        continue;
      }
      if (d.isDirectory() && logMayExist(path.join(runsDir(root), d.name, EVENTS_FILE))) ids.push(d.name);
    }
    return ids;
  }

  reportOnce(key: string, d: Diagnostic): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.emitDiagnostic(d);
  }

  /** The loaded run, loading it when its log exists; undefined when there is no such run. */
  handleIn(root: string, runId: string): RunHandle | undefined {
    const runs = this.roots.get(root);
    if (!runs) return undefined;
    const cached = runs.get(runId);
    if (cached && !cached.gone) return cached;
    // Its log was deleted: look at the disk again (the run may have been created anew).
    if (cached) this.dropRun(runs, runId);
    const dir = runDir(root, runId);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch {
      return undefined;
    }
    if (!st.isDirectory() || !logMayExist(path.join(dir, EVENTS_FILE))) return undefined;
    let h: RunHandle;
    try {
      h = RunHandle.open(this.siteOf(root, runId, dir));
    } catch (e) {
      if (e instanceof DomainError) throw e;
      throw this.unreadable(root, runId, dir, e as NodeJS.ErrnoException);
    }
    if (!h.exists) {
      this.dispose(h);
      return undefined;
    }
    runs.set(runId, h);
    return h;
  }

  /** STORAGE_ERROR for a run whose files cannot be read, reported once as a diagnostic too. */
  private unreadable(root: string, runId: string, dir: string, e: NodeJS.ErrnoException): DomainError {
    const file = path.join(dir, EVENTS_FILE);
    const message = `Cannot read run ${runId}: ${whyUnreadable(file, e)}.`;
    this.reportOnce(`unreadable:${root}:${runId}:${e.code}`, { run_id: runId, file, message });
    return new DomainError('STORAGE_ERROR', message, { run_id: runId });
  }

  siteOf(root: string, runId: string, dir: string): RunSite {
    return {
      root,
      runId,
      dir,
      opts: this.options,
      emitCommit: this.emitCommit,
      emitDiagnostic: this.emitDiagnostic,
      emitReset: this.emitReset,
      touched: this.touched,
    };
  }

  locate(p: Locator): RunHandle {
    assertRunId(p.run_id);
    if (p.root !== undefined) {
      const root = this.resolveRoot(p.root);
      const h = this.handleIn(root, p.run_id);
      if (!h) throw notFound(p.run_id);
      return h;
    }
    const found: RunHandle[] = [];
    for (const root of this.roots.keys()) {
      const h = this.handleIn(root, p.run_id);
      if (h) found.push(h);
    }
    if (found.length === 0) throw notFound(p.run_id);
    if (found.length > 1) {
      throw new DomainError('ROOT_REQUIRED', `Run ${p.run_id} exists in ${found.length} roots; say which with root.`, {
        run_id: p.run_id,
        roots: found.map((h) => h.root),
      });
    }
    return found[0];
  }

  /** The run, caught up with what other processes appended (reads never lock or write). */
  current(p: Locator): RunHandle {
    const h = this.locate(p);
    h.catchUp();
    if (!h.gone) return h;
    // Its log was deleted since it was loaded: RUN_NOT_FOUND, or the run created anew.
    const again = this.locate(p);
    again.catchUp();
    return again;
  }

  /** A run of an open root, loaded on first use; undefined when there is no such run. */
  runHandle(root: string, runId: string): RunHandle | undefined {
    if (runIdProblem(runId)) return undefined;
    return this.handleIn(root, runId);
  }

  /** Loaded runs, for the server's watcher and lease timer (runs found gone are let go). */
  loadedRuns(): RunHandle[] {
    const out: RunHandle[] = [];
    for (const runs of this.roots.values()) {
      for (const [id, h] of runs) {
        if (h.gone) this.dropRun(runs, id);
        else out.push(h);
      }
    }
    return out;
  }

  /** The watcher saw a change under a root's run folder: fold it (loading the run if new). */
  catchUp(root: string, runId: string): void {
    const runs = this.roots.get(root);
    if (!runs || runIdProblem(runId)) return;
    const loaded = runs.get(runId);
    if (loaded && !loaded.gone) {
      loaded.catchUp();
      if (!loaded.gone) return;
    }
    const h = this.handleIn(root, runId);
    if (h) this.emitCommit({ root, run_id: runId, events: [], last_seq: h.lastSeq });
  }

  /** The root a new run goes to: the one named, else the only open one. */
  rootForNewRun(root: string | undefined): string {
    if (root !== undefined) return this.resolveRoot(root);
    if (this.roots.size === 1) return [...this.roots.keys()][0];
    throw new DomainError(
      'ROOT_REQUIRED',
      this.roots.size === 0 ? 'No root is open.' : `${this.roots.size} roots are open; say which one with root.`,
    );
  }

  /** Whether a run of this id is loaded in the root (a new run's id must not be). */
  isLoaded(root: string, runId: string): boolean {
    return this.roots.get(root)?.has(runId) ?? false;
  }

  /** A run just created by this process: loaded from now on. */
  adopt(h: RunHandle): void {
    this.roots.get(h.root)?.set(h.runId, h);
  }

  closeAll(): void {
    for (const runs of this.roots.values()) {
      for (const h of runs.values()) this.dispose(h);
      runs.clear();
    }
  }
}

function notFound(runId: string): DomainError {
  return new DomainError('RUN_NOT_FOUND', `No run ${runId}.`, { run_id: runId });
}

/** Whether a run folder may hold a log: it does, or it cannot be looked into (then it is listed as unreadable). */
function logMayExist(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR';
  }
}
