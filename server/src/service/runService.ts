// RunService: the method service every transport calls (the server, the CLI, the MCP server):
// params checked with the method's schema, then each PROTOCOL.md method on the run's handle —
// commands through the engine's decide functions under the run's lock, reads from the caught-up
// state. Which runs exist is the registry's; new runs, checkpoints and replay have their own modules.
import { randomUUID } from 'node:crypto';
import { LEASE } from '../../../contract/limits';
import type * as R from '../../../contract/results';
import { METHOD_PARAMS, ParamsOf, parseParams, StoreMethod } from '../../../contract/schemas/params';
import type { EventRecord, Task } from '../../../contract/schemas/records';
import { CommandStamp, fingerprintParams } from '../engine/commandIndex';
import { IdSource } from '../engine/ids';
import { checkParamsLimits } from '../engine/jsonLimits';
import { patchRowFor } from '../engine/patches';
import {
  decideAppendEvent,
  decideFinishRun,
  decidePatchBlackboard,
  decideRebindWorkspace,
  decideValidateWorkspaceLease,
  LeaseCheck,
} from '../engine/runDecisions';
import { RunState, toBlackboard, toRunRecord } from '../engine/state';
import { decideCreateTasks } from '../engine/taskCreation';
import { decideRequeue, decideTransition } from '../engine/taskLifecycle';
import { checkTextLimit } from '../engine/text';
import type { RunLog } from '../store/boardStore';
import { BoardOpener, boardOpener } from '../store/boards';
import { readOnlyError } from '../store/readOnly';
import { createRun } from './runCreation';
import { RunHistory } from './runHistory';
import { RunReads } from './runReads';
import { archivedInfo, RunArchives } from './runArchives';
import { Locator, RunRegistry } from './runRegistry';
import { StoreListener, StoreOptions } from '../store/types';
import { decideClaim, whyNothingToClaim } from '../engine/taskClaim';
import { decideEditTask } from '../engine/taskEdit';
import { decideCancelTask } from '../engine/taskCancel';
import { decideSetWorktree } from '../engine/taskWorktree';
import { EVENT } from '../../../contract/events';
import { spelledAsBound } from './localPaths';

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
  tornSettleMs: 1000,
  readOnly: false,
  syncOffLoop: false,
};

export class RunService {
  readonly options: StoreOptions;
  private readonly registry: RunRegistry;
  private readonly history: RunHistory;
  private readonly reads: RunReads;
  private readonly archives: RunArchives;

  constructor(roots: string[] = [], options: Partial<StoreOptions> = {}, openBoard: BoardOpener = boardOpener()) {
    this.options = { ...DEFAULT_STORE_OPTIONS, ...options };
    this.registry = new RunRegistry(this.options, openBoard);
    this.history = new RunHistory(this.registry, this.options.clock);
    this.archives = new RunArchives(this.registry, this.options.clock);
    this.reads = new RunReads(this.registry, this.history, this.archives, this.options.clock);
    for (const r of roots) this.addRoot(r);
  }

  // ------------------------------------------------------------------ roots, runs, listeners (the registry's)

  /** Opens a folder (a path or file:// URI) as a root; returns the root whose board it shows (RunRegistry.addRoot). */
  addRoot(folder: string): string {
    return this.registry.addRoot(folder);
  }

  /** Closes a folder opened as a root; returns the root it showed when no other open folder shows it any more (closed), else undefined. */
  removeRoot(folder: string): string | undefined {
    return this.registry.removeRoot(folder);
  }

  rootPaths(): string[] {
    return this.registry.rootPaths();
  }

  /** The open root named by a path or URI; ROOT_UNKNOWN when it is not open. */
  resolveRoot(root: string): string {
    return this.registry.resolveRoot(root);
  }

  /** Run ids on a root's board. */
  runIdsIn(root: string): string[] {
    return this.registry.runIdsIn(root);
  }

  on(listener: StoreListener): () => void {
    return this.registry.on(listener);
  }

  /** A run of an open root, loaded on first use; undefined when there is no such run. */
  runIn(root: string, runId: string): Promise<RunLog | undefined> {
    return this.registry.runIn(root, runId);
  }

  /** Loaded runs, for the lease timer and flushes. */
  loadedRuns(): RunLog[] {
    return this.registry.loadedRuns();
  }

  /** A board said a run may have changed: fold it (loading the run if new). */
  catchUp(root: string, runId: string): Promise<void> {
    return this.registry.catchUp(root, runId);
  }

  /** Follows every open root's board (the server), or one run of it: other processes' commits are folded and heard of. */
  follow(onError: (e: unknown) => void, runId?: string): { close(): Promise<void> } {
    return this.registry.follow(onError, runId);
  }

  /**
   * The one open root a call is about, when that can be told without running it: the root it
   * names, else the only open root, else the root holding its run. Undefined otherwise (the call
   * itself then says what is wrong: ROOT_UNKNOWN, ROOT_REQUIRED, RUN_NOT_FOUND …).
   */
  async rootOfCall(raw: unknown): Promise<string | undefined> {
    const p = (raw ?? {}) as { root?: unknown; run_id?: unknown };
    try {
      if (typeof p.root === 'string') return this.registry.resolveRoot(p.root);
      const roots = this.registry.rootPaths();
      if (roots.length === 1) return roots[0];
      return typeof p.run_id === 'string' ? (await this.registry.locate({ run_id: p.run_id })).root : undefined;
    } catch {
      return undefined;
    }
  }

  /** Every open board ready: a database board connected (STORAGE_ERROR when it cannot be). */
  ready(): Promise<void> {
    return this.registry.ready();
  }

  /**
   * A run moved here from another board (runTransfer.ts): its events, checked, made the run's first
   * commit; RUN_EXISTS when the board has it; READ_ONLY on a read-only store. Not a protocol
   * method — a run's events can be far more than params may hold — so the CLI calls it on its
   * own store, which any process may write (a server of the root sees the new run as any other).
   */
  async importRun(events: EventRecord[], root?: string): Promise<R.CreateRunResult> {
    if (this.options.readOnly) throw readOnlyError();
    await this.registry.ready();
    const run = await this.registry.boardForNewRun(root).createRun(events[0].run_id, events);
    return { run: toRunRecord(run.state) };
  }

  // ------------------------------------------------------------------ dispatch

  /** Validates raw params and runs the method: the one entry point for every transport. */
  async execute<M extends StoreMethod>(method: M, raw: unknown): Promise<R.StoreResults[M]> {
    if (this.options.readOnly && WRITING_METHODS.has(method)) throw readOnlyError();
    checkParamsLimits(raw);
    const params = parseParams<ParamsOf<M>>(METHOD_PARAMS[method] as never, raw);
    const stamp = stampFor(method, params as { command_id?: string }, raw);
    await this.registry.ready(LISTING_METHODS.has(method));
    const handler = this.handlers[method] as (p: ParamsOf<M>, s: CommandStamp | undefined) => Promise<R.StoreResults[M]>;
    return handler(params, stamp);
  }

  private readonly handlers: { [M in StoreMethod]: (p: ParamsOf<M>, s: CommandStamp | undefined) => Promise<R.StoreResults[M]> } = {
    createRun: (p, s) => createRun(this.registry, this.history, this.options, p, s),
    listRuns: (p) => this.reads.listRuns(p),
    listAttention: (p) => this.reads.listAttention(p),
    runStats: (p) => this.reads.runStats(p),
    getRun: async (p) => {
      const h = await this.registry.current(p);
      const damage = h.damageReport();
      return {
        run: toRunRecord(h.state),
        blackboard: toBlackboard(h.state),
        ...(damage.length > 0 ? { damage } : {}),
        ...(h.archive ? { archived: archivedInfo(h) } : {}),
        ...(h.compacted ? { compacted: archivedInfo(h) } : {}),
      };
    },
    appendEvent: (p, s) =>
      this.runCommand(
        p,
        'appendEvent',
        s,
        (st, ctx) => decideAppendEvent(st, p, ctx),
        (a, st) => ({ event: a[0], run: toRunRecord(st) }),
      ),
    finishRun: (p, s) =>
      this.runCommand(
        p,
        'finishRun',
        s,
        (st, ctx) => decideFinishRun(st, p, ctx),
        (a, st) => ({ event: a[0], run: toRunRecord(st) }),
      ),
    listEvents: (p) => this.reads.listEvents(p),
    patchBlackboard: (p, s) =>
      this.runCommand(
        p,
        'patchBlackboard',
        s,
        (st, ctx) => decidePatchBlackboard(st, p, ctx),
        (a, st) => ({
          patch: patchRowFor(a[0])!,
          blackboard: toBlackboard(st),
        }),
      ),
    getBlackboard: async (p) => ({ blackboard: toBlackboard((await this.registry.current(p)).state) }),
    listPatches: (p) => this.reads.listPatches(p),
    createTasks: (p, s) =>
      this.runCommand(
        p,
        'createTasks',
        s,
        (st, ctx) => decideCreateTasks(st, p.tasks, ctx).events,
        (a) => ({ tasks: tasksOf(a) }),
      ),
    claimTask: (p, s) =>
      this.runCommand(
        p,
        'claimTask',
        s,
        (st, ctx) => decideClaim(st, p, ctx, this.options.defaultLeaseMs),
        // Nothing claimed is nothing recorded (no repeat to answer later): the reason is read now.
        (a, st) => (a.length > 0 ? { task: tasksOf(a)[0] } : { task: null, ...whyNothingToClaim(st, p, this.options.clock()) }),
      ),
    transitionTask: (p, s) =>
      this.runCommand(
        p,
        'transitionTask',
        s,
        (st, ctx) => decideTransition(st, p, ctx, this.options.defaultLeaseMs),
        (a) => ({ task: tasksOf(a)[0], ...completedRun(a) }),
      ),
    requeueTask: (p, s) =>
      this.runCommand(
        p,
        'requeueTask',
        s,
        (st, ctx) => {
          checkTextLimit('reason', p.reason);
          return decideRequeue(st, p, ctx);
        },
        (a) => {
          const [task, ...reopened] = tasksOf(a);
          return { task, ...(p.cascade ? { reopened } : {}) };
        },
      ),
    editTask: (p, s) =>
      this.runCommand(
        p,
        'editTask',
        s,
        (st, ctx) => decideEditTask(st, p, ctx),
        (a, st) => (a.length > 0 ? { task: tasksOf(a)[0] } : { task: st.tasks.get(p.task_id.trim())!, unchanged: true as const }),
      ),
    cancelTask: (p, s) =>
      this.runCommand(
        p,
        'cancelTask',
        s,
        (st, ctx) => decideCancelTask(st, p, ctx),
        (a, st) => {
          const cancelled = tasksOf(a.filter((e) => e.type === EVENT.taskCancelled));
          const task = cancelled.find((t) => t.id === p.task_id.trim()) ?? st.tasks.get(p.task_id.trim())!;
          return { task, cancelled, ...completedRun(a) };
        },
      ),
    createCheckpoint: (p) => this.history.createCheckpoint(p),
    listCheckpoints: async (p) => ({
      checkpoints: (await this.history.checkpointsOf(await this.registry.locate(p))).map(
        ({ checkpoint_id, seq, ts_ms, reason, unreadable }) => ({
          checkpoint_id,
          seq,
          ts_ms,
          reason,
          ...(unreadable ? { unreadable } : {}),
        }),
      ),
    }),
    latestCheckpoint: (p) =>
      this.registry.onRun(p, async (h) => {
        const latest = (await this.history.checkpointsOf(h)).filter((c) => !c.unreadable).pop();
        return { checkpoint: latest ? await h.readCheckpoint(latest) : null };
      }),
    replay: (p) => this.history.replay(p),
    repairRun: async (p) => {
      const h = await this.registry.current(p);
      return p.accept || p.restore ? h.repair(p.restore === true) : { ...(await h.examineDamage()), event: null };
    },
    validateWorkspaceLease: (p) => this.validateWorkspaceLease(p),
    setTaskWorktree: (p, s) =>
      this.runCommand(
        p,
        'setTaskWorktree',
        s,
        (st, ctx) => decideSetWorktree(st, p, ctx),
        (a) => ({ task: tasksOf(a)[0] }),
      ),
    archiveRun: (p) => this.archives.archiveRun(p),
    restoreRun: (p) => this.archives.restoreRun(p),
    compactRun: (p) => this.archives.compactRun(p),
    rebindWorkspace: async (p, s) => {
      const h = await this.registry.locate(p);
      const current = this.registry.rootOfFolder(p.current_path, h.root);
      return this.runCommand(
        p,
        'rebindWorkspace',
        s,
        (st, ctx) => decideRebindWorkspace(st, current, ctx),
        (_a, st) => ({
          run: toRunRecord(st),
        }),
      );
    },
  };

  /** A mutating command on a run, with command-id dedupe rebuilt from the log. */
  private async runCommand<M extends StoreMethod, T>(
    p: Locator,
    method: M,
    stamp: CommandStamp | undefined,
    decide: Parameters<RunLog['command']>[1],
    result: (applied: EventRecord[], state: RunState) => T,
  ): Promise<T | (T & { deduped: true })> {
    // Archived or compacted while it waited for the lock: done again on what is there now (RUN_ARCHIVED, or the run restored).
    const { h, outcome } = await this.registry.onRun(p, async (h) => ({ h, outcome: await h.command(stamp, decide, result) }));
    if ('result' in outcome) return outcome.result;
    // A repeat: the original events are in the log; the run/blackboard as they were then come from a replay.
    const { first_seq, last_seq } = outcome.repeat;
    const events = await h.readEvents(first_seq, last_seq);
    const then = await this.history.stateAt(h, last_seq);
    return { ...result(events, then), deduped: true as const };
  }

  // ------------------------------------------------------------------ workspace leases
  // `current_path` (relative to the run's root) is compared as the root it shows: a task's worktree
  // is its main worktree's folder (§Worktrees, RunRegistry.rootOfFolder).

  private async validateWorkspaceLease(p: ParamsOf<'validateWorkspaceLease'>): Promise<R.ValidateWorkspaceLeaseResult> {
    return this.registry.onRun(p, (h) => this.validateLeaseOn(h, p));
  }

  private async validateLeaseOn(h: RunLog, p: ParamsOf<'validateWorkspaceLease'>): Promise<R.ValidateWorkspaceLeaseResult> {
    const current = this.registry.rootOfFolder(p.current_path, h.root);
    let check: LeaseCheck | undefined;
    const outcome = await h.command(
      undefined,
      (st, ctx) => {
        const here = spelledAsBound(st.header.workspace.canonical_path.trim(), current);
        check = decideValidateWorkspaceLease(st, p, here, ctx, this.registry.isShared(h.root) ? 'board' : 'path');
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
    for (const h of this.loadedRuns()) h.flush();
  }

  close(): void {
    this.registry.closeAll();
  }
}

function tasksOf(events: EventRecord[]): Task[] {
  return events.map((e) => (e.payload as { task: Task }).task);
}

/** The methods that list a root's runs: a board that does not follow its database lists them again first (BoardStore.ready). */
const LISTING_METHODS: ReadonlySet<StoreMethod> = new Set<StoreMethod>(['listRuns', 'listAttention']);

function stampFor(method: StoreMethod, params: { command_id?: string }, raw: unknown): CommandStamp | undefined {
  if (params.command_id === undefined) return undefined;
  return { command_id: params.command_id, command_method: method, command_fingerprint: fingerprintParams(raw) };
}

/**
 * The methods that write (to the log, or a checkpoint file): a read-only store refuses them all,
 * and a server whose root's socket another server serves sends them there (rpc/writeRouting.ts).
 */
export const WRITING_METHODS: ReadonlySet<StoreMethod> = new Set<StoreMethod>([
  'createRun',
  'appendEvent',
  'finishRun',
  'patchBlackboard',
  'createTasks',
  'claimTask',
  'transitionTask',
  'requeueTask',
  'editTask',
  'cancelTask',
  'createCheckpoint',
  'validateWorkspaceLease',
  'rebindWorkspace',
  'archiveRun',
  'restoreRun',
  'compactRun',
  'setTaskWorktree',
]);

/** `run_completed` when the command's events include the run's completion (auto_finish: its last open task finished). */
function completedRun(events: readonly EventRecord[]): { run_completed?: true } {
  return events.some((e) => e.type === EVENT.runCompleted) ? { run_completed: true } : {};
}
