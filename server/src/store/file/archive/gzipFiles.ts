// The archive's compressed files: written whole with gzip (level 6) and read whole with gunzip,
// both on libuv's thread pool (zlib's async calls), so the event loop goes on meanwhile; each
// file's sha256 is kept in the manifest and checked before a byte of it is used.
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { NO_FOLLOW } from '../fileIdentity';
import { writeAll } from '../writeAll';
import { sha256 } from '../contentDigest';

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

/** Writes `data` gzipped to a new file (never over one, never through a symlink), synced when asked. */
export async function writeGzipFile(file: string, data: Buffer, fsync: boolean): Promise<{ sha256: string; bytes: number }> {
  const packed = await gzip(data, { level: 6 });
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NO_FOLLOW, 0o644);
  try {
    writeAll(fd, packed);
    if (fsync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { sha256: sha256(packed), bytes: packed.length };
}

/** A file's contents, unpacked, after its sha256 is found to be the one the manifest keeps. */
export async function readGzipFile(file: string, expectedSha256: string): Promise<Buffer> {
  const handle = await fs.promises.open(file, fs.constants.O_RDONLY | NO_FOLLOW);
  let packed: Buffer;
  try {
    packed = await handle.readFile();
  } finally {
    await handle.close();
  }
  if (sha256(packed) !== expectedSha256) throw new Error(`${file} is not the file the archive sealed (its sha256 differs)`);
  return gunzip(packed);
}

/** A sealed JSON file (a seal, a checkpoint), checked and parsed. */
export async function readGzipJson(file: string, expectedSha256: string): Promise<unknown> {
  return JSON.parse((await readGzipFile(file, expectedSha256)).toString('utf8'));
}
