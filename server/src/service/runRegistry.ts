// Which runs there are: the open roots, each on its board (boardStore.ts — the store that keeps
// its runs), a run found by id across them, and the listeners of every run's commits,
// diagnostics and resets.
import type { Diagnostic } from '../../../contract/diagnostic';
import { DomainError } from '../engine/errors';
import { assertRunId } from '../engine/ids';
import { LockClosedError, type BoardSite, type BoardStore, type RunLog } from '../store/boardStore';
import type { BoardOpener } from '../store/boards';
import { normalizePath } from './localPaths';
import { fromRunKey, runKey } from './runKey';
import { boardRootOf } from '../worktrees/boardRoot';
import type { CommitNotice, ResetNotice, StoreListener, StoreOptions } from '../store/types';

export type Locator = { root?: string; run_id: string };

/** How many moves of a run (archive, compaction, restore) a command follows before it gives up. */
const RUN_MOVES_FOLLOWED = 5;

export class RunRegistry {
  private readonly boards = new Map<string, BoardStore>();
  /** Each folder opened, by its path → the root whose board it shows (itself, or for a task's worktree its main worktree: boardRoot.ts). */
  private readonly folders = new Map<string, string>();
  private readonly listeners = new Set<StoreListener>();
  /** The last seq listeners were told of, per run (runKey): see catchUp. */
  private readonly told = new Map<string, number>();
  /** Diagnostics that are said once (unreadable runs and checkpoints, symlinked folders). */
  private readonly reported = new Set<string>();
  private readonly site: BoardSite;
  /** While boards are followed: each open root's follower, and what to do with an error of one. */
  private following:
    { followers: Map<string, { close(): Promise<void> }>; onError: (e: unknown) => void; runId: string | undefined } | undefined;

  constructor(
    options: StoreOptions,
    private readonly openBoard: BoardOpener,
  ) {
    this.site = {
      options,
      listener: { onCommit: this.emitCommit, onDiagnostic: this.emitDiagnostic, onReset: this.emitReset },
      reportOnce: (key, d) => this.reportOnce(key, d),
    };
  }

  // ------------------------------------------------------------------ roots and listeners

  /** Opens a folder (a path or file:// URI) as a root; returns the root whose board it shows — its normalized path, or its main worktree's. */
  addRoot(folder: string): string {
    const f = normalizePath(folder, process.cwd());
    const p = this.boardRootOf(f);
    this.folders.set(f, p);
    if (!this.boards.has(p)) {
      this.boards.set(p, this.openBoard(p, this.site));
      this.followBoard(p);
    }
    return p;
  }

  /** The root a folder (relative ones against `base`) shows as one (see addRoot), whether or not it is open. */
  rootOfFolder(folder: string, base = process.cwd()): string {
    return this.boardRootOf(normalizePath(folder, base));
  }

  /** A normalized folder's root: as it was opened, else found (boardRoot.ts). */
  private boardRootOf(folder: string): string {
    return this.folders.get(folder) ?? normalizePath(boardRootOf(folder), process.cwd());
  }

  /**
   * Closes a folder opened as a root; its board closes when no other open folder shows it (a task's
   * worktree and its main worktree share one). Returns the root closed, else undefined.
   */
  removeRoot(folder: string): string | undefined {
    const f = normalizePath(folder, process.cwd());
    const p = this.folders.get(f) ?? f;
    this.folders.delete(f);
    if ([...this.folders.values()].includes(p)) return undefined;
    void this.following?.followers.get(p)?.close();
    this.following?.followers.delete(p);
    this.boards.get(p)?.close();
    this.boards.delete(p);
    for (const key of this.told.keys()) if (fromRunKey(key)[0] === p) this.told.delete(key);
    return p;
  }

  /**
   * From now on every open root's board (and every root opened later) tells of runs that other
   * processes change, and they are folded: listeners hear of every commit, whoever made it.
   */
  follow(onError: (e: unknown) => void, runId?: string): { close(): Promise<void> } {
    const following = { followers: new Map<string, { close(): Promise<void> }>(), onError, runId };
    this.following = following;
    for (const root of this.boards.keys()) this.followBoard(root);
    return {
      close: async () => {
        if (this.following === following) this.following = undefined;
        await Promise.all([...following.followers.values()].map((f) => f.close()));
      },
    };
  }

  private followBoard(root: string): void {
    const f = this.following;
    if (!f || f.followers.has(root)) return;
    f.followers.set(
      root,
      this.boards.get(root)!.follow((runId) => {
        // Following one run (the CLI's watch, claim --wait): the others' changes are not loaded.
        if (f.runId !== undefined && runId !== f.runId) return;
        this.catchUp(root, runId).catch(f.onError);
      }),
    );
  }

  rootPaths(): string[] {
    return [...this.boards.keys()];
  }

  on(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  readonly emitCommit = (n: CommitNotice) => {
    this.told.set(runKey(n.root, n.run_id), n.last_seq);
    for (const l of this.listeners) l.onCommit?.(n);
  };

  readonly emitDiagnostic = (d: Diagnostic) => {
    for (const l of this.listeners) l.onDiagnostic?.(d);
  };

  readonly emitReset = (n: ResetNotice) => {
    this.told.set(runKey(n.root, n.run_id), n.last_seq);
    for (const l of this.listeners) l.onReset?.(n);
  };

  reportOnce(key: string, d: Diagnostic): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.emitDiagnostic(d);
  }

  /** The open root named by a path or URI; ROOT_UNKNOWN when it is not open. */
  resolveRoot(root: string): string {
    // A root named as this registry names it (a socket's connection fills it in so): no realpath per call.
    if (this.boards.has(root)) return root;
    const named = normalizePath(root, process.cwd());
    // A folder opened as a root answers for the board it shows.
    const p = this.folders.get(named) ?? named;
    if (!this.boards.has(p)) {
      throw new DomainError('ROOT_UNKNOWN', `${root} is not an open root (open: ${this.rootPaths().join(', ') || 'none'}).`, { root });
    }
    return p;
  }

  // ------------------------------------------------------------------ finding runs

  /** Run ids on a root's board. */
  runIdsIn(root: string): string[] {
    return this.boards.get(root)?.runIds() ?? [];
  }

  /** Every open board ready (a database board connected; with `list`, its list of runs current: BoardStore.ready). */
  async ready(list = false): Promise<void> {
    for (const b of this.boards.values()) await b.ready(list);
  }

  /** A run of an open root, loaded on first use — a live one, else an archived one (read-only); undefined when there is no such run. */
  async runIn(root: string, runId: string): Promise<RunLog | undefined> {
    const board = this.boards.get(root);
    const look = async () => (await board?.openRun(runId)) ?? (await board?.openCompacted?.(runId)) ?? (await board?.openArchived?.(runId));
    // Restored or compacted by another process between the looks, it is missed by all three: once more.
    return (await look()) ?? (await look());
  }

  /** The board of an open root. */
  board(root: string): BoardStore {
    return this.boards.get(this.resolveRoot(root))!;
  }

  async locate(p: Locator): Promise<RunLog> {
    assertRunId(p.run_id);
    if (p.root !== undefined) {
      const h = await this.runIn(this.resolveRoot(p.root), p.run_id);
      if (!h) throw notFound(p.run_id);
      return h;
    }
    const found: RunLog[] = [];
    for (const root of this.boards.keys()) {
      const h = await this.runIn(root, p.run_id);
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

  /**
   * `fn` on the run. When the handle it was given turns out gone on the way (another process
   * archived, compacted or restored the run: its log left the path), again on what is there now —
   * a compacted run restores itself for a write, an archived one answers RUN_ARCHIVED. A run
   * moved again meanwhile (compacted and restored in a loop) is followed a few times; found
   * nowhere on a second look, it was between two moves a moment ago, and is looked for again.
   */
  async onRun<T>(p: Locator, fn: (h: RunLog) => Promise<T>, find = (q: Locator) => this.locate(q)): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let h: RunLog | undefined;
      try {
        h = await find(p);
        return await fn(h);
      } catch (e) {
        const moved = e instanceof LockClosedError || (e instanceof DomainError && e.code === 'RUN_NOT_FOUND');
        if (!moved || attempt === RUN_MOVES_FOLLOWED) throw e;
        if (h === undefined ? attempt === 1 : !(await movedOn(h))) throw e;
      }
    }
  }

  /** onRun on the run caught up (current): for what decides on its state before taking the lock (archiving, restoring). */
  onCurrentRun<T>(p: Locator, fn: (h: RunLog) => Promise<T>): Promise<T> {
    return this.onRun(p, fn, (q) => this.current(q));
  }

  /** The run, caught up with what other processes appended (reads never lock or write). */
  async current(p: Locator): Promise<RunLog> {
    const h = await this.locate(p);
    await h.catchUp();
    if (!h.gone) return h;
    // Its log was deleted since it was loaded: RUN_NOT_FOUND, or the run created anew.
    const again = await this.locate(p);
    await again.catchUp();
    return again;
  }

  /** Whether the root's board is shared by machines (a database): its runs are bound to the board, not to a path. */
  isShared(root: string): boolean {
    return this.boards.get(root)?.shared === true;
  }

  /** Loaded runs of every board, for the lease timer and flushes. */
  loadedRuns(): RunLog[] {
    return [...this.boards.values()].flatMap((b) => b.loadedRuns());
  }

  /** A board said a run may have changed: fold it (loading the run if new, which listeners hear of with no events). */
  async catchUp(root: string, runId: string): Promise<void> {
    const board = this.boards.get(root);
    if (!board) return;
    const loaded = board.isLoaded(runId) ? await board.openRun(runId) : undefined;
    if (loaded) {
      await loaded.catchUp();
      // A run another process made may have been loaded by a read (a request, a timer) before
      // this look: its events were never told of, and a subscription would never learn of the run.
      const behind = (this.told.get(runKey(root, runId)) ?? 0) < loaded.lastSeq;
      if (!loaded.gone && behind) this.emitCommit({ root, run_id: runId, events: [], last_seq: loaded.lastSeq });
      if (!loaded.gone) return;
    }
    // Live, or compacted (still the board's: compacted by another process, it is read again from there).
    const h = (await board.openRun(runId)) ?? (await board.openCompacted?.(runId));
    if (h) this.emitCommit({ root, run_id: runId, events: [], last_seq: h.lastSeq });
  }

  /** The board a new run goes to: the one named, else the only open one. */
  boardForNewRun(root: string | undefined): BoardStore {
    if (root !== undefined) return this.boards.get(this.resolveRoot(root))!;
    if (this.boards.size === 1) return [...this.boards.values()][0];
    throw new DomainError(
      'ROOT_REQUIRED',
      this.boards.size === 0 ? 'No root is open.' : `${this.boards.size} roots are open; say which one with root.`,
    );
  }

  closeAll(): void {
    for (const b of this.boards.values()) b.close();
  }
}

/** Whether a handle's run left it (its log gone from the path, its archive's manifest replaced): a look that tells. */
async function movedOn(h: RunLog): Promise<boolean> {
  if (!h.gone) await h.catchUp();
  return h.gone;
}

function notFound(runId: string): DomainError {
  return new DomainError('RUN_NOT_FOUND', `No run ${runId}.`, { run_id: runId });
}
