// The OS advisory lock (flock) from fs-ext's native binding. The kernel frees it when the
// holder dies, so a kill -9 never leaves a lock behind. fs-ext is a NAN addon built for one
// Node ABI, so the bundle also looks for copies built for other runtimes (the extension host
// of code-server runs Node 24): dist/native/fs_ext-<platform>-<arch>-abi<N>.node.
import * as path from 'node:path';

interface FsExtBinding {
  flock(fd: number, operation: number, callback?: (err: NodeJS.ErrnoException | null) => void): void;
  constants: { LOCK_EX: number; LOCK_SH: number; LOCK_NB: number; LOCK_UN: number };
}

let binding: FsExtBinding | undefined;
let loadError: Error | undefined;

function candidates(): string[] {
  const name = `fs_ext-${process.platform}-${process.arch}-abi${process.versions.modules}.node`;
  const out = [path.join(__dirname, 'native', name), path.join(__dirname, '..', 'native', name)];
  try {
    out.push(require.resolve('fs-ext/build/Release/fs_ext.node'));
  } catch {
    // Not installed as a package (a packaged extension): the native/ copies must do.
  }
  return out;
}

export function flockBinding(): FsExtBinding {
  if (binding) return binding;
  if (loadError) throw loadError;
  const tried: string[] = [];
  for (const file of candidates()) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      binding = require(file) as FsExtBinding;
      return binding;
    } catch (e) {
      tried.push(`${file}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  loadError = new Error(
    `Runboard needs fs-ext's flock binding for Node ABI ${process.versions.modules} (${process.version}); none loaded.\n  ${tried.join('\n  ')}\n` +
      'Run it on the Node.js it was built for, or rebuild fs-ext (npm rebuild fs-ext).',
  );
  throw loadError;
}

/** Takes the exclusive lock without blocking; false when another process holds it. */
export function tryLockExclusive(fd: number): boolean {
  const b = flockBinding();
  try {
    b.flock(fd, b.constants.LOCK_EX | b.constants.LOCK_NB);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return false;
    throw e;
  }
}

/**
 * Takes the exclusive lock with a blocking flock on a libuv worker thread, so the event loop runs
 * on and the kernel hands the lock over the moment its holder lets go; `done` runs on the loop.
 */
export function lockExclusiveOnWorker(fd: number, done: (err: NodeJS.ErrnoException | null) => void): void {
  const b = flockBinding();
  b.flock(fd, b.constants.LOCK_EX, (err) => done(err ?? null));
}

/** Takes a shared lock without blocking; false when someone holds it exclusively. */
export function tryLockShared(fd: number): boolean {
  const b = flockBinding();
  try {
    b.flock(fd, b.constants.LOCK_SH | b.constants.LOCK_NB);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return false;
    throw e;
  }
}

export function unlock(fd: number): void {
  const b = flockBinding();
  b.flock(fd, b.constants.LOCK_UN);
}
