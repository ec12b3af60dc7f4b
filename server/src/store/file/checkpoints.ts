// runs/<id>/checkpoints/<seq, 20 digits>-<checkpoint_id>.json, written atomically; several may
// share a seq. A file that cannot be parsed is listed (from its name) as unreadable.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINTS_DIR } from '../../../../contract/layout';
import type { Checkpoint } from '../../../../contract/schemas/records';
import { checkpointOf } from '../checkpointRecord';
import { compareCheckpoints } from '../../engine/replay';
import { readJsonIfExists, writeFileAtomic } from './atomicFile';
import { syncDirectory } from './platformFs';
import { refuseLinkedFolder } from './fileIdentity';
import type { CheckpointListing } from '../boardStore';

const NAME = /^(\d{20})-(.+)\.json$/;

export function checkpointDir(runDir: string): string {
  return path.join(runDir, CHECKPOINTS_DIR);
}

export function checkpointFileName(seq: number, checkpointId: string): string {
  return `${String(seq).padStart(20, '0')}-${checkpointId}.json`;
}

export function writeCheckpoint(runDir: string, cp: Checkpoint, fsync: boolean): string {
  const dir = checkpointDir(runDir);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    // A file where the folder goes (made by hand, a copy gone wrong): mkdir's EEXIST says nothing of that.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${dir} is a file, not a folder: move it away to keep checkpoints`);
    throw e;
  }
  refuseLinkedFolder(dir);
  const file = path.join(dir, checkpointFileName(cp.seq, cp.checkpoint_id));
  writeFileAtomic(file, JSON.stringify(cp, null, 1), fsync, 'checkpoint-write');
  // The rename is durable only with its folder's entry.
  if (fsync) syncDirectory(dir);
  return file;
}

/**
 * The checkpoint in `file`, which must be one of run `runId` holding what its name says (seq,
 * id): a file copied from another run's folder, or renamed, is no checkpoint of this run — replay
 * would start from another history, and a repair would restore it.
 */
export function readCheckpointFile(file: string, runId: string): Checkpoint {
  const raw = readJsonIfExists(file);
  if (raw === undefined) throw new Error('the file is gone');
  const cp = checkpointOf(raw);
  if (cp.run_id !== runId) throw new Error(`it is a checkpoint of run ${cp.run_id}, not of ${runId}`);
  const named = NAME.exec(path.basename(file));
  if (named && (Number(named[1]) !== cp.seq || named[2] !== cp.checkpoint_id)) {
    throw new Error(`it holds checkpoint ${cp.checkpoint_id} at seq ${cp.seq}, not what its file name says`);
  }
  return cp;
}

/** Every checkpoint of run `runId`, seq ascending (then ts_ms, then id); unreadable ones flagged. */
export function listCheckpoints(runDir: string, runId: string): CheckpointListing[] {
  const dir = checkpointDir(runDir);
  let names: string[];
  try {
    // Nor read through a link: what is out of the run folder is no checkpoint of it.
    refuseLinkedFolder(dir);
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: CheckpointListing[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    try {
      const cp = readCheckpointFile(file, runId);
      out.push({ checkpoint_id: cp.checkpoint_id, seq: cp.seq, ts_ms: cp.ts_ms, reason: cp.reason, file });
    } catch (e) {
      out.push({ checkpoint_id: m[2], seq: Number(m[1]), ts_ms: 0, reason: '', unreadable: true, problem: (e as Error).message, file });
    }
  }
  return out.sort(compareCheckpoints);
}
