// Atomic file replacement: write a unique temp file beside the target, then rename over it, so
// a reader sees the old file or the new one, never a half-written one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crashPoint, CrashPoint } from './crashPoints';
import { renameReplacing } from './platformFs';

let counter = 0;

export function writeFileAtomic(file: string, data: string | Buffer, fsync: boolean, point?: CrashPoint): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
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

/** Parsed JSON, `undefined` when the file does not exist; throws on unreadable or invalid JSON. */
export function readJsonIfExists(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text);
}

const TEMP = /^\..+\.(\d+)\.\d+\.tmp$/;

function alive(pid: number): boolean {
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
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) fs.rmSync(path.join(dir, name), { force: true });
  }
}
