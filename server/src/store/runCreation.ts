// Making a new run: its id checked against every run of the root (case-only clashes too) and its
// folder and first event made, in one step across processes under the root's creation lock.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CREATING_FILE, EVENTS_FILE } from '../../../contract/layout';
import type * as R from '../../../contract/results';
import type { ParamsOf } from '../../../contract/schemas/params';
import type { EventRecord } from '../../../contract/schemas/records';
import { DomainError } from '../engine/errors';
import { assertRunId } from '../engine/ids';
import { decideCreateRun } from '../engine/runDecisions';
import { toRunRecord } from '../engine/state';
import { normalizePath, runDir, runsDir } from './paths';
import { syncDirectory } from './platformFs';
import { RunHandle } from './runHandle';
import { HeldLock, OsRunLock } from './runLock';
import type { RunRegistry } from './runRegistry';
import type { StoreOptions } from './types';

export class RunCreation {
  private readonly creationLocks = new Map<string, OsRunLock>();

  constructor(
    private readonly registry: RunRegistry,
    private readonly options: StoreOptions,
  ) {}

  async create(p: ParamsOf<'createRun'>): Promise<R.CreateRunResult> {
    const root = this.registry.rootForNewRun(p.root);
    const runId = p.run_id ?? this.options.ids.newId('run');
    assertRunId(runId);
    const bound = p.workspace?.canonical_path?.trim() ? normalizePath(p.workspace.canonical_path, root) : undefined;
    // Decide first: a rejected call creates nothing, not even the folder.
    const events = decideCreateRun(runId, p, bound, { now: this.options.clock(), ids: this.options.ids });
    // Refused here when it can be (a rejected call writes nothing, not even the lock's file); then
    // checked again under the root's creation lock, which makes the case-only clash check and the
    // folder's creation one step across processes.
    this.assertNewRunId(root, runId);
    const creating = await this.creationLock(root);
    try {
      this.assertNewRunId(root, runId);
      return await this.createRunFolder(root, runId, events);
    } finally {
      creating.release();
    }
  }

  private assertNewRunId(root: string, runId: string): void {
    if (this.registry.isLoaded(root, runId) || this.registry.handleIn(root, runId)) {
      throw new DomainError('RUN_EXISTS', `Run ${runId} already exists in ${root}.`, { run_id: runId });
    }
    const clash = this.registry.runIdsIn(root).find((id) => id !== runId && id.toLowerCase() === runId.toLowerCase());
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

  private async createRunFolder(root: string, runId: string, events: EventRecord[]): Promise<R.CreateRunResult> {
    const dir = runDir(root, runId);
    try {
      fs.mkdirSync(dir, { recursive: true });
      if (fs.lstatSync(dir).isSymbolicLink()) throw new Error('the run folder is a symbolic link');
    } catch (e) {
      throw new DomainError('STORAGE_ERROR', `Cannot create ${dir}: ${(e as Error).message}`);
    }
    const h = RunHandle.forNewRun(this.registry.siteOf(root, runId, dir));
    try {
      await h.create(events);
      // A new run survives power loss only with its folder entries: the log's, the run's, runs/'s.
      if (this.options.durability === 'fsync') for (const d of [dir, runsDir(root), path.dirname(runsDir(root))]) syncDirectory(d);
    } catch (e) {
      this.registry.dispose(h);
      // Nothing was committed (no lock, a full disk…): leave no empty run folder behind, which
      // would list as a run that cannot be read.
      if (!hasEvents(dir)) fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    this.registry.adopt(h);
    return { run: toRunRecord(h.state) };
  }

  close(): void {
    for (const lock of this.creationLocks.values()) lock.close();
    this.creationLocks.clear();
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
