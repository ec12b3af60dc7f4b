// An archived or compacted run, read from its folder (archiveFormat.ts): its state is its last
// seal (nothing is folded to open it), its events come from the segments holding the seqs asked
// for — each unpacked on the thread pool while the one before it is folded, and sequenced as a live
// log's lines are (eventSequencer.ts). An archived run answers RUN_ARCHIVED to every write; a
// compacted one is restored first (`reopen`) and the write goes to the live run. Restored or
// removed by another process, it is gone (the board looks again).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Checkpoint, EventRecord } from '../../../../../contract/schemas/records';
import type { RepairRunResult } from '../../../../../contract/results';
import { DomainError } from '../../../engine/errors';
import { copyStoredBlackboard, stateFromRecords, toRunRecord, type RunState } from '../../../engine/state';
import type { ArchiveFacts, CheckpointListing, CommandOutcome, PageCursor, RunLog } from '../../boardStore';
import { checkpointOf } from '../../checkpointRecord';
import { archivedError } from '../../../../../contract/writeRefusals';
import { EventSequencer } from '../eventSequencer';
import { type FileIdentity, sameFile } from '../fileIdentity';
import {
  ARCHIVE_FORMAT,
  ARCHIVED_CHECKPOINTS_DIR,
  ArchiveManifestSchema,
  type ArchiveManifest,
  manifestFile,
  SEALS_DIR,
  SEGMENTS_DIR,
} from './archiveFormat';
import { readGzipFile, readGzipJson } from './gzipFiles';
import { readJsonIfExists } from '../atomicFile';

/**
 * Which manifest file a reader read: its inode, and when it was written and how long it is. The
 * inode alone is not enough: a restore deletes the manifest, and the next compaction's new one
 * often gets the same inode number — a server then read the new segments by the old manifest.
 */
interface ManifestIdentity extends FileIdentity {
  ctimeNs: bigint;
  mtimeNs: bigint;
  size: bigint;
}

function manifestIdentity(file: string): ManifestIdentity | undefined {
  const st = fs.lstatSync(file, { bigint: true, throwIfNoEntry: false });
  // A symlink is its own (lstat): the read that follows refuses to follow it.
  return st && { dev: st.dev, ino: st.ino, ctimeNs: st.ctimeNs, mtimeNs: st.mtimeNs, size: st.size };
}

function sameManifest(a: ManifestIdentity, b: ManifestIdentity | undefined): boolean {
  return b !== undefined && sameFile(a, b) && a.ctimeNs === b.ctimeNs && a.mtimeNs === b.mtimeNs && a.size === b.size;
}

/** Whether the manifest at the folder is no longer the one read (restored, removed, or compacted anew). */
function manifestMoved(dir: string, read: ManifestIdentity): boolean {
  return !sameManifest(read, manifestIdentity(manifestFile(dir)));
}

/** The manifest of an archived run's folder; undefined when there is none (not archived, or not yet whole). */
export function readManifest(dir: string, runId: string): { manifest: ArchiveManifest; identity: ManifestIdentity } | undefined {
  let raw: unknown;
  let identity: ManifestIdentity | undefined;
  try {
    // Its identity first: a manifest replaced after the read is then told apart (catchUp).
    identity = manifestIdentity(manifestFile(dir));
    if (identity === undefined) return undefined;
    raw = readJsonIfExists(manifestFile(dir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DomainError('STORAGE_ERROR', `Cannot read the archive of run ${runId}: ${(e as Error).message}`, { run_id: runId });
  }
  if (raw === undefined) return undefined;
  const parsed = ArchiveManifestSchema.safeParse(raw);
  if (!parsed.success || parsed.data.run_id !== runId) {
    throw new DomainError('STORAGE_ERROR', `${manifestFile(dir)} is not an archive of run ${runId}.`, { run_id: runId });
  }
  if (parsed.data.archive_format > ARCHIVE_FORMAT) {
    throw new DomainError(
      'RUN_FORMAT_UNSUPPORTED',
      `Run ${runId} was archived by a newer Runboard (archive format ${parsed.data.archive_format}); update Runboard to read it.`,
      { run_id: runId },
    );
  }
  return { manifest: parsed.data, identity };
}

/** How often opening an archive reads its folder again when another process replaced it during the read. */
const OPEN_ATTEMPTS = 5;

export class ArchivedRun implements RunLog {
  readonly state: RunState;
  readonly lastSeq: number;
  /** Set when archived (out of the lists, read-only)… */
  readonly archive: ArchiveFacts | undefined;
  /** …or when compacted (listed; a write restores it first). */
  readonly compacted: ArchiveFacts | undefined;
  private goneFlag = false;

  private constructor(
    readonly root: string,
    readonly runId: string,
    readonly dir: string,
    readonly manifest: ArchiveManifest,
    private readonly identity: ManifestIdentity,
    final: Checkpoint,
    private readonly maxLineBytes: number,
    /** For a compacted run: restores it and answers the live run, which takes its writes. */
    private readonly reopen: (() => Promise<RunLog>) | undefined,
  ) {
    this.state = stateFromRecords(final.run, final.blackboard);
    this.state.commandsSeq = manifest.last_seq;
    this.lastSeq = manifest.last_seq;
    const files = [...manifest.segments, ...manifest.seals, ...manifest.checkpoints];
    const facts = {
      archived_at_ms: manifest.archived_at_ms,
      archived_by: manifest.archived_by,
      ...(manifest.reason !== undefined ? { reason: manifest.reason } : {}),
      archive_bytes: files.reduce((n, f) => n + f.bytes, 0),
      log_bytes: manifest.log_bytes,
    };
    this.archive = reopen ? undefined : facts;
    this.compacted = reopen ? facts : undefined;
  }

  static async open(
    root: string,
    runId: string,
    dir: string,
    maxLineBytes: number,
    reopen?: () => Promise<RunLog>,
  ): Promise<ArchivedRun | undefined> {
    for (let attempt = 1; ; attempt++) {
      const found = readManifest(dir, runId);
      if (!found) return undefined;
      const last = found.manifest.seals.at(-1);
      if (!last) throw new DomainError('STORAGE_ERROR', `The archive of run ${runId} has no seal.`, { run_id: runId });
      let sealed: unknown;
      try {
        sealed = await readGzipJson(path.join(dir, SEALS_DIR, last.file), last.sha256);
      } catch (e) {
        // The seal is read on the thread pool, meanwhile another process may have restored the run
        // (its seal gone) and compacted it anew (a seal of another name, or of the same name sealed
        // at another time): that is no damage, the folder is read again. A manifest still the one
        // read means the seal itself is missing or not the one sealed.
        if (!manifestMoved(dir, found.identity)) throw archiveUnreadable(runId, e);
        // Moved on again and again meanwhile: not held here now (the board looks again).
        if (attempt === OPEN_ATTEMPTS) return undefined;
        continue;
      }
      const final = checkpointOf(sealed);
      return new ArchivedRun(root, runId, dir, found.manifest, found.identity, final, maxLineBytes, reopen);
    }
  }

  get gone(): boolean {
    return this.goneFlag;
  }

  /** Nothing is appended to an archive; it is gone once its manifest is not the one read (restored, removed). */
  catchUp(): EventRecord[] {
    if (manifestMoved(this.dir, this.identity)) this.goneFlag = true;
    return [];
  }

  async readEvents(from: number, to: number, onEvent?: (e: EventRecord) => void): Promise<EventRecord[]> {
    return this.whileHeld(() => this.readSegments(from, to, onEvent));
  }

  private async readSegments(from: number, to: number, onEvent?: (e: EventRecord) => void): Promise<EventRecord[]> {
    const out: EventRecord[] = [];
    const wanted = this.manifest.segments.filter((s) => s.last_seq >= from && s.first_seq <= to);
    if (wanted.length === 0) return out;
    const unpack = (i: number) => readGzipFile(path.join(this.dir, SEGMENTS_DIR, wanted[i].file), wanted[i].sha256);
    const seq = new EventSequencer(this.runId, wanted[0].first_seq, this.maxLineBytes);
    // The next segment unpacks on the thread pool while this one is folded.
    let next = unpack(0);
    for (let i = 0; i < wanted.length; i++) {
      const data = await next;
      if (i + 1 < wanted.length) next = unpack(i + 1);
      let start = 0;
      for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
        for (const { event } of seq.push({ text: data.toString('utf8', start, nl), line: 0, start, end: nl + 1 })) {
          if (event.seq < from || event.seq > to) continue;
          if (onEvent) onEvent(event);
          else out.push(event);
        }
        start = nl + 1;
      }
    }
    return out;
  }

  async readPage(from: number, to: number): Promise<{ events: EventRecord[]; next: PageCursor | undefined }> {
    const events = await this.readEvents(from, to);
    return { events, next: events.length > 0 ? { after: events[events.length - 1].seq, at: undefined } : undefined };
  }

  async command<T>(...args: Parameters<RunLog['command']>): Promise<CommandOutcome<T>> {
    return (await this.live()).command(...(args as [never, never, never]));
  }

  /** The live run a write goes to: a compacted run restored; an archived one refuses. */
  private async live(): Promise<RunLog> {
    if (!this.reopen) throw archivedError(this.runId);
    // Restored now, or moved on by another process meanwhile (RUN_NOT_FOUND): either way this handle is spent, and a caller following moves looks again.
    this.goneFlag = true;
    return this.reopen();
  }

  /** What the run takes on disk: its sealed files. */
  diskBytes(): number {
    return (this.archive ?? this.compacted)!.archive_bytes;
  }

  /** An archived run holds no lease (archiving requeues them first). */
  async expireLeases(): Promise<void> {}

  listCheckpoints(): CheckpointListing[] {
    return this.manifest.checkpoints.map((c) => ({
      checkpoint_id: c.checkpoint_id,
      seq: c.seq,
      ts_ms: c.ts_ms,
      reason: c.reason,
      file: path.join(this.dir, ARCHIVED_CHECKPOINTS_DIR, c.file),
    }));
  }

  async readCheckpoint(c: CheckpointListing): Promise<Checkpoint> {
    const entry = this.manifest.checkpoints.find((x) => x.checkpoint_id === c.checkpoint_id && x.seq === c.seq);
    if (!entry) throw new Error(`the archive has no checkpoint ${c.checkpoint_id}`);
    return checkpointOf(await this.whileHeld(() => readGzipJson(c.file, entry.sha256)));
  }

  /**
   * A read of the folder's files. Another process may restore the run meanwhile (its files go) and
   * compact it anew (other files of the same names): a read that fails then is no damage but a run
   * that moved on — RUN_NOT_FOUND on a handle gone, which a caller following moves reads again
   * (RunRegistry.onRun).
   */
  private async whileHeld<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (e) {
      this.catchUp();
      if (!this.goneFlag) throw archiveUnreadable(this.runId, e);
      throw new DomainError('RUN_NOT_FOUND', `Run ${this.runId} moved while it was read: it was restored or compacted anew.`, {
        run_id: this.runId,
      });
    }
  }

  async writeCheckpoint(c: Checkpoint): Promise<void> {
    await (await this.live()).writeCheckpoint(c);
  }

  /** What the archive keeps besides the events: the last seal, which a replay of the segments must equal. */
  persisted(): Awaited<ReturnType<RunLog['persisted']>> {
    return { run: toRunRecord(this.state), blackboard: copyStoredBlackboard(this.state.blackboard) };
  }

  flush(): void {}

  /** An archive is written whole from its log: nothing recorded is missing from it. */
  lostEvents(): undefined {
    return undefined;
  }

  damageReport(): [] {
    return [];
  }

  examineDamage(): { damage: []; restore: null } {
    return { damage: [], restore: null };
  }

  async repair(restore: boolean): Promise<RepairRunResult> {
    return (await this.live()).repair(restore);
  }

  releaseFiles(): void {}

  close(): void {}
}

/** A file of the folder that cannot be read while nothing moved: the archive is damaged, and said so (not an internal error). */
function archiveUnreadable(runId: string, e: unknown): DomainError {
  if (e instanceof DomainError) return e;
  return new DomainError(
    'STORAGE_ERROR',
    `The sealed files of run ${runId} cannot be read: ${(e as Error).message}. Put the file back (a backup, git), or delete the run's folder to drop the run.`,
    { run_id: runId },
  );
}
