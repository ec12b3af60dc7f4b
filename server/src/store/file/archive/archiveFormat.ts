// An archived run's folder, .runboard/archive/<run_id>/ (PROTOCOL.md §Archived runs): the log's
// lines, unchanged, in sealed gzip segments (segments/<first seq, 20 digits>.jsonl.gz), each
// sealed with the run and blackboard at its last seq (seals/<last seq>.json.gz), the run's
// checkpoints (checkpoints/<name>.json.gz), and archive.json, written last, listing them all with
// their sha256. gzip, from Node's zlib: every Node since 0.x reads it, and so does `zcat`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ARCHIVE_DIR, ARCHIVE_MANIFEST_FILE, COMPACTED_DIR, RUNBOARD_DIR } from '../../../../../contract/layout';
import { assertRunId } from '../../../engine/ids';

/** The layout's version: a reader refuses an archive of a version it does not know. */
export const ARCHIVE_FORMAT = 1;

/** A segment ends at whichever comes first (a reader of a range decompresses only the segments holding it). */
export const SEGMENT_LIMITS = { events: 65_536, bytes: 32 * 1024 * 1024 } as const;

export const SEGMENTS_DIR = 'segments';
export const SEALS_DIR = 'seals';
export const ARCHIVED_CHECKPOINTS_DIR = 'checkpoints';

const FileEntry = z.object({
  file: z.string().regex(/^[A-Za-z0-9._-]+$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int(),
});

export const ArchiveManifestSchema = z.object({
  archive_format: z.number().int().positive(),
  run_id: z.string(),
  /** The last seq of the log; the archive holds every line up to it. */
  last_seq: z.number().int().positive(),
  /** The log's size in bytes when it was archived (what restoring writes back). */
  log_bytes: z.number().int().nonnegative(),
  archived_at_ms: z.number(),
  archived_by: z.string(),
  reason: z.string().optional(),
  segments: z.array(
    FileEntry.extend({ first_seq: z.number().int().positive(), last_seq: z.number().int().positive(), lines: z.number().int().positive() }),
  ),
  seals: z.array(FileEntry.extend({ seq: z.number().int().positive() })),
  checkpoints: z.array(
    FileEntry.extend({ checkpoint_id: z.string(), seq: z.number().int().nonnegative(), ts_ms: z.number(), reason: z.string() }),
  ),
});
export type ArchiveManifest = z.infer<typeof ArchiveManifestSchema>;

/** Where a run's sealed segments are kept: archived (out of the lists, read-only) or compacted (still listed, writable). */
export type Holding = 'archive' | 'compacted';
export const HOLDINGS: readonly Holding[] = ['archive', 'compacted'];

export function holdingDir(root: string, holding: Holding): string {
  return path.join(root, RUNBOARD_DIR, holding === 'archive' ? ARCHIVE_DIR : COMPACTED_DIR);
}

export function heldRunDir(root: string, runId: string, holding: Holding): string {
  assertRunId(runId);
  return path.join(holdingDir(root, holding), runId);
}

export function manifestFile(dir: string): string {
  return path.join(dir, ARCHIVE_MANIFEST_FILE);
}

/** Whether the run is held so (its manifest, written last, is there). */
export function isHeld(root: string, runId: string, holding: Holding): boolean {
  return fs.existsSync(manifestFile(heldRunDir(root, runId, holding)));
}

export const seqName = (seq: number): string => String(seq).padStart(20, '0');
