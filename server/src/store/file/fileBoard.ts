// The file store's board: a root's .runboard/runs/ folder. Which runs it holds (real folders with
// a log, never symlinks), each run's handle (loaded on first use, let go when its log is gone),
// new runs made under the root's creation lock, and a watcher that tells of other processes'
// changes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CREATING_FILE, EVENTS_FILE } from '../../../../contract/layout';
import type { EventRecord } from '../../../../contract/schemas/records';
import { archivedIdTaken } from '../../../../contract/writeRefusals';
import { DomainError } from '../../engine/errors';
import { runIdProblem } from '../../engine/ids';
import type { ArchiveNote, BoardSite, BoardStore, RunLog } from '../boardStore';
import { whyUnreadable } from './fileIdentity';
import type { OpenFiles } from './openFiles';
import { runDir, runsDir } from './paths';
import { ExactNames, syncDirectory } from './platformFs';
import { RunHandle } from './runHandle';
import { HeldLock, OsRunLock } from './runLock';
import type { RunSite } from './runSite';
import { RunsWatcher } from './runsWatcher';
import { ensureRunboardFolder } from './runboardFolder';
import type { RunState } from '../../engine/state';
import { readOnlyError } from '../readOnly';
import { heldRunDir, type Holding, HOLDINGS, holdingDir, isHeld, manifestFile } from './archive/archiveFormat';
import { ArchivedRun } from './archive/archivedRun';
import { archiveRunFiles, holdingOf, removeLeftoverArchive, sweepWorkFolders, unpackArchive } from './archive/runArchive';

export class FileBoard implements BoardStore {
  readonly shared = false;
  private readonly runs = new Map<string, RunHandle>();
  /** Archived and compacted runs read so far, by `<holding>:<run id>`. */
  private readonly held = new Map<string, ArchivedRun>();
  /** Which names the runs/ and archive folders list in exactly that case (a file system may ignore case). */
  private readonly exactNames = new ExactNames();
  private creationLock: OsRunLock | undefined;

  constructor(
    readonly root: string,
    private readonly site: BoardSite,
    private readonly openFiles: OpenFiles,
  ) {}

  /** The file store reads the folder on every look: always ready. */
  async ready(): Promise<void> {}

  /** The board's runs: the live ones and the compacted ones (archived runs are not the board's until restored). */
  runIds(): string[] {
    const live = this.liveRunIds();
    return [...live, ...this.heldRunIds('compacted', new Set(live))];
  }

  /** Valid names of real (non-symlink) folders in runs/ holding a log (or one that cannot be looked into). */
  private liveRunIds(): string[] {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(runsDir(this.root), { withFileTypes: true });
    } catch {
      return [];
    }
    const ids: string[] = [];
    for (const d of entries) {
      if (runIdProblem(d.name)) continue;
      if (d.isSymbolicLink()) {
        this.site.reportOnce(`symlink:${this.root}:${d.name}`, {
          file: path.join(runsDir(this.root), d.name),
          message: 'Run folders must not be symbolic links; this one is ignored.',
        });
        continue;
      }
      if (d.isDirectory() && logMayExist(path.join(runsDir(this.root), d.name, EVENTS_FILE))) ids.push(d.name);
    }
    return ids;
  }

  openRun(runId: string): RunHandle | undefined {
    if (runIdProblem(runId)) return undefined;
    const cached = this.runs.get(runId);
    if (cached && !cached.gone) return cached;
    // Its log was deleted: look at the disk again (the run may have been created anew).
    if (cached) this.drop(runId);
    const dir = runDir(this.root, runId);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch {
      return undefined;
    }
    if (!st.isDirectory() || !logMayExist(path.join(dir, EVENTS_FILE))) return undefined;
    // Run1's folder, found as run1 by a file system that ignores case: no run of that id (createRun then says RUN_EXISTS).
    if (!this.exactNames.has(runsDir(this.root), runId)) return undefined;
    let h: RunHandle;
    try {
      h = RunHandle.open(this.siteOf(runId, dir));
    } catch (e) {
      if (e instanceof DomainError) throw e;
      // Its log left the path since the look above (archived or compacted meanwhile): no live run now.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.unreadable(runId, dir, whyUnreadable(path.join(dir, EVENTS_FILE), e as NodeJS.ErrnoException));
    }
    if (!h.exists) {
      const why = h.noEventOfItsOwn;
      const writing = h.beingWritten;
      this.dispose(h);
      // Lines, none of them this run's (a folder copied under another name): say so, not "no run".
      if (why !== undefined) throw this.unreadable(runId, dir, why);
      // Emptied and being written again (an editor's save in place): not gone — an agent takes RUN_NOT_FOUND for good.
      if (writing) {
        throw new DomainError(
          'STORAGE_ERROR',
          `${path.join(dir, EVENTS_FILE)} holds no whole event yet: another program is writing it (an editor saving it?). Try again in a moment.`,
          { run_id: runId, transient: true },
        );
      }
      return undefined;
    }
    this.runs.set(runId, h);
    return h;
  }

  isLoaded(runId: string): boolean {
    return this.runs.get(runId)?.gone === false;
  }

  loadedRuns(): RunHandle[] {
    const out: RunHandle[] = [];
    for (const [id, h] of this.runs) {
      if (h.gone) this.drop(id);
      else out.push(h);
    }
    return out;
  }

  /** STORAGE_ERROR for a run whose files cannot be read, reported once as a diagnostic too. */
  private unreadable(runId: string, dir: string, why: string): DomainError {
    const file = path.join(dir, EVENTS_FILE);
    const message = `Cannot read run ${runId}: ${why}.`;
    this.site.reportOnce(`unreadable:${this.root}:${runId}:${why}`, { run_id: runId, file, message });
    return new DomainError('STORAGE_ERROR', message, { run_id: runId });
  }

  private siteOf(runId: string, dir: string): RunSite {
    const { listener, options } = this.site;
    return {
      root: this.root,
      runId,
      dir,
      opts: options,
      emitCommit: listener.onCommit,
      emitDiagnostic: listener.onDiagnostic,
      emitReset: listener.onReset,
      touched: this.openFiles.touched,
    };
  }

  private dispose(h: RunHandle): void {
    this.openFiles.forget(h);
    h.close();
  }

  private drop(runId: string): void {
    const h = this.runs.get(runId);
    if (h) this.dispose(h);
    this.runs.delete(runId);
  }

  // ------------------------------------------------------------------ new runs

  /**
   * Refused early when it can be (a rejected call writes nothing, not even the lock's file); then
   * checked again under the root's creation lock, which makes the case-only clash check and the
   * folder's creation one step across processes.
   */
  async createRun(runId: string, first: EventRecord[]): Promise<RunLog> {
    this.assertNewRunId(runId);
    const creating = await this.lockCreation();
    try {
      this.assertNewRunId(runId);
      return await this.createRunFolder(runId, first);
    } finally {
      creating.release();
    }
  }

  private assertNewRunId(runId: string): void {
    if (isHeld(this.root, runId, 'archive')) throw archivedIdTaken(runId, `in ${this.root}`);
    if (this.isLoaded(runId) || this.openRun(runId) || isHeld(this.root, runId, 'compacted')) {
      throw new DomainError('RUN_EXISTS', `Run ${runId} already exists in ${this.root}.`, { run_id: runId });
    }
    // Archived runs count: restored, two folders differing only in case would be one on macOS and Windows.
    const archived = this.archivedRunIds();
    const clash = this.caseClash(runId, [...this.runIds(), ...archived]);
    if (clash && archived.includes(clash)) throw archivedIdTaken(runId, `in ${this.root}`, clash);
    if (clash) {
      throw new DomainError('RUN_EXISTS', `Run ${clash} exists and differs from ${runId} only in case.`, {
        run_id: runId,
        existing_run_id: clash,
      });
    }
  }

  private caseClash(runId: string, ids: string[]): string | undefined {
    return ids.find((id) => id !== runId && id.toLowerCase() === runId.toLowerCase());
  }

  /** The root's creation lock: held while a new run's id is checked and its folder and first event made. */
  private async lockCreation(): Promise<HeldLock> {
    const dir = runsDir(this.root);
    if (!this.creationLock) {
      try {
        ensureRunboardFolder(this.root);
        fs.mkdirSync(dir, { recursive: true });
      } catch (e) {
        throw new DomainError('STORAGE_ERROR', `Cannot create ${dir}: ${(e as Error).message}`);
      }
      this.creationLock = new OsRunLock(
        path.join(dir, CREATING_FILE),
        path.join(dir, `${CREATING_FILE}.waiting`),
        this.site.options.lockTimeoutMs,
      );
    }
    try {
      return await this.creationLock.acquire({ create: true });
    } catch (e) {
      if (e instanceof DomainError) throw e;
      throw new DomainError('STORAGE_ERROR', `Cannot lock ${dir} to create a run: ${(e as Error).message}`);
    }
  }

  private async createRunFolder(runId: string, first: EventRecord[]): Promise<RunLog> {
    const dir = runDir(this.root, runId);
    try {
      fs.mkdirSync(dir, { recursive: true });
      if (fs.lstatSync(dir).isSymbolicLink()) throw new Error('the run folder is a symbolic link');
    } catch (e) {
      throw new DomainError('STORAGE_ERROR', `Cannot create ${dir}: ${(e as Error).message}`);
    }
    const h = RunHandle.forNewRun(this.siteOf(runId, dir));
    try {
      await h.create(first);
      // A new run survives power loss only with its folder entries: the log's, the run's, runs/'s.
      if (this.site.options.durability === 'fsync') {
        for (const d of [dir, runsDir(this.root), path.dirname(runsDir(this.root))]) syncDirectory(d);
      }
    } catch (e) {
      this.dispose(h);
      // Nothing was committed (no lock, a full disk…): leave no empty run folder behind, which
      // would list as a run that cannot be read.
      if (!hasEvents(dir)) fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    this.runs.set(runId, h);
    return h;
  }

  // ------------------------------------------------------------------ archived and compacted runs

  /** Runs held in archive/ or compacted/ (a folder with a manifest), but those live in runs/ (a leftover). */
  private heldRunIds(holding: Holding, live = new Set(this.liveRunIds())): string[] {
    const dir = holdingDir(this.root, holding);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return [];
    }
    return entries
      .filter((d) => d.isDirectory() && !runIdProblem(d.name) && !live.has(d.name) && fs.existsSync(manifestFile(path.join(dir, d.name))))
      .map((d) => d.name);
  }

  archivedRunIds(): string[] {
    return this.heldRunIds('archive');
  }

  /** An archived run (read-only), or a compacted one (listed; a write restores it); undefined when it is neither. */
  async openHeld(runId: string, holding: Holding): Promise<ArchivedRun | undefined> {
    if (runIdProblem(runId) || logMayExist(path.join(runDir(this.root, runId), EVENTS_FILE))) return undefined;
    // Another run's archive, found under this id in another case (openRun's rule).
    if (!this.exactNames.has(holdingDir(this.root, holding), runId)) return undefined;
    const key = `${holding}:${runId}`;
    const cached = this.held.get(key);
    cached?.catchUp();
    if (cached && !cached.gone) return cached;
    this.held.delete(key);
    const reopen = holding === 'compacted' ? () => this.restoreRun(runId) : undefined;
    const a = await ArchivedRun.open(this.root, runId, heldRunDir(this.root, runId, holding), this.site.options.maxLineBytes, reopen);
    if (a) this.held.set(key, a);
    return a;
  }

  openArchived(runId: string): Promise<ArchivedRun | undefined> {
    return this.openHeld(runId, 'archive');
  }

  openCompacted(runId: string): Promise<ArchivedRun | undefined> {
    return this.openHeld(runId, 'compacted');
  }

  /** Archives (or, with `note.compact`, compacts) a live run: RUN_NOT_FOUND when there is none; `check` refuses under its lock. */
  async archiveRun(runId: string, check: (state: RunState) => void, note: ArchiveNote): Promise<void> {
    if (this.site.options.readOnly) throw readOnlyError();
    sweepWorkFolders(this.root);
    const h = this.openRun(runId);
    if (!h) throw new DomainError('RUN_NOT_FOUND', `No live run ${runId} in ${this.root}.`, { run_id: runId });
    const { compact, ...who } = note;
    await archiveRunFiles(
      this.root,
      h,
      check,
      { ...who, fsync: this.site.options.durability === 'fsync' },
      compact ? 'compacted' : 'archive',
    );
    this.drop(runId);
  }

  /**
   * Brings an archived or compacted run back to runs/, whole. A live run is answered as it is (a
   * leftover archive of it removed): two processes restoring at once both get the run.
   */
  async restoreRun(runId: string): Promise<RunLog> {
    if (this.site.options.readOnly) throw readOnlyError();
    sweepWorkFolders(this.root);
    if (!this.openRun(runId)) {
      const creating = await this.lockCreation();
      try {
        const holding = this.openRun(runId) ? undefined : holdingOf(this.root, runId);
        // Made before archived runs counted in createRun's case check: refused, not one folder for two runs where case is ignored.
        const clash = holding && this.caseClash(runId, this.runIds());
        if (clash) {
          throw new DomainError(
            'RUN_EXISTS',
            `Run ${clash} exists and differs from ${runId} only in case: ${runId} is not restored beside it (macOS and Windows would see one folder). Archive ${clash} first.`,
            { run_id: runId, existing_run_id: clash },
          );
        }
        if (holding) await unpackArchive(this.root, runId, this.site.options.durability === 'fsync', holding);
      } finally {
        creating.release();
      }
      for (const key of HOLDINGS.map((x) => `${x}:${runId}`)) this.held.delete(key);
    }
    const h = this.openRun(runId);
    if (!h) throw new DomainError('RUN_NOT_FOUND', `No run ${runId} in ${this.root}, live, archived or compacted.`, { run_id: runId });
    // The run is live: what archive/ or compacted/ hold of it goes, under its lock (a copy being made of it meanwhile is never the one removed).
    if (HOLDINGS.some((x) => fs.existsSync(heldRunDir(this.root, runId, x))))
      await h.whileLocked(() => removeLeftoverArchive(this.root, runId));
    return h;
  }

  // ------------------------------------------------------------------ following, closing

  follow(changed: (runId: string) => void): { close(): Promise<void> } {
    return new RunsWatcher(runsDir(this.root), {
      changed,
      // The look that backs the watcher up: a run that fails it is said, and the others still looked at.
      poll: () => {
        for (const h of this.loadedRuns()) {
          try {
            h.catchUp();
          } catch (e) {
            this.site.listener.onDiagnostic({ run_id: h.runId, file: runDir(this.root, h.runId), message: (e as Error).message });
          }
        }
      },
    });
  }

  close(): void {
    for (const h of this.runs.values()) this.dispose(h);
    this.runs.clear();
    this.creationLock?.close();
    this.creationLock = undefined;
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

/** True when the run folder's log exists and holds anything. */
function hasEvents(dir: string): boolean {
  try {
    return fs.statSync(path.join(dir, EVENTS_FILE)).size > 0;
  } catch {
    return false;
  }
}
