// Atomic file replacement: write a unique temp file beside the target, then rename over it, so
// a reader sees the old file or the new one, never a half-written one.
import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;

export function writeFileAtomic(file: string, data: string | Buffer, fsync: boolean): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      if (fsync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
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
