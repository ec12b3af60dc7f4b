// The OS file lock, from fs-native-extensions: an N-API addon (one binary per platform and arch,
// for every Node and Electron) whose npm package carries prebuilt binaries for every desktop
// target. Linux: open-file-description locks (fcntl F_OFD_SETLK); macOS: flock; Windows:
// LockFileEx. The kernel frees each lock when its holder dies, so kill -9 never leaves one behind.
//
// Two traps shape the callers: OFD locks need a descriptor opened for reading and writing (EBADF
// on one opened read-only or append-only), and Windows locks are mandatory — so there a lock
// covers one byte far past the end of any log (lockRegion), which readers and appends never touch.
//
// The package's own loader (require-addon) finds the binary beside the package at run time, which
// a bundle has not; its index.js is a thin wrapper over three binding calls. So this module loads
// the binary itself — from dist/native/<target>/ in the bundles, from the package in development —
// and wraps those three calls the same way.
import * as path from 'node:path';
import lockBinary from './lockBinary.json';

/** The binding's own calls (fs-native-extensions 1.5.1, binding.c); offset 0 and length 0 mean the whole file. */
interface LockBinding {
  tryLock(fd: number, offset: number, length: number, exclusive: boolean): void;
  waitForLock(
    fd: number,
    offset: number,
    length: number,
    exclusive: boolean,
    ctx: object,
    cb: (this: object, err: Error | null) => void,
  ): ArrayBuffer;
  unlock(fd: number, offset: number, length: number): void;
}

// Declared in a JSON file, so esbuild.mjs copies the same binaries this module loads.
export const LOCK_PACKAGE: string = lockBinary.package;
export const LOCK_BINARY: string = lockBinary.binary;
/** The desktop targets VS Code runs on: the build copies each one's binary, the VSIX ships them all. */
export const LOCK_TARGETS: readonly string[] = lockBinary.targets;

export interface HostFacts {
  platform: NodeJS.Platform;
  arch: string;
  /** Linux only: whether the C library is glibc (Alpine's musl cannot load the glibc builds). Asked only when a load fails. */
  glibc?: () => boolean;
}

/** True on Linux with glibc; musl reports no glibc version. A full process report: only worth it after a failure. */
function hasGlibc(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return typeof report?.header?.glibcVersionRuntime === 'string';
}

/** The binary folder name for a platform and arch, or what is unsupported. */
export function lockTarget(platform: string, arch: string): { target: string } | { unsupported: string } {
  const target = `${platform}-${arch}`;
  return LOCK_TARGETS.includes(target) ? { target } : { unsupported: target };
}

/** Where the binary for `target` may be: beside the bundles (dist/native/), else in the installed package. */
export function bindingCandidates(target: string, bundleDir = __dirname): string[] {
  const out = [path.join(bundleDir, 'native', target, LOCK_BINARY)];
  try {
    out.push(path.join(path.dirname(require.resolve(`${LOCK_PACKAGE}/package.json`)), 'prebuilds', target, LOCK_BINARY));
  } catch {
    // Not installed as a package (the packaged extension): dist/native must do.
  }
  return out;
}

function unsupportedMessage(what: string): string {
  return `Runboard has no file-lock binary for ${what}: it runs on ${LOCK_TARGETS.join(', ')} (Linux with glibc). See "Platforms" in the README.`;
}

/**
 * Loads the binding for `host` from the first candidate that loads; throws a message naming the
 * target when there is none (an unsupported platform, musl) or none loads.
 */
export function loadLockBinding(host: HostFacts, candidates: (target: string) => string[], load: (file: string) => unknown): LockBinding {
  const t = lockTarget(host.platform, host.arch);
  if ('unsupported' in t) throw new Error(unsupportedMessage(t.unsupported));
  const tried: string[] = [];
  for (const file of candidates(t.target)) {
    try {
      return load(file) as LockBinding;
    } catch (e) {
      tried.push(`${file}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (host.platform === 'linux' && host.glibc && !host.glibc()) throw new Error(unsupportedMessage(`${t.target} with musl libc (Alpine)`));
  throw new Error(
    `Runboard could not load its file-lock binary for ${t.target}.\n  ${tried.join('\n  ')}\n` +
      'Reinstall the extension, or run `npm run build` in a checkout.',
  );
}

let binding: LockBinding | undefined;
let loadError: Error | undefined;

/** This process's binding, loaded once; later calls rethrow the first failure. */
function lockBinding(): LockBinding {
  if (binding) return binding;
  if (loadError) throw loadError;
  try {
    binding = loadLockBinding(
      { platform: process.platform, arch: process.arch, glibc: hasGlibc },
      (t) => bindingCandidates(t),
      // A native binary is loaded by path at run time (its package's loader cannot be bundled).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (f) => require(f),
    );
    return binding;
  } catch (e) {
    loadError = e as Error;
    throw e;
  }
}

/**
 * What a lock covers: the whole file, except on Windows, where locks are mandatory: there one byte
 * at 1 TiB, past the end of any log, so locking a log blocks neither its readers nor the holder's
 * appends (SQLite's "pending byte" does the same). macOS's flock can only lock whole files.
 */
export function lockRegion(platform: NodeJS.Platform = process.platform): { offset: number; length: number } {
  return platform === 'win32' ? { offset: 2 ** 40, length: 1 } : { offset: 0, length: 0 };
}

const REGION = lockRegion();

/** Loads the binary now (a server calls it at start): throws the message naming the platform when it cannot. */
export function ensureLockLoaded(): void {
  lockBinding();
}

/** Takes the lock without blocking; false when another open file holds it (or, shared, holds it exclusively). */
export function tryLock(fd: number, { shared = false } = {}): boolean {
  try {
    lockBinding().tryLock(fd, REGION.offset, REGION.length, !shared);
    return true;
  } catch (e) {
    // The binding reports EACCES, EAGAIN and EBUSY (Windows' lock violation) all as EAGAIN.
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return false;
    throw e;
  }
}

/**
 * Takes the lock with a blocking call on a thread of its own (not libuv's pool, so waits for
 * several runs never starve other I/O); `done` runs on the event loop once it is held. The
 * wait cannot be cancelled: it ends when the lock is granted.
 */
export function waitForLock(fd: number, done: (err: NodeJS.ErrnoException | null) => void, { shared = false } = {}): void {
  const req: { handle?: ArrayBuffer } = {};
  // The native request lives in `handle`, which must stay reachable until the callback runs: the
  // binding holds `req` until then.
  req.handle = lockBinding().waitForLock(fd, REGION.offset, REGION.length, !shared, req, (err) => done(err));
}

export function unlock(fd: number): void {
  lockBinding().unlock(fd, REGION.offset, REGION.length);
}
