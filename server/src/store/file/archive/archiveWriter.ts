// Writes an archived run's folder (archiveFormat.ts) from its log, into a folder of its own that
// the caller then moves into place: the log's complete lines, byte for byte, cut into segments;
// after each segment the run and blackboard at its last seq (a seal); the checkpoints; the
// manifest last. Every file is synced (with `fsync`) before the manifest names it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Checkpoint, EventRecord } from '../../../../../contract/schemas/records';
import { applyEvent, emptyRunState, toBlackboard, toRunRecord } from '../../../engine/state';
import type { ArchiveNote, CheckpointListing } from '../../boardStore';
import { writeFileAtomic } from '../atomicFile';
import { crashPoint } from '../crashPoints';
import { readRegularFile } from '../fileIdentity';
import { syncDirectory } from '../platformFs';
import {
  ARCHIVE_FORMAT,
  ARCHIVED_CHECKPOINTS_DIR,
  type ArchiveManifest,
  manifestFile,
  SEALS_DIR,
  SEGMENT_LIMITS,
  SEGMENTS_DIR,
  seqName,
} from './archiveFormat';
import { writeGzipFile } from './gzipFiles';
import { parseLogLine } from '../logLine';

const read = promisify(fs.read);
const CHUNK = 4 * 1024 * 1024;

export interface ArchiveSource {
  runId: string;
  /** The log's descriptor (held under the run's lock) and how many of its bytes are complete lines. */
  fd: number;
  logBytes: number;
  lastSeq: number;
  /** The run and blackboard at the last seq, as the store folded them: the last seal. */
  final: Omit<Checkpoint, 'checkpoint_id' | 'reason' | 'ts_ms'>;
  checkpoints: CheckpointListing[];
}

/** Who archives, when and why, and whether to sync what is written. */
export type ArchiveWrite = ArchiveNote & { fsync: boolean };

/** The lines of the log's first `bytes` bytes, read in chunks off the event loop. */
async function* logLines(fd: number, bytes: number): AsyncGenerator<Buffer> {
  let rest = Buffer.alloc(0);
  for (let at = 0; at < bytes;) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, bytes - at));
    const { bytesRead } = await read(fd, chunk, 0, chunk.length, at);
    if (bytesRead === 0) throw new Error(`the log ended at byte ${at} of ${bytes}`);
    at += bytesRead;
    let data = Buffer.concat([rest, chunk.subarray(0, bytesRead)]);
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10)) {
      yield data.subarray(0, nl + 1);
      data = data.subarray(nl + 1);
    }
    rest = Buffer.from(data);
  }
  if (rest.length > 0) throw new Error('the log does not end with a complete line');
}

/** The seq a line carries when it is an event of this run (a damaged line, folded around by readers, carries none). */
function eventOf(line: Buffer, runId: string): EventRecord | undefined {
  try {
    const e = parseLogLine(line.toString('utf8')) as EventRecord;
    return e && e.run_id === runId && Number.isInteger(e.seq) && e.seq > 0 ? e : undefined;
  } catch {
    return undefined;
  }
}

export async function writeArchive(src: ArchiveSource, dir: string, note: ArchiveWrite): Promise<ArchiveManifest> {
  for (const d of [SEGMENTS_DIR, SEALS_DIR, ARCHIVED_CHECKPOINTS_DIR]) fs.mkdirSync(path.join(dir, d), { recursive: true });
  const manifest: ArchiveManifest = {
    archive_format: ARCHIVE_FORMAT,
    run_id: src.runId,
    last_seq: src.lastSeq,
    log_bytes: src.logBytes,
    archived_at_ms: note.at_ms,
    archived_by: note.by,
    ...(note.reason ? { reason: note.reason } : {}),
    segments: [],
    seals: [],
    checkpoints: [],
  };
  const state = emptyRunState(src.runId);
  let lines: Buffer[] = [];
  let size = 0;
  let first = 0;
  let last = 0;
  const seal = async (run: Checkpoint['run'], blackboard: Checkpoint['blackboard'], seq: number) => {
    const file = `${seqName(seq)}.json.gz`;
    const body: Checkpoint = {
      checkpoint_id: `seal-${seq}`,
      run_id: src.runId,
      seq,
      ts_ms: note.at_ms,
      reason: 'archive seal',
      run,
      blackboard,
    };
    const written = await writeGzipFile(path.join(dir, SEALS_DIR, file), Buffer.from(JSON.stringify(body)), note.fsync);
    manifest.seals.push({ file, seq, ...written });
  };
  const cut = async (isLast: boolean) => {
    if (lines.length === 0) return;
    const file = `${seqName(first)}.jsonl.gz`;
    const written = await writeGzipFile(path.join(dir, SEGMENTS_DIR, file), Buffer.concat(lines, size), note.fsync);
    manifest.segments.push({ file, first_seq: first, last_seq: last, lines: lines.length, ...written });
    crashPoint('archive-segment');
    // The last seal is the store's own fold (it knows what repairs restored); the others, this fold.
    if (isLast) await seal(src.final.run, src.final.blackboard, src.lastSeq);
    else await seal(toRunRecord(state), toBlackboard(state), last);
    lines = [];
    size = 0;
    first = 0;
  };
  for await (const line of logLines(src.fd, src.logBytes)) {
    const e = eventOf(line, src.runId);
    if (e) {
      applyEvent(state, e);
      if (first === 0) first = e.seq;
      last = Math.max(last, e.seq);
    }
    lines.push(line);
    size += line.length;
    // A segment ends where a commit does: a reader that starts at a segment never meets half a batch.
    const endsCommit = e !== undefined && (e.batch_end === undefined || e.batch_end === e.seq);
    if (endsCommit && (lines.length >= SEGMENT_LIMITS.events || size >= SEGMENT_LIMITS.bytes)) await cut(false);
  }
  // Lines after the last event (damage) go with the last segment.
  if (lines.length > 0 && first === 0) first = last = src.lastSeq;
  await cut(true);
  for (const c of src.checkpoints.filter((x) => !x.unreadable)) {
    const file = `${path.basename(c.file)}.gz`;
    const written = await writeGzipFile(path.join(dir, ARCHIVED_CHECKPOINTS_DIR, file), readRegularFile(c.file), note.fsync);
    manifest.checkpoints.push({ file, checkpoint_id: c.checkpoint_id, seq: c.seq, ts_ms: c.ts_ms, reason: c.reason, ...written });
  }
  if (note.fsync) for (const d of [SEGMENTS_DIR, SEALS_DIR, ARCHIVED_CHECKPOINTS_DIR]) syncDirectory(path.join(dir, d));
  crashPoint('archive-manifest');
  writeFileAtomic(manifestFile(dir), JSON.stringify(manifest, null, 1), note.fsync);
  if (note.fsync) syncDirectory(dir);
  return manifest;
}
