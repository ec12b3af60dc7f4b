// Which file a descriptor holds, and whether it is still the file at its path. Editors' atomic
// saves, `sed -i`, rsync and `git stash` replace a file by rename, and people delete files: a
// long-lived process that keeps a descriptor open must notice, or it reads and writes a file
// nobody else sees any more.
import * as fs from 'node:fs';

/** Device and inode, exact (bigint: NTFS file ids do not fit a double). */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
}

export type AtPath = 'same' | 'replaced' | 'missing';

/** O_NOFOLLOW where the platform has it: a log or lock swapped for a symlink is refused (ELOOP), not followed. */
export const NO_FOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/**
 * A descriptor of `file` for reading, when it is a regular file (not followed through a symlink):
 * a FIFO, a device or a folder at its path is an error (ENOTREG-like EINVAL), never an open that
 * blocks the process — a FIFO planted as a run's log hung every CLI call and the server with it.
 * The path is looked at before a plain open (an open O_NONBLOCK would leave the descriptor
 * non-blocking for every read after it); the descriptor's type is checked again after.
 */
export function openRegularFile(file: string): number {
  const st = fs.lstatSync(file);
  // A symlink goes on to the open, whose O_NOFOLLOW refuses it (ELOOP: whyUnreadable says it).
  if (st.isFile() || st.isSymbolicLink()) {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | NO_FOLLOW);
    if (fs.fstatSync(fd).isFile()) return fd;
    fs.closeSync(fd);
  }
  throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EINVAL' });
}

/** The bytes of a regular file (openRegularFile). */
export function readRegularFile(file: string): Buffer {
  const fd = openRegularFile(file);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function identityOf(fd: number): FileIdentity {
  const st = fs.fstatSync(fd, { bigint: true });
  return { dev: st.dev, ino: st.ino };
}

/** Whether `file` is still the file `held` names: the same, replaced (or now a symlink), or gone. */
export function compareAtPath(file: string, held: FileIdentity): AtPath {
  return lookAtPath(file, held).at;
}

/** compareAtPath, with the size of what is at the path (0 when nothing is): one lstat. */
export function lookAtPath(file: string, held: FileIdentity): { at: AtPath; size: number } {
  let st: fs.BigIntStats;
  try {
    st = fs.lstatSync(file, { bigint: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
      return { at: 'missing', size: 0 };
    throw e;
  }
  const same = !st.isSymbolicLink() && st.dev === held.dev && st.ino === held.ino;
  return { at: same ? 'same' : 'replaced', size: Number(st.size) };
}

/** A file as it was last seen: its identity, size and modification time — a rewrite by rename is another inode; a reused inode differs in mtime. */
export interface FileStamp extends FileIdentity {
  size: bigint;
  mtimeNs: bigint;
}

/** The stamp of what is at `file` (not following a symlink), or undefined when nothing is. */
export function stampAt(file: string): FileStamp | undefined {
  try {
    const st = fs.lstatSync(file, { bigint: true });
    return { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs };
  } catch {
    return undefined;
  }
}

export function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return sameFile(a, b) && a!.size === b!.size && a!.mtimeNs === b!.mtimeNs;
}

export function sameFile(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;
}

/** Why `file` could not be opened, for a person: a symlink (ELOOP under NO_FOLLOW) said as such. */
export function whyUnreadable(file: string, e: NodeJS.ErrnoException): string {
  return e.code === 'ELOOP' ? notFollowedText(file) : e.message;
}

function notFollowedText(file: string): string {
  return `${file} is a symbolic link; Runboard does not follow it out of the run folder`;
}

/** A folder Runboard writes or reads in (a run's checkpoints) replaced by a link: refused as a file is under NO_FOLLOW. */
export function refuseLinkedFolder(dir: string): void {
  if (fs.lstatSync(dir).isSymbolicLink()) throw Object.assign(new Error(notFollowedText(dir)), { code: 'ELOOP' });
}
