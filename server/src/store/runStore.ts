// The facade that the server, the CLI and the MCP server all call: one method per PROTOCOL.md
// method, params validated with the shared zod schemas, results in the protocol's shapes,
// domain errors with PROTOCOL.md's codes. Multi-root: each open root keeps its runs in
// <root>/.runboard/runs.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINTS_DIR, CREATING_FILE, EVENTS_FILE } from '../../../contract/layout';
import { CommandStamp, fingerprintParams } from '../engine/commandIndex';
import { DomainError } from '../engine/errors';
import { checkParamsLimits } from '../engine/jsonLimits';
import { assertRunId, IdSource } from '../engine/ids';
import { EventRecord, RunRecord, Task } from '../../../contract/schemas/records';
import { clamp, METHOD_PARAMS, ParamsOf, parseParams, StoreMethod } from '../../../contract/schemas/params';
import { patchRowFor } from '../engine/patches';
import { compareCheckpoints, computeDrift } from '../engine/replay';
import * as R from '../../../contract/results';
import {
  decideAppendEvent, decideCreateRun, decidePatchBlackboard, decideRebindWorkspace, decideValidateWorkspaceLease, LeaseCheck,
} from '../engine/runDecisions';
import { applyEvent, emptyRunState, RunState, stateFromRecords, toBlackboard, toRunRecord } from '../engine/state';
import { decideCreateTasks } from '../engine/taskCreation';
import { decideClaim, decideRequeue, decideTransition } from '../engine/taskLifecycle';
import { checkTextLimit } from '../engine/text';
import { CheckpointListing, listCheckpoints, readCheckpointFile, writeCheckpoint } from './checkpoints';
import { restoreOffer } from './logRepair';
import { normalizePath, runDir, runsDir } from './paths';
import { whyUnreadable } from './fileIdentity';
import { syncDirectory } from './platformFs';
import { readOnlyError } from './readOnly';
import { RunHandle, RunSite } from './runHandle';
import { HeldLock, OsRunLock } from './runLock';
import { readBlackboardSnapshot, readRunSnapshot } from './snapshots';
import { CommitNotice, ResetNotice, StoreListener, StoreOptions } from './types';
import { runIdProblem } from '../engine/ids';
import { LEASE, LIMITS } from '../../../contract/limits';
import { Diagnostic } from '../../../contract/diagnostic';

export const uuidIds: IdSource = { newId: (prefix) => `${prefix}-${randomUUID()}` };

export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  durability: 'fsync',
  clock: Date.now,
  ids: uuidIds,
  defaultLeaseMs: LEASE.defaultMs,
  snapshotDelayMs: 1000,
  snapshotLagEvents: 200,
  lockTimeoutMs: 30_000,
  maxLineBytes: 16 * 1024 * 1024,
  tornReportMs: 2000,
  readOnly: false,
};

type Locator = { root?: string; run_id: string };


/** At most this many runs keep descriptors open (two or three each); the rest reopen on use. */
const OPEN_RUNS = 128;

export class RunStore {
  private readonly roots = new Map<string, Map<string, RunHandle>>();
  private readonly listeners = new Set<StoreListener>();
  private readonly reportedCheckpoints = new Set<string>();
  /** Runs that may hold open descriptors, least recently used first (Map order). */
  private readonly withFiles = new Map<RunHandle, true>();
  private readonly creationLocks = new Map<string, OsRunLock>();
  readonly options: StoreOptions;

  constructor(roots: string[] = [], options: Partial<StoreOptions> = {}) {
    this.options = { ...DEFAULT_STORE_OPTIONS, ...options };
    for (const r of roots) this.addRoot(r);
  }

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

  private readonly emitCommit = (n: CommitNotice) => {
    for (const l of this.listeners) l.onCommit?.(n);
  };

  private readonly emitDiagnostic = (d: Diagnostic) => {
    for (const l of this.listeners) l.onDiagnostic?.(d);
  };

  private readonly emitReset = (n: ResetNotice) => {
    for (const l of this.listeners) l.onReset?.(n);
  };

  private dispose(h: RunHandle): void {
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
  private readonly touched = (h: RunHandle) => {
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

  private reportOnce(key: string, d: Diagnostic): void {
    if (this.reportedCheckpoints.has(key)) return;
    this.reportedCheckpoints.add(key);
    this.emitDiagnostic(d);
  }

  /** The loaded run, loading it when its log exists; undefined when there is no such run. */
  private handleIn(root: string, runId: string): RunHandle | undefined {
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

  private siteOf(root: string, runId: string, dir: string): RunSite {
    return {
      root, runId, dir, opts: this.options,
      emitCommit: this.emitCommit, emitDiagnostic: this.emitDiagnostic, emitReset: this.emitReset, touched: this.touched,
    };
  }

  private locate(p: Locator): RunHandle {
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
  private current(p: Locator): RunHandle {
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

  // ------------------------------------------------------------------ dispatch

  /** Validates raw params and runs the method: the one entry point for every transport. */
  async execute<M extends StoreMethod>(method: M, raw: unknown): Promise<R.StoreResults[M]> {
    if (this.options.readOnly && WRITING_METHODS.has(method)) throw readOnlyError();
    checkParamsLimits(raw);
    const params = parseParams(METHOD_PARAMS[method] as never, raw) as ParamsOf<M>;
    const stamp = stampFor(method, params as { command_id?: string }, raw);
    const handler = this.handlers[method] as (p: ParamsOf<M>, s: CommandStamp | undefined) => Promise<R.StoreResults[M]>;
    return handler(params, stamp);
  }

  private readonly handlers: { [M in StoreMethod]: (p: ParamsOf<M>, s: CommandStamp | undefined) => Promise<R.StoreResults[M]> } = {
    createRun: (p) => this.createRun(p),
    listRuns: async (p) => this.listRuns(p),
    getRun: async (p) => {
      const h = this.current(p);
      const damage = h.damageReport();
      return { run: toRunRecord(h.state), blackboard: toBlackboard(h.state), ...(damage.length > 0 ? { damage } : {}) };
    },
    appendEvent: (p, s) =>
      this.runCommand(p, 'appendEvent', s, (st, ctx) => decideAppendEvent(st, p, ctx), (a, st) => ({ event: a[0], run: toRunRecord(st) })),
    listEvents: async (p) => this.listEvents(p),
    patchBlackboard: (p, s) =>
      this.runCommand(p, 'patchBlackboard', s, (st, ctx) => decidePatchBlackboard(st, p, ctx), (a, st) => ({
        patch: patchRowFor(a[0])!,
        blackboard: toBlackboard(st),
      })),
    getBlackboard: async (p) => ({ blackboard: toBlackboard(this.current(p).state) }),
    listPatches: async (p) => this.listPatches(p),
    createTasks: (p, s) =>
      this.runCommand(p, 'createTasks', s, (st, ctx) => decideCreateTasks(st, p.tasks, ctx).events, (a) => ({ tasks: tasksOf(a) })),
    claimTask: (p, s) =>
      this.runCommand(p, 'claimTask', s, (st, ctx) => decideClaim(st, p, ctx, this.options.defaultLeaseMs), (a) => ({
        task: a.length > 0 ? tasksOf(a)[0] : null,
      })),
    transitionTask: (p, s) =>
      this.runCommand(p, 'transitionTask', s, (st, ctx) => decideTransition(st, p, ctx, this.options.defaultLeaseMs), (a) => ({
        task: tasksOf(a)[0],
      })),
    requeueTask: (p, s) =>
      this.runCommand(p, 'requeueTask', s, (st, ctx) => {
        checkTextLimit('reason', p.reason);
        return decideRequeue(st, p, ctx);
      }, (a) => ({ task: tasksOf(a)[0] })),
    createCheckpoint: (p) => this.createCheckpoint(p),
    listCheckpoints: async (p) => ({
      checkpoints: this.checkpointsOf(this.locate(p)).map(({ checkpoint_id, seq, ts_ms, reason, unreadable }) => ({
        checkpoint_id,
        seq,
        ts_ms,
        reason,
        ...(unreadable ? { unreadable } : {}),
      })),
    }),
    latestCheckpoint: async (p) => {
      const h = this.locate(p);
      const latest = this.checkpointsOf(h).filter((c) => !c.unreadable).pop();
      return { checkpoint: latest ? readCheckpointFile(latest.file) : null };
    },
    replay: async (p) => this.replay(p),
    repairRun: async (p) => {
      const h = this.current(p);
      const done = p.accept || p.restore ? await h.repair(p.restore === true) : { ...h.examineDamage(), event: null };
      return { damage: done.damage, restore: restoreOffer(done.restore), event: done.event };
    },
    validateWorkspaceLease: (p) => this.validateWorkspaceLease(p),
    rebindWorkspace: (p, s) => {
      const h = this.locate(p);
      const current = normalizePath(p.current_path, h.root);
      return this.runCommand(p, 'rebindWorkspace', s, (st, ctx) => decideRebindWorkspace(st, current, ctx), (_a, st) => ({
        run: toRunRecord(st),
      }));
    },
  };

  /** A mutating command on a run, with command-id dedupe rebuilt from the log. */
  private async runCommand<M extends StoreMethod, T>(
    p: Locator,
    method: M,
    stamp: CommandStamp | undefined,
    decide: Parameters<RunHandle['command']>[1],
    result: (applied: EventRecord[], state: RunState) => T,
  ): Promise<T | (T & { deduped: true })> {
    const h = this.locate(p);
    const outcome = await h.command(stamp, decide, result);
    if ('result' in outcome) return outcome.result;
    // A repeat: the original events are in the log; the run/blackboard as they were then come from a replay.
    const { first_seq, last_seq } = outcome.repeat;
    const events = h.readEvents(first_seq, last_seq);
    const then = this.stateAt(h, last_seq);
    return { ...result(events, then), deduped: true as const };
  }

  // ------------------------------------------------------------------ runs

  private async createRun(p: ParamsOf<'createRun'>): Promise<R.CreateRunResult> {
    const root = this.targetRootForCreate(p.root);
    const runId = p.run_id ?? this.options.ids.newId('run');
    assertRunId(runId);
    const bound = p.workspace?.canonical_path?.trim() ? normalizePath(p.workspace.canonical_path, root) : undefined;
    // Decide first: a rejected call creates nothing, not even the folder.
    const events = decideCreateRun(runId, p, bound, { now: this.options.clock(), ids: this.options.ids });
    const runs = this.roots.get(root)!;
    // Refused here when it can be (a rejected call writes nothing, not even the lock's file); then
    // checked again under the root's creation lock, which makes the case-only clash check and the
    // folder's creation one step across processes.
    this.assertNewRunId(root, runId, runs);
    const creating = await this.creationLock(root);
    try {
      this.assertNewRunId(root, runId, runs);
      return await this.createRunFolder(root, runId, runs, events);
    } finally {
      creating.release();
    }
  }

  private assertNewRunId(root: string, runId: string, runs: Map<string, RunHandle>): void {
    if (runs.has(runId) || this.handleIn(root, runId)) {
      throw new DomainError('RUN_EXISTS', `Run ${runId} already exists in ${root}.`, { run_id: runId });
    }
    const clash = this.runIdsIn(root).find((id) => id !== runId && id.toLowerCase() === runId.toLowerCase());
    if (clash) throw new DomainError('RUN_EXISTS', `Run ${clash} exists and differs from ${runId} only in case.`, { run_id: runId });
  }

  /** The root's creation lock: held while a new run's id is checked and its folder and first event made. */
  private async creationLock(root: string): Promise<HeldLock> {
    let lock = this.creationLocks.get(root);
    if (!lock) {
      const dir = runsDir(root);
      try {
        fs.mkdirSync(dir, { recursive: true });
      } catch (e) {
        throw new DomainError('STORAGE_ERROR', `Cannot create ${dir}: ${(e as Error).message}`);
      }
      lock = new OsRunLock(path.join(dir, CREATING_FILE), path.join(dir, `${CREATING_FILE}.waiting`), this.options.lockTimeoutMs);
      this.creationLocks.set(root, lock);
    }
    try {
      return await lock.acquire({ create: true });
    } catch (e) {
      if (e instanceof DomainError) throw e;
      throw new DomainError('STORAGE_ERROR', `Cannot lock ${runsDir(root)} to create a run: ${(e as Error).message}`);
    }
  }

  private async createRunFolder(root: string, runId: string, runs: Map<string, RunHandle>, events: EventRecord[]): Promise<R.CreateRunResult> {
    const dir = runDir(root, runId);
    try {
      fs.mkdirSync(dir, { recursive: true });
      if (fs.lstatSync(dir).isSymbolicLink()) throw new Error('the run folder is a symbolic link');
    } catch (e) {
      throw new DomainError('STORAGE_ERROR', `Cannot create ${dir}: ${(e as Error).message}`);
    }
    const h = RunHandle.forNewRun(this.siteOf(root, runId, dir));
    try {
      await h.create(events);
      // A new run survives power loss only with its folder entries: the log's, the run's, runs/'s.
      if (this.options.durability === 'fsync') for (const d of [dir, runsDir(root), path.dirname(runsDir(root))]) syncDirectory(d);
    } catch (e) {
      this.dispose(h);
      // Nothing was committed (no lock, a full disk…): leave no empty run folder behind, which
      // would list as a run that cannot be read.
      if (!hasEvents(dir)) fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    runs.set(runId, h);
    return { run: toRunRecord(h.state) };
  }

  private targetRootForCreate(root: string | undefined): string {
    if (root !== undefined) return this.resolveRoot(root);
    if (this.roots.size === 1) return [...this.roots.keys()][0];
    throw new DomainError(
      'ROOT_REQUIRED',
      this.roots.size === 0 ? 'No root is open.' : `${this.roots.size} roots are open; say which one with root.`,
    );
  }

  private listRuns(p: ParamsOf<'listRuns'>): R.ListRunsResult {
    const roots = p.root !== undefined ? [this.resolveRoot(p.root)] : this.rootPaths();
    const limit = clamp(p.limit, 1, 1000, 100);
    const runType = p.run_type?.trim().toLowerCase();
    const source = p.source?.trim().toLowerCase();
    const out: RunRecord[] = [];
    const unreadable: R.UnreadableRun[] = [];
    for (const root of roots) {
      const workspace = p.workspace?.trim() ? normalizePath(p.workspace, root) : undefined;
      for (const id of this.runIdsIn(root)) {
        let h: RunHandle | undefined;
        try {
          h = this.handleIn(root, id);
        } catch (e) {
          // One run that cannot be read does not hide the others.
          if (!(e instanceof DomainError) || e.code !== 'STORAGE_ERROR') throw e;
          unreadable.push({ root, run_id: id, message: e.message });
          continue;
        }
        if (!h) continue;
        h.catchUp();
        const run = h.state.header;
        if (workspace !== undefined && run.workspace.canonical_path.trim() !== workspace) continue;
        if (runType && run.run_type.trim().toLowerCase() !== runType) continue;
        if (source && run.source_client?.trim().toLowerCase() !== source) continue;
        if (p.status !== undefined && run.status !== p.status) continue;
        out.push(toRunRecord(h.state));
      }
    }
    out.sort((a, b) => b.updated_at_ms - a.updated_at_ms || (a.run_id < b.run_id ? 1 : -1));
    return { runs: out.slice(0, limit), ...(unreadable.length > 0 ? { unreadable } : {}) };
  }

  private listEvents(p: ParamsOf<'listEvents'>): R.ListEventsResult {
    const h = this.current(p);
    const last = h.lastSeq;
    let from = (p.since_seq ?? 0) + 1;
    if (p.tail !== undefined) from = Math.max(from, last - clamp(p.tail, 0, LIMITS.eventsPerRead, 0) + 1);
    const limit = clamp(p.limit, 1, LIMITS.eventsPerRead, LIMITS.eventsPerRead);
    const to = Math.min(last, from + limit - 1);
    const events = h.readEvents(from, to);
    return to < last && events.length > 0 ? { events, next_since_seq: to } : { events };
  }

  private listPatches(p: ParamsOf<'listPatches'>): R.ListPatchesResult {
    const h = this.current(p);
    const tail = p.tail === undefined ? Infinity : clamp(p.tail, 0, LIMITS.eventsPerRead, 0);
    const rows: R.ListPatchesResult['patches'] = [];
    if (tail === 0) return { patches: rows };
    h.readEvents((p.since_seq ?? 0) + 1, h.lastSeq, (e) => {
      const row = patchRowFor(e);
      if (!row) return;
      rows.push(row);
      if (rows.length > tail) rows.shift();
    });
    return { patches: rows };
  }

  // ------------------------------------------------------------------ checkpoints and replay

  private checkpointsOf(h: RunHandle): CheckpointListing[] {
    const list = listCheckpoints(h.dir);
    for (const c of list) {
      if (c.unreadable) this.reportOnce(`cp:${c.file}`, { run_id: h.runId, file: c.file, message: `Unreadable checkpoint: ${c.problem}` });
    }
    return list;
  }

  private async createCheckpoint(p: ParamsOf<'createCheckpoint'>): Promise<R.CreateCheckpointResult> {
    checkTextLimit('reason', p.reason);
    const h = this.locate(p);
    const outcome = await h.command(undefined, () => [], (_a, st, ctx) => ({
      checkpoint_id: ctx.ids.newId('cp'),
      run_id: st.header.run_id,
      seq: st.header.last_event_seq,
      ts_ms: ctx.now,
      reason: p.reason,
      run: toRunRecord(st),
      blackboard: toBlackboard(st),
    }));
    const checkpoint = (outcome as { result: R.CreateCheckpointResult['checkpoint'] }).result;
    try {
      writeCheckpoint(h.dir, checkpoint, this.options.durability === 'fsync');
    } catch (e) {
      const message = `Cannot write the checkpoint: ${(e as Error).message}`;
      this.emitDiagnostic({ run_id: h.runId, file: path.join(h.dir, CHECKPOINTS_DIR), message });
      throw new DomainError('STORAGE_ERROR', message);
    }
    return { checkpoint };
  }

  /** Folds events (after, upto] of the log into `state`. */
  private foldInto(h: RunHandle, state: RunState, after: number, upto: number): number {
    let n = 0;
    h.readEvents(after + 1, upto, (e) => {
      applyEvent(state, e);
      n++;
    });
    return n;
  }

  /** The base for a replay up to `upto`: a named checkpoint, the latest readable one at or below it, or nothing. */
  private replayBase(h: RunHandle, upto: number, fromCheckpoint: boolean, checkpointId?: string) {
    if (checkpointId !== undefined) {
      const c = this.checkpointsOf(h).find((x) => x.checkpoint_id === checkpointId);
      if (!c) throw new DomainError('CHECKPOINT_NOT_FOUND', `Run ${h.runId} has no checkpoint ${checkpointId}.`, { checkpoint_id: checkpointId });
      if (c.unreadable) {
        throw new DomainError('CHECKPOINT_UNREADABLE', `Checkpoint ${checkpointId} cannot be read: ${c.problem}`, { checkpoint_id: checkpointId });
      }
      if (upto < c.seq) {
        throw new DomainError('REPLAY_RANGE_INVALID', `upto_seq ${upto} is before checkpoint ${checkpointId} (seq ${c.seq}).`, {
          checkpoint_seq: c.seq,
          last_seq: h.lastSeq,
        });
      }
      return readCheckpointFile(c.file);
    }
    if (!fromCheckpoint) return undefined;
    const usable = this.checkpointsOf(h).filter((c) => !c.unreadable && c.seq <= upto).sort(compareCheckpoints);
    for (let i = usable.length - 1; i >= 0; i--) {
      try {
        return readCheckpointFile(usable[i].file);
      } catch (e) {
        this.reportOnce(`cp:${usable[i].file}`, { run_id: h.runId, file: usable[i].file, message: `Unreadable checkpoint: ${(e as Error).message}` });
      }
    }
    return undefined;
  }

  /** The run and blackboard right after `seq` (for repeated commands' original results). */
  private stateAt(h: RunHandle, seq: number): RunState {
    if (seq === h.lastSeq) return h.state;
    const base = this.replayBase(h, seq, true);
    const state = base ? stateFromRecords(base.run, base.blackboard) : emptyRunState(h.runId);
    this.foldInto(h, state, base?.seq ?? 0, seq);
    return state;
  }

  /** What a fresh load yields: the caches as they are on disk, caught up from the log. */
  private persistedState(h: RunHandle): RunState {
    const run = readRunSnapshot(h.dir);
    const bb = readBlackboardSnapshot(h.dir);
    const empty = emptyRunState(h.runId);
    const state = stateFromRecords(
      'value' in run && run.value.run_id === h.runId ? run.value : toRunRecord(empty),
      'value' in bb ? bb.value : empty.blackboard,
    );
    const from = Math.min(state.header.last_event_seq, state.blackboard.last_event_seq);
    state.commandsSeq = h.lastSeq; // the command index is not compared
    this.foldInto(h, state, from, h.lastSeq);
    return state;
  }

  private async replay(p: ParamsOf<'replay'>): Promise<R.ReplayResult> {
    const h = this.current(p);
    const last = h.lastSeq;
    const upto = p.upto_seq ?? last;
    if (upto < 1 || upto > last) {
      throw new DomainError('REPLAY_RANGE_INVALID', `upto_seq must be within 1..${last}.`, { last_seq: last });
    }
    const base = this.replayBase(h, upto, p.from_checkpoint ?? true, p.checkpoint_id);
    const state = base ? stateFromRecords(base.run, base.blackboard) : emptyRunState(h.runId);
    state.commandsSeq = last;
    const applied = this.foldInto(h, state, base?.seq ?? 0, upto);
    const persisted = this.persistedState(h);
    const replay = toRunRecord(state);
    const replayBlackboard = toBlackboard(state);
    const persistedRun = toRunRecord(persisted);
    const persistedBlackboard = toBlackboard(persisted);
    return {
      run_id: h.runId,
      from_checkpoint: base !== undefined,
      checkpoint_seq: base ? base.seq : null,
      events_applied: applied,
      replay,
      replay_blackboard: replayBlackboard,
      persisted: persistedRun,
      persisted_blackboard: persistedBlackboard,
      drift: computeDrift(replay, replayBlackboard, persistedRun, persistedBlackboard),
    };
  }

  // ------------------------------------------------------------------ workspace leases

  private async validateWorkspaceLease(p: ParamsOf<'validateWorkspaceLease'>): Promise<R.ValidateWorkspaceLeaseResult> {
    const h = this.locate(p);
    const current = normalizePath(p.current_path, h.root);
    let check: LeaseCheck | undefined;
    const outcome = await h.command(
      undefined,
      (st, ctx) => {
        check = decideValidateWorkspaceLease(st, p, current, ctx);
        return check.events;
      },
      (_a, st) => ({
        ok: check!.ok,
        mismatch: check!.mismatch,
        status: st.header.status,
        expected_path: check!.expected_path,
        actual_path: current,
      }),
    );
    return (outcome as { result: R.ValidateWorkspaceLeaseResult }).result;
  }

  // ------------------------------------------------------------------ timer, flush, close

  /** The earliest lease expiry among loaded runs. */
  nextLeaseExpiry(): number | undefined {
    let next: number | undefined;
    for (const h of this.loadedRuns()) {
      const t = h.state.index.nextLeaseExpiry();
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  /** Requeues (or fails) expired leases of every loaded run, each under its lock. */
  async expireLeases(now: number = this.options.clock()): Promise<void> {
    for (const h of this.loadedRuns()) {
      const t = h.state.index.nextLeaseExpiry();
      if (t !== undefined && t <= now) await h.expireLeases();
    }
  }

  /** Writes every loaded run's caches that are behind. */
  flush(): void {
    for (const h of this.loadedRuns()) h.writeSnapshotsNow();
  }

  close(): void {
    for (const runs of this.roots.values()) {
      for (const h of runs.values()) this.dispose(h);
      runs.clear();
    }
    for (const lock of this.creationLocks.values()) lock.close();
    this.creationLocks.clear();
  }
}

function notFound(runId: string): DomainError {
  return new DomainError('RUN_NOT_FOUND', `No run ${runId}.`, { run_id: runId });
}

function tasksOf(events: EventRecord[]): Task[] {
  return events.map((e) => (e.payload as { task: Task }).task);
}

const NO_COMMAND_ID: ReadonlySet<StoreMethod> = new Set(['createRun', 'createCheckpoint', 'validateWorkspaceLease']);

function stampFor(method: StoreMethod, params: { command_id?: string }, raw: unknown): CommandStamp | undefined {
  if (params.command_id === undefined || NO_COMMAND_ID.has(method)) return undefined;
  return { command_id: params.command_id, command_method: method, command_fingerprint: fingerprintParams(raw) };
}

/** True when the run folder's log exists and holds anything. */
function hasEvents(dir: string): boolean {
  try {
    return fs.statSync(path.join(dir, EVENTS_FILE)).size > 0;
  } catch {
    return false;
  }
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

/** The methods that write (to the log, or a checkpoint file): a read-only store refuses them all. */
const WRITING_METHODS = new Set<StoreMethod>([
  'createRun', 'appendEvent', 'patchBlackboard', 'createTasks', 'claimTask', 'transitionTask', 'requeueTask',
  'createCheckpoint', 'validateWorkspaceLease', 'rebindWorkspace',
]);
