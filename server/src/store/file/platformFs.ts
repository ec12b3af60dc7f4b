// File-system calls whose behaviour differs by platform. The platform and the calls are injectable,
// so the Windows and macOS branches are unit-tested on Linux (nothing here runs them for real).
import * as fs from 'node:fs';
import { renameRetryDelay } from '../../../../contract/renameRetry';

export interface FsHost {
  platform: NodeJS.Platform;
  rename(from: string, to: string): void;
  fsyncDirectory(dir: string): void;
  sleep(ms: number): void;
  readdir(dir: string): string[];
}

/** Blocks the thread for `ms` (the store's writes are synchronous, under the run lock). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export const HOST: FsHost = {
  platform: process.platform,
  rename: (from, to) => fs.renameSync(from, to),
  fsyncDirectory: (dir) => {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
  sleep: sleepSync,
  readdir: (dir) => fs.readdirSync(dir),
};

/** A rename onto `to`, tried again while Windows says another program holds it (contract/renameRetry.ts). */
export function renameReplacing(from: string, to: string, host: FsHost = HOST): void {
  for (let attempt = 0; ; attempt++) {
    try {
      host.rename(from, to);
      return;
    } catch (e) {
      const delay = renameRetryDelay(host.platform, (e as NodeJS.ErrnoException).code, attempt);
      if (delay === undefined) throw e;
      host.sleep(delay);
    }
  }
}

/**
 * Makes a directory's entries (a new file, a rename into it) durable. Windows cannot open a
 * directory for flushing (NTFS makes metadata durable with the file), so there it is a no-op; file
 * systems that refuse it elsewhere (EINVAL, EISDIR, EPERM, ENOTSUP on some network and FUSE
 * mounts) are left as they are: the data itself was already flushed.
 */
const DIRECTORY_SYNC_REFUSED = new Set(['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP', 'EBADF', 'EACCES']);

export function syncDirectory(dir: string, host: FsHost = HOST): void {
  if (host.platform === 'win32') return;
  try {
    host.fsyncDirectory(dir);
  } catch (e) {
    if (!DIRECTORY_SYNC_REFUSED.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
  }
}

/**
 * Whether the run's log is opened O_APPEND. Windows (libuv) takes FILE_WRITE_DATA from a handle
 * opened so, and ftruncate needs it (EPERM): a crashed writer's torn last line could never be cut
 * off, and the run would refuse every write from then on. There the log is opened for writing at
 * positions, each write at the file's end as fstat gives it — under the run lock, so no other writer moves it.
 */
export function logAppends(host: Pick<FsHost, 'platform'> = HOST, env: NodeJS.ProcessEnv = process.env): boolean {
  // RUNBOARD_LOG_WRITES=positional: the tests' way to run the Windows branch here (scripts/run-tests.mjs).
  return host.platform !== 'win32' && env.RUNBOARD_LOG_WRITES !== 'positional';
}

/**
 * Whether a folder holds an entry named in exactly that case. A file system that ignores case
 * (macOS, Windows; on Linux a casefold folder, a mounted share) finds a file named in another case
 * (`run1` opens `Run1`), which is another run's folder, not this one's. Each folder's listing is
 * kept and read again only when a name is not in it (a run made since): a board opening its runs
 * one by one reads its folder once, not once per run. A folder that cannot be listed says nothing
 * against a name.
 */
export class ExactNames {
  private readonly listed = new Map<string, Set<string>>();

  constructor(private readonly host: Pick<FsHost, 'readdir'> = HOST) {}

  has(dir: string, name: string): boolean {
    if (this.listed.get(dir)?.has(name)) return true;
    let names: Set<string>;
    try {
      names = new Set(this.host.readdir(dir));
    } catch {
      return true;
    }
    this.listed.set(dir, names);
    return names.has(name);
  }
}
