// RunStore: the method service every transport calls (the server, the CLI, the MCP server):
// params checked with the method's schema, then each PROTOCOL.md method on the run's handle —
// commands through the engine's decide functions under the run's lock, reads from the caught-up
// state. Which runs exist is the registry's; new runs, checkpoints and replay have their own modules.
import { randomUUID } from 'node:crypto';
import { LEASE, LIMITS } from '../../../contract/limits';
import type * as R from '../../../contract/results';
import { clamp, METHOD_PARAMS, ParamsOf, parseParams, StoreMethod } from '../../../contract/schemas/params';
import type { EventRecord, RunRecord, Task } from '../../../contract/schemas/records';
import { CommandStamp, fingerprintParams } from '../engine/commandIndex';
import { DomainError } from '../engine/errors';
import { IdSource } from '../engine/ids';
import { checkParamsLimits } from '../engine/jsonLimits';
import { patchRowFor } from '../engine/patches';
import { decideAppendEvent, decidePatchBlackboard, decideRebindWorkspace, decideValidateWorkspaceLease, LeaseCheck } from '../engine/runDecisions';
import { RunState, toBlackboard, toRunRecord } from '../engine/state';
import { decideCreateTasks } from '../engine/taskCreation';
import { decideRequeue, decideTransition } from '../engine/taskLifecycle';
import { checkTextLimit } from '../engine/text';
import { readCheckpointFile } from './checkpoints';
import { restoreOffer } from './logRepair';
import { normalizePath } from './paths';
import { readOnlyError } from './readOnly';
import { RunCreation } from './runCreation';
import { RunHandle } from './runHandle';
import { RunHistory } from './runHistory';
import { Locator, RunRegistry } from './runRegistry';
import { StoreListener, StoreOptions } from './types';
import { decideClaim } from '../engine/taskClaim';

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

export class RunStore {
  readonly options: StoreOptions;
  private readonly registry: RunRegistry;
  private readonly creation: RunCreation;
  private readonly history: RunHistory;

  constructor(roots: string[] = [], options: Partial<StoreOptions> = {}) {
    this.options = { ...DEFAULT_STORE_OPTIONS, ...options };
    this.registry = new RunRegistry(this.options);
    this.creation = new RunCreation(this.registry, this.options);
    this.history = new RunHistory(this.registry, this.options);
    for (const r of roots) this.addRoot(r);
  }

  // ------------------------------------------------------------------ roots, runs, listeners (the registry's)

  /** Opens a root (a path or file:// URI); returns its normalized path. */
  addRoot(root: string): string {
    return this.registry.addRoot(root);
  }

  removeRoot(root: string): void {
    this.registry.removeRoot(root);
  }

  rootPaths(): string[] {
    return this.registry.rootPaths();
  }

  /** The open root named by a path or URI; ROOT_UNKNOWN when it is not open. */
  resolveRoot(root: string): string {
    return this.registry.resolveRoot(root);
  }

  /** Run ids in a root's runs folder. */
  runIdsIn(root: string): string[] {
    return this.registry.runIdsIn(root);
  }

  on(listener: StoreListener): () => void {
    return this.registry.on(listener);
  }

  /** A run of an open root, loaded on first use; undefined when there is no such run. */
  runHandle(root: string, runId: string): RunHandle | undefined {
    return this.registry.runHandle(root, runId);
  }

  /** Loaded runs, for the server's watcher and lease timer. */
  loadedRuns(): RunHandle[] {
    return this.registry.loadedRuns();
  }

  /** The watcher saw a change under a root's run folder: fold it (loading the run if new). */
  catchUp(root: string, runId: string): void {
    this.registry.catchUp(root, runId);
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
    createRun: (p) => this.creation.create(p),
    listRuns: async (p) => this.listRuns(p),
    getRun: async (p) => {
      const h = this.registry.current(p);
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
    getBlackboard: async (p) => ({ blackboard: toBlackboard(this.registry.current(p).state) }),
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
    createCheckpoint: (p) => this.history.createCheckpoint(p),
    listCheckpoints: async (p) => ({
      checkpoints: this.history.checkpointsOf(this.registry.locate(p)).map(({ checkpoint_id, seq, ts_ms, reason, unreadable }) => ({
        checkpoint_id,
        seq,
        ts_ms,
        reason,
        ...(unreadable ? { unreadable } : {}),
      })),
    }),
    latestCheckpoint: async (p) => {
      const h = this.registry.locate(p);
      const latest = this.history.checkpointsOf(h).filter((c) => !c.unreadable).pop();
      return { checkpoint: latest ? readCheckpointFile(latest.file) : null };
    },
    replay: (p) => this.history.replay(p),
    repairRun: async (p) => {
      const h = this.registry.current(p);
      const done = p.accept || p.restore ? await h.repair(p.restore === true) : { ...h.examineDamage(), event: null };
      return { damage: done.damage, restore: restoreOffer(done.restore), event: done.event };
    },
    validateWorkspaceLease: (p) => this.validateWorkspaceLease(p),
    rebindWorkspace: (p, s) => {
      const h = this.registry.locate(p);
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
    const h = this.registry.locate(p);
    const outcome = await h.command(stamp, decide, result);
    if ('result' in outcome) return outcome.result;
    // A repeat: the original events are in the log; the run/blackboard as they were then come from a replay.
    const { first_seq, last_seq } = outcome.repeat;
    const events = h.pages.readEvents(first_seq, last_seq);
    const then = this.history.stateAt(h, last_seq);
    return { ...result(events, then), deduped: true as const };
  }

  private listRuns(p: ParamsOf<'listRuns'>): R.ListRunsResult {
    const roots = p.root !== undefined ? [this.registry.resolveRoot(p.root)] : this.rootPaths();
    const limit = clamp(p.limit, 1, 1000, 100);
    const runType = p.run_type?.trim().toLowerCase();
    const source = p.source?.trim().toLowerCase();
    const out: RunRecord[] = [];
    const unreadable: R.UnreadableRun[] = [];
    for (const root of roots) {
      const workspace = p.workspace?.trim() ? normalizePath(p.workspace, root) : undefined;
      for (const id of this.registry.runIdsIn(root)) {
        let h: RunHandle | undefined;
        try {
          h = this.registry.handleIn(root, id);
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
    const h = this.registry.current(p);
    const last = h.lastSeq;
    let from = (p.since_seq ?? 0) + 1;
    if (p.tail !== undefined) from = Math.max(from, last - clamp(p.tail, 0, LIMITS.eventsPerRead, 0) + 1);
    const limit = clamp(p.limit, 1, LIMITS.eventsPerRead, LIMITS.eventsPerRead);
    const to = Math.min(last, from + limit - 1);
    const events = h.pages.readEvents(from, to);
    return to < last && events.length > 0 ? { events, next_since_seq: to } : { events };
  }

  private listPatches(p: ParamsOf<'listPatches'>): R.ListPatchesResult {
    const h = this.registry.current(p);
    const tail = p.tail === undefined ? Infinity : clamp(p.tail, 0, LIMITS.eventsPerRead, 0);
    const rows: R.ListPatchesResult['patches'] = [];
    if (tail === 0) return { patches: rows };
    h.pages.readEvents((p.since_seq ?? 0) + 1, h.lastSeq, (e) => {
      const row = patchRowFor(e);
      if (!row) return;
      rows.push(row);
      if (rows.length > tail) rows.shift();
    });
    return { patches: rows };
  }

  // ------------------------------------------------------------------ workspace leases

  private async validateWorkspaceLease(p: ParamsOf<'validateWorkspaceLease'>): Promise<R.ValidateWorkspaceLeaseResult> {
    const h = this.registry.locate(p);
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
    this.registry.closeAll();
    this.creation.close();
  }
}

function tasksOf(events: EventRecord[]): Task[] {
  return events.map((e) => (e.payload as { task: Task }).task);
}

const NO_COMMAND_ID: ReadonlySet<StoreMethod> = new Set(['createRun', 'createCheckpoint', 'validateWorkspaceLease']);

function stampFor(method: StoreMethod, params: { command_id?: string }, raw: unknown): CommandStamp | undefined {
  if (params.command_id === undefined || NO_COMMAND_ID.has(method)) return undefined;
  return { command_id: params.command_id, command_method: method, command_fingerprint: fingerprintParams(raw) };
}

/** The methods that write (to the log, or a checkpoint file): a read-only store refuses them all. */
const WRITING_METHODS = new Set<StoreMethod>([
  'createRun', 'appendEvent', 'patchBlackboard', 'createTasks', 'claimTask', 'transitionTask', 'requeueTask',
  'createCheckpoint', 'validateWorkspaceLease', 'rebindWorkspace',
]);
