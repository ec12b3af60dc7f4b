// The client's picture of the runs: per workspace folder, the runs listed from it with their
// blackboards. It is refreshed in full when the server (re)starts or folders change, and per run
// from `runboard/events` (one subscription per folder, so every event knows its root), debounced
// so a burst of events costs one getRun per run. Views listen to its change events.
import * as vscode from 'vscode';
import type { Blackboard, RunRecord, Task } from '../../../contract/schemas/records';
import { Requests, type EventsNotificationParams, type RunResetNotificationParams } from '../../../server/src/protocol';
import { errorCode } from '../errors';
import { log } from '../log';
import type { RunboardServer } from '../server/runboardServer';
import { runKey, type RunRef, type TaskRef } from './refs';

export interface WorkspaceMismatch {
  expected_path: string;
  actual_path: string;
}

export interface RunEntry {
  ref: RunRef;
  run: RunRecord;
  blackboard?: Blackboard;
  /** Set when validateWorkspaceLease found the run bound to another folder. */
  mismatch?: WorkspaceMismatch;
}

interface RootState {
  folder: vscode.WorkspaceFolder;
  runs: Map<string, RunEntry>;
  subscriptionId?: string;
  loaded: boolean;
  error?: string;
}

const DEBOUNCE_MS = 150;

export class RunsModel implements vscode.Disposable {
  private readonly roots = new Map<string, RootState>();
  private readonly dirty = new Set<string>();
  private readonly dirtyRefs = new Map<string, RunRef>();
  private timer: NodeJS.Timeout | undefined;
  private busy = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly runEmitter = new vscode.EventEmitter<RunEntry>();
  private readonly structureEmitter = new vscode.EventEmitter<void>();
  private readonly loadEmitter = new vscode.EventEmitter<string[]>();
  private readonly disposables: vscode.Disposable[] = [];

  /** One run changed (status, tasks, blackboard): refresh just that run's views. */
  readonly onDidChangeRun = this.runEmitter.event;
  /** Runs or folders were added or removed, or everything was reloaded. */
  readonly onDidChangeStructure = this.structureEmitter.event;
  /** Folders whose runs were just listed in full (after a server start or a folder change). */
  readonly onDidLoad = this.loadEmitter.event;

  constructor(private readonly server: RunboardServer) {
    this.syncFolders();
    this.disposables.push(
      server.onEvents((p) => this.onEvents(p)),
      // A replaced log: refetch the run (or drop it, when it is gone).
      server.onRunReset((p) => this.onRunReset(p)),
      server.onDidStart(() => void this.track(this.reloadAll())),
      server.onDidChangeState((s) => {
        if (s !== 'running') {
          for (const r of this.roots.values()) r.subscriptionId = undefined;
          this.structureEmitter.fire();
        }
      }),
    );
  }

  /** The open folders in workspace order. */
  folders(): vscode.WorkspaceFolder[] {
    return [...this.roots.values()].map((r) => r.folder).sort((a, b) => a.index - b.index);
  }

  folderOf(root: string): vscode.WorkspaceFolder | undefined {
    return this.roots.get(root)?.folder;
  }

  rootError(root: string): string | undefined {
    return this.roots.get(root)?.error;
  }

  isLoaded(): boolean {
    return [...this.roots.values()].every((r) => r.loaded);
  }

  /** Runs of a folder, newest first (by creation, so the order does not jump on every update). */
  runs(root: string): RunEntry[] {
    const r = this.roots.get(root);
    if (!r) return [];
    return [...r.runs.values()].sort((a, b) => b.run.created_at_ms - a.run.created_at_ms || (a.ref.run_id < b.ref.run_id ? -1 : 1));
  }

  allRuns(): RunEntry[] {
    return this.folders().flatMap((f) => this.runs(f.uri.fsPath));
  }

  get(ref: RunRef): RunEntry | undefined {
    return this.roots.get(ref.root)?.runs.get(ref.run_id);
  }

  task(ref: TaskRef): Task | undefined {
    return this.get(ref)?.run.tasks.find((t) => t.id === ref.task_id);
  }

  /** Fills in the folder of a ref that names only a run id (unique across folders), if it can. */
  resolve<T extends RunRef>(ref: T): T {
    if (ref.root && this.roots.has(ref.root)) return ref;
    if (ref.root) {
      // A path or file URI of a folder: normalise to the folder's fsPath.
      const match = this.folders().find((f) => f.uri.fsPath === ref.root || f.uri.toString() === ref.root);
      if (match) return { ...ref, root: match.uri.fsPath };
      return ref;
    }
    const owners = this.folders().filter((f) => this.roots.get(f.uri.fsPath)?.runs.has(ref.run_id));
    if (owners.length === 1) return { ...ref, root: owners[0].uri.fsPath };
    const folders = this.folders();
    if (owners.length === 0 && folders.length === 1) return { ...ref, root: folders[0].uri.fsPath };
    return ref;
  }

  setMismatch(ref: RunRef, mismatch: WorkspaceMismatch | undefined): void {
    const e = this.get(ref);
    if (!e) return;
    e.mismatch = mismatch;
    this.runEmitter.fire(e);
  }

  /** Stores a run the client just got from a command, without waiting for its events. */
  accept(ref: RunRef, run: RunRecord, blackboard?: Blackboard): void {
    const root = this.roots.get(ref.root);
    if (!root) return;
    const existing = root.runs.get(ref.run_id);
    if (existing && existing.run.last_event_seq > run.last_event_seq) return;
    if (existing) {
      existing.run = run;
      if (blackboard) existing.blackboard = blackboard;
      this.runEmitter.fire(existing);
    } else {
      root.runs.set(ref.run_id, { ref, run, blackboard });
      this.structureEmitter.fire();
    }
  }

  /** Re-fetches one run (debounced with event-driven refreshes). */
  invalidate(ref: RunRef): void {
    this.markDirty(ref);
  }

  /** Resolves when no refresh is pending or in flight (tests and commands that need fresh data). */
  whenIdle(): Promise<void> {
    if (this.busy === 0 && !this.timer) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Reconciles the folder list with VS Code's (called on activation and on folder changes). */
  syncFolders(): { added: vscode.WorkspaceFolder[]; removed: string[] } {
    const open = vscode.workspace.workspaceFolders ?? [];
    const added: vscode.WorkspaceFolder[] = [];
    const removed: string[] = [];
    const keep = new Set(open.map((f) => f.uri.fsPath));
    for (const [root, state] of this.roots) {
      if (!keep.has(root)) {
        removed.push(root);
        if (state.subscriptionId) void this.unsubscribe(state.subscriptionId);
        this.roots.delete(root);
      }
    }
    for (const folder of open) {
      const existing = this.roots.get(folder.uri.fsPath);
      if (existing) existing.folder = folder;
      else {
        this.roots.set(folder.uri.fsPath, { folder, runs: new Map(), loaded: false });
        added.push(folder);
      }
    }
    if (added.length || removed.length) this.structureEmitter.fire();
    return { added, removed };
  }

  /** Subscribes and lists runs of the given folders (all when omitted). */
  async reload(roots?: string[]): Promise<void> {
    const list = roots ?? [...this.roots.keys()];
    await this.track(Promise.all(list.map((r) => this.loadRoot(r))));
    this.loadEmitter.fire(list.filter((r) => this.roots.has(r)));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.runEmitter.dispose();
    this.structureEmitter.dispose();
    this.loadEmitter.dispose();
  }

  private async reloadAll(): Promise<void> {
    const list = [...this.roots.keys()];
    await Promise.all(list.map((r) => this.loadRoot(r)));
    this.loadEmitter.fire(list.filter((r) => this.roots.has(r)));
  }

  private async loadRoot(root: string): Promise<void> {
    const state = this.roots.get(root);
    if (!state || this.server.state !== 'running') return;
    try {
      // Subscribe first, then list: an event between the two is in both, never in neither.
      if (!state.subscriptionId) {
        const sub = await this.withRootRetry(() => this.server.request(Requests.subscribe, { root, tail: 0 }));
        if (this.roots.get(root) !== state) {
          void this.unsubscribe(sub.subscription_id);
          return;
        }
        state.subscriptionId = sub.subscription_id;
      }
      const { runs } = await this.server.request(Requests.listRuns, { root, limit: 1000 });
      const next = new Map<string, RunEntry>();
      for (const run of runs) {
        const old = state.runs.get(run.run_id);
        next.set(run.run_id, { ref: { root, run_id: run.run_id }, run, blackboard: old?.blackboard, mismatch: old?.mismatch });
      }
      state.runs = next;
      state.loaded = true;
      state.error = undefined;
      // Blackboards come with getRun; fetch them lazily through the debounced path.
      for (const e of next.values()) if (!e.blackboard) this.markDirty(e.ref);
    } catch (e) {
      state.error = (e as Error).message;
      state.loaded = true;
      log().error(`Listing runs of ${root}: ${state.error}`);
    }
    this.structureEmitter.fire();
  }

  /** A folder just added may reach the server a moment after our own folder-change handler runs. */
  private async withRootRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await fn();
      } catch (e) {
        if (errorCode(e) !== 'ROOT_UNKNOWN' || i >= 20) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private async unsubscribe(id: string): Promise<void> {
    try {
      await this.server.request(Requests.unsubscribe, { subscription_id: id });
    } catch {
      // The root or the server is gone; so is the subscription.
    }
  }

  private rootOfSubscription(id: string): string | undefined {
    return [...this.roots.entries()].find(([, s]) => s.subscriptionId === id)?.[0];
  }

  private onEvents(p: EventsNotificationParams): void {
    const root = this.rootOfSubscription(p.subscription_id);
    if (root === undefined) return;
    for (const ev of p.events) this.markDirty({ root, run_id: ev.run_id });
  }

  private onRunReset(p: RunResetNotificationParams): void {
    const root = this.rootOfSubscription(p.subscription_id);
    if (root !== undefined) this.markDirty({ root, run_id: p.run_id });
  }

  private markDirty(ref: RunRef): void {
    const key = runKey(ref);
    this.dirty.add(key);
    this.dirtyRefs.set(key, ref);
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), DEBOUNCE_MS);
  }

  private async flush(): Promise<void> {
    const refs = [...this.dirty].map((k) => this.dirtyRefs.get(k)!);
    this.dirty.clear();
    this.dirtyRefs.clear();
    this.busy++;
    this.timer = undefined;
    try {
      await Promise.all(refs.map((ref) => this.refreshRun(ref)));
    } finally {
      this.busy--;
      this.settle();
    }
  }

  private async refreshRun(ref: RunRef): Promise<void> {
    const state = this.roots.get(ref.root);
    if (!state || this.server.state !== 'running') return;
    try {
      const { run, blackboard } = await this.server.request(Requests.getRun, { root: ref.root, run_id: ref.run_id });
      if (this.roots.get(ref.root) !== state) return;
      const existing = state.runs.get(ref.run_id);
      if (existing) {
        existing.run = run;
        existing.blackboard = blackboard;
        this.runEmitter.fire(existing);
      } else {
        state.runs.set(ref.run_id, { ref, run, blackboard });
        this.structureEmitter.fire();
      }
    } catch (e) {
      if (errorCode(e) === 'RUN_NOT_FOUND' && state.runs.delete(ref.run_id)) this.structureEmitter.fire();
      else log().warn(`Refreshing run ${ref.run_id}: ${(e as Error).message}`);
    }
  }

  private async track<T>(p: Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await p;
    } finally {
      this.busy--;
      this.settle();
    }
  }

  private settle(): void {
    if (this.busy !== 0 || this.timer) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
