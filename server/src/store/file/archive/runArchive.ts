// Archiving (or compacting) and restoring a run on the file store (PROTOCOL.md §Archived runs); a
// compacted run is held the same way in compacted/ instead of archive/. Both copy first and
// remove after, with one rename as the commit point, so a kill at any step loses nothing:
// - archive, under the run's lock: the archive is written in a folder of its own beside the others,
//   renamed to archive/<id> (whole, manifest included), then the run's folder leaves runs/ in one
//   rename (runs/.<id>.<pid>.archived, removed after). Killed before that rename, the run is still
//   live and the archive a leftover.
// - restore, under the root's creation lock: the log and checkpoints are unpacked into
//   runs/.<id>.<pid>.restoring, checked against the manifest, renamed to runs/<id>; then, under the
//   new log's lock, the archive is removed. Killed before that, the archive is the leftover.
// A run live in runs/ wins over an archive of the same id: the archive is removed — only ever
// under that run's lock, with its log at the path, so an archive being made is never taken for one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINTS_DIR, EVENTS_FILE } from '../../../../../contract/layout';
import { DomainError } from '../../../engine/errors';
import type { RunState } from '../../../engine/state';
import { processAlive, writeFileAtomic } from '../atomicFile';
import { crashPoint } from '../crashPoints';
import { assertWritable } from '../eventLog';
import { NO_FOLLOW } from '../fileIdentity';
import { runDir, runsDir } from '../paths';
import { syncDirectory } from '../platformFs';
import type { RunHandle } from '../runHandle';
import { writeAll } from '../writeAll';
import {
  ARCHIVED_CHECKPOINTS_DIR,
  type ArchiveManifest,
  heldRunDir,
  type Holding,
  HOLDINGS,
  holdingDir,
  manifestFile,
  SEGMENTS_DIR,
} from './archiveFormat';
import { readManifest } from './archivedRun';
import { type ArchiveWrite, writeArchive } from './archiveWriter';
import { readGzipFile } from './gzipFiles';

/** Folders this module leaves while it works (names no run id can have: they start with a dot). */
const WORK_FOLDER = /^\.(.+)\.(\d+)\.(archived|restoring|archiving)$/;

function storageError(what: string, e: unknown, runId: string): DomainError {
  if (e instanceof DomainError) return e;
  return new DomainError('STORAGE_ERROR', `Cannot ${what} run ${runId}: ${(e as Error).message}`, { run_id: runId });
}

/**
 * Removes what archive/ or compacted/ hold of a run that is live: called only under that run's lock,
 * its log at the path. The manifest goes first: a folder is removed file by file, and a reader in
 * another process that finds a seal or segment missing then sees the manifest moved (and looks
 * again) instead of the same manifest naming files that are not there.
 */
export function removeLeftoverArchive(root: string, runId: string): void {
  for (const h of HOLDINGS) {
    const dir = heldRunDir(root, runId, h);
    fs.rmSync(manifestFile(dir), { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Where a run that is not live is held, if anywhere. */
export function holdingOf(root: string, runId: string): Holding | undefined {
  return HOLDINGS.find((h) => readManifest(heldRunDir(root, runId, h), runId) !== undefined);
}

export async function archiveRunFiles(
  root: string,
  handle: RunHandle,
  check: (state: RunState) => void,
  note: ArchiveWrite,
  holding: Holding,
): Promise<ArchiveManifest> {
  const runId = handle.runId;
  const target = heldRunDir(root, runId, holding);
  const aside = path.join(runsDir(root), `.${runId}.${process.pid}.archived`);
  let manifest: ArchiveManifest | undefined;
  let moved = false;
  await handle.moveToArchive(holding === 'compacted', check, async (src) => {
    const log = path.join(runDir(root, runId), EVENTS_FILE);
    assertWritable(log, fs.statSync(log).mode);
    const work = path.join(holdingDir(root, holding), `.${runId}.${process.pid}.archiving`);
    try {
      removeLeftoverArchive(root, runId);
      fs.rmSync(work, { recursive: true, force: true });
      fs.mkdirSync(work, { recursive: true });
      manifest = await writeArchive(src, work, note);
      // Read back before the run leaves runs/: the archive is the only copy after that.
      if (readManifest(work, runId)?.manifest.last_seq !== manifest.last_seq) throw new Error('its manifest did not read back');
      fs.renameSync(work, target);
      if (note.fsync) syncDirectory(holdingDir(root, holding));
    } catch (e) {
      fs.rmSync(work, { recursive: true, force: true });
      throw storageError(holding === 'compacted' ? 'compact' : 'archive', e, runId);
    }
    crashPoint('archive-in-place');
    // The run leaves runs/ in one step. Windows does not rename a folder holding an open file: there
    // the log is unlinked instead (its folder, without a log, is no run), and the rest removed after.
    try {
      fs.renameSync(runDir(root, runId), aside);
      moved = true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (!['EPERM', 'EACCES', 'EBUSY'].includes(code)) {
        removeLeftoverArchive(root, runId);
        throw storageError(holding === 'compacted' ? 'compact' : 'archive', e, runId);
      }
      fs.unlinkSync(path.join(runDir(root, runId), EVENTS_FILE));
    }
    if (note.fsync) syncDirectory(runsDir(root));
    crashPoint('archive-run-moved');
  });
  fs.rmSync(moved ? aside : runDir(root, runId), { recursive: true, force: true });
  return manifest!;
}

/** Unpacks the archive into a new run folder under runs/ (the caller holds the root's creation lock). */
export async function unpackArchive(root: string, runId: string, fsync: boolean, holding: Holding): Promise<void> {
  const dir = heldRunDir(root, runId, holding);
  const found = readManifest(dir, runId);
  if (!found) throw new DomainError('RUN_NOT_FOUND', `No archived run ${runId}.`, { run_id: runId });
  const { manifest } = found;
  const work = path.join(runsDir(root), `.${runId}.${process.pid}.restoring`);
  try {
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(path.join(work, CHECKPOINTS_DIR), { recursive: true });
    const log = path.join(work, EVENTS_FILE);
    const fd = fs.openSync(log, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NO_FOLLOW, 0o644);
    let bytes = 0;
    try {
      for (const s of manifest.segments) {
        const data = await readGzipFile(path.join(dir, SEGMENTS_DIR, s.file), s.sha256);
        let lines = 0;
        for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) lines++;
        if (lines !== s.lines || data[data.length - 1] !== 10)
          throw new Error(`${s.file} holds ${lines} lines, the manifest says ${s.lines}`);
        writeAll(fd, data);
        bytes += data.length;
      }
      if (bytes !== manifest.log_bytes) throw new Error(`the segments hold ${bytes} bytes, the archived log had ${manifest.log_bytes}`);
      if (fsync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    crashPoint('restore-log');
    for (const c of manifest.checkpoints) {
      const data = await readGzipFile(path.join(dir, ARCHIVED_CHECKPOINTS_DIR, c.file), c.sha256);
      writeFileAtomic(path.join(work, CHECKPOINTS_DIR, c.file.replace(/\.gz$/, '')), data, fsync);
    }
    if (fsync) for (const d of [path.join(work, CHECKPOINTS_DIR), work]) syncDirectory(d);
    // A run folder left without a log (a restore or archive killed midway on Windows) is no run: it makes way.
    fs.rmSync(runDir(root, runId), { recursive: true, force: true });
    fs.renameSync(work, runDir(root, runId));
    if (fsync) syncDirectory(runsDir(root));
  } catch (e) {
    fs.rmSync(work, { recursive: true, force: true });
    throw storageError('restore', e, runId);
  }
  crashPoint('restore-in-place');
}

/** Folders a killed archive or restore left (its process is gone), removed; those of live processes are left alone. */
export function sweepWorkFolders(root: string): void {
  for (const dir of [runsDir(root), ...HOLDINGS.map((h) => holdingDir(root, h))]) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = WORK_FOLDER.exec(name);
      if (!m || (m[3] !== 'archived' && processAlive(Number(m[2])))) continue;
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}
