// Atomic file replacement: write a unique temp file beside the target, then rename over it, so
// a reader sees the old file or the new one, never a half-written one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crashPoint, CrashPoint } from './crashPoints';
import { NO_FOLLOW, readRegularFile } from './fileIdentity';
import { renameReplacing } from './platformFs';
import { writeAll } from './writeAll';

let counter = 0;

export function writeFileAtomic(file: string, data: string | Buffer, fsync: boolean, point?: CrashPoint): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  try {
    // Exclusive: a file (or symlink) already at the temp name is never written through.
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NO_FOLLOW, 0o644);
    try {
      writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
      if (fsync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (point) crashPoint(point);
    renameReplacing(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Parsed JSON, `undefined` when the file does not exist; throws on unreadable or invalid JSON,
 * and on a symbolic link (ELOOP): a cache or checkpoint is never read from outside the run folder.
 */
export function readJsonIfExists(file: string): unknown {
  const bytes = readBytesIfExists(file);
  return bytes === undefined ? undefined : JSON.parse(bytes.toString('utf8'));
}

/** A file's bytes, or undefined when there is none (never through a symbolic link). */
export function readBytesIfExists(file: string): Buffer | undefined {
  try {
    return readRegularFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const TEMP = /^\..+\.(\d+)\.\d+\.tmp$/;

/** Whether the process `pid` (on this machine) still runs: its leftovers are not taken for a dead writer's. */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp files left by writers that died before their rename. */
export function removeStaleTempFiles(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      fs.rmSync(path.join(dir, name), { force: true });
    } catch {
      // Read-only media or someone else's files: a reader leaves them be.
    }
  }
}
