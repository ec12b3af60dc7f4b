// The per-run lock: an in-process queue (one descriptor per run in this process, and an OS lock
// does not exclude the same open file twice) plus the OS lock (osLock.ts) across processes, taken
// on the run's log itself. Held only while a writer catches up and appends.
//
// The lock is the log: a lock file beside it could be deleted (a common reflex; `git clean -X`
// does it) while its holder writes, and the next writer would lock a fresh one — two writers
// appending to one log at once. Locked and written through one descriptor, two writers can only
// ever overlap on two different files, of which at most one is at the path: the commit path
// checks after its write that its file is still the one at the path (runHandle.ts).
//
// Waiting: uncontended, one non-blocking try. Contended, a blocking lock call on a thread of its
// own: the event loop runs on (the server's must), and the kernel hands the lock over the moment
// its holder lets go — polling with sleeps left it idle between attempts, which cut throughput
// with several writers by about three.
//
// Fairness: a process committing back to back could keep re-taking the lock before a woken
// waiter runs. Waiters therefore hold a shared lock on runs/<id>/.waiting while they wait; a
// process about to re-take the lock right after releasing it first probes that file and, when
// someone waits, steps aside for a moment. Both locks die with their holders. The file is made
// by the first waiter, so a run that never saw contention gains no file.
//
// Every descriptor is opened read-write (Linux's OFD locks refuse a read-only or append-only one)
// and never through a symlink.
import * as fs from 'node:fs';
import { DomainError } from '../../engine/errors';
import { LockClosedError } from '../boardStore';
import { FileIdentity, identityOf, NO_FOLLOW } from './fileIdentity';
import { describeHolders } from './lockHolders';
import { tryLock, unlock, waitForLock } from './osLock';
import { logAppends } from './platformFs';

/** A granted lock: the log's descriptor it is held on (writes and repairs go through it), and that file's identity. */
export interface HeldLock {
  fd: number;
  identity: FileIdentity;
  release(): void;
}

/** The log is not at its path (the run was deleted): nothing to lock. */
export class LogMissingError extends Error {
  constructor(readonly file: string) {
    super(`${file} does not exist`);
  }
}

export interface RunLock {
  /** Resolves when this caller holds the lock on the log; `create` makes the log when it is missing. */
  acquire(opts?: { create?: boolean }): Promise<HeldLock>;
  /** Lets go of the log's descriptor: the next acquire opens (and locks) the file at the path now. */
  forget(): void;
  /** Closes the descriptors when nobody holds or waits for the lock (descriptors are a limited resource). */
  idle(): void;
  close(): void;
}

/** A FIFO async mutex for one process. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Long enough for a waiter the kernel just woke to take the lock. */
const STEP_ASIDE_MS = 2;
const NO_WAITERS_RECHECK_MS = 50;

/** The log: read-write (the OS lock needs it), appending where a handle so opened can still be truncated (platformFs.ts logAppends), never through a symlink. */
const logFlags = () => fs.constants.O_RDWR | (logAppends() ? fs.constants.O_APPEND : 0) | NO_FOLLOW;
/** The waiters' file: read-write, created by the first waiter. */
const WAIT_FILE_FLAGS = fs.constants.O_RDWR | fs.constants.O_CREAT | NO_FOLLOW;

/**
 * A blocking lock call in flight on its thread (it cannot be cancelled). Whoever waits for it
 * gets the lock when it lands; if nobody waits any more (the waiter timed out) it is let go at once.
 */
interface PendingLock {
  landed: Promise<void>;
  wanted: boolean;
  /** The lock was closed while this was in flight: let go of whatever lands, then close the fd. */
  orphaned: boolean;
}

export class OsRunLock implements RunLock {
  private readonly mutex = new Mutex();
  private fd: number | undefined;
  private held: FileIdentity | undefined;
  /** Moves on every close of the log's descriptor: a release after forget() has nothing to unlock. */
  private generation = 0;
  private waitFd: number | undefined;
  private pending: PendingLock | undefined;
  /** Callers holding the lock or waiting for it in this process. */
  private users = 0;
  private releasedAt = -Infinity;
  private noWaitFileUntil = -Infinity;

  constructor(
    private readonly file: string,
    private readonly waitFile: string,
    private readonly timeoutMs = 30_000,
  ) {}

  async acquire({ create = false } = {}): Promise<HeldLock> {
    this.users++;
    const unlockMutex = await this.mutex.lock();
    const releaseMutex = () => {
      this.users--;
      unlockMutex();
    };
    /** The waiters' file while we are announced on it. */
    let announcedOn: number | undefined;
    const withdraw = () => {
      // Unless close() closed it meanwhile (which let go of it).
      if (announcedOn !== undefined && announcedOn === this.waitFd) unlock(announcedOn);
      announcedOn = undefined;
    };
    try {
      const fd = this.open(create);
      if (performance.now() - this.releasedAt < 1 && this.othersWaiting()) await sleep(STEP_ASIDE_MS);
      if (this.pending || !tryLock(fd)) {
        if (this.announceWaiting()) announcedOn = this.waitFd;
        await this.waitForOsLock(fd);
      }
      withdraw();
      let released = false;
      const generation = this.generation;
      return {
        fd,
        identity: this.held!,
        release: () => {
          if (released) return;
          released = true;
          try {
            // Closing the descriptor (forget) already let go of the lock held on it.
            if (generation === this.generation) unlock(fd);
            this.releasedAt = performance.now();
          } finally {
            releaseMutex();
          }
        },
      };
    } catch (e) {
      withdraw();
      releaseMutex();
      throw e;
    }
  }

  /** The log's descriptor, opened (and its identity noted) when there is none. */
  private open(create: boolean): number {
    if (this.fd === undefined) {
      try {
        this.fd = fs.openSync(this.file, logFlags() | (create ? fs.constants.O_CREAT : 0), 0o644);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new LogMissingError(this.file);
        throw e;
      }
      this.held = identityOf(this.fd);
    }
    return this.fd;
  }

  idle(): void {
    if (this.users > 0 || this.pending) return;
    this.close();
  }

  /** Closes the log's descriptor (a lock call still in flight on it keeps it and closes it when it lands). */
  forget(): void {
    this.generation++;
    if (this.pending) {
      this.pending.orphaned = true;
      this.pending.landed.catch(() => undefined);
      this.pending = undefined;
    } else if (this.fd !== undefined) {
      fs.closeSync(this.fd);
    }
    this.fd = undefined;
    this.held = undefined;
  }

  /** Resolves when the blocking lock call (started now, or still in flight from a timed-out wait) lands. */
  private waitForOsLock(fd: number): Promise<void> {
    let p = this.pending;
    if (!p) {
      const created: PendingLock = { wanted: true, orphaned: false, landed: Promise.resolve() };
      created.landed = new Promise<void>((resolve, reject) => {
        const attempt = () =>
          waitForLock(fd, (err) => {
            if (err?.code === 'EINTR' && !created.orphaned) return attempt();
            if (this.pending === created) this.pending = undefined;
            if (created.orphaned) {
              // close() left the fd open for us: closing it before the thread reached the lock call
              // could have let its number be reused, and the worker lock someone else's file.
              if (!err) unlock(fd);
              fs.closeSync(fd);
              return reject(new LockClosedError(this.file));
            }
            if (err) return reject(err);
            if (!created.wanted) {
              unlock(fd);
              return reject(new Error('abandoned'));
            }
            resolve();
          });
        attempt();
      });
      created.landed.catch(() => undefined);
      this.pending = p = created;
    }
    const pending = p;
    pending.wanted = true;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.wanted = false;
        reject(
          new DomainError(
            'STORAGE_ERROR',
            `Timed out after ${this.timeoutMs} ms waiting for the lock on ${this.file}; another process holds it${describeHolders(this.file)}.`,
          ),
        );
      }, this.timeoutMs);
      pending.landed.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  // The waiters' file only makes the lock fairer: when it cannot be used (deleted meanwhile, made
  // a symlink, unwritable) the lock works without it.

  /** True when another process holds the waiters' shared lock (no file yet: nobody ever waited). */
  private othersWaiting(): boolean {
    try {
      if (this.waitFd === undefined) {
        // Looked for at most every NO_WAITERS_RECHECK_MS: a lookup per commit cost a tenth of one
        // (and a failing open, with its exception, a fifth). A first waiter seen a little late
        // still waits in the kernel's queue.
        const now = performance.now();
        if (now < this.noWaitFileUntil) return false;
        if (!fs.existsSync(this.waitFile)) {
          this.noWaitFileUntil = now + NO_WAITERS_RECHECK_MS;
          return false;
        }
        this.waitFd = fs.openSync(this.waitFile, WAIT_FILE_FLAGS, 0o644);
      }
      const fd = this.waitFd;
      if (!tryLock(fd)) return true;
      unlock(fd);
      return false;
    } catch {
      return false;
    }
  }

  private announceWaiting(): boolean {
    try {
      this.waitFd ??= fs.openSync(this.waitFile, WAIT_FILE_FLAGS, 0o644);
      return tryLock(this.waitFd, { shared: true });
    } catch {
      return false;
    }
  }

  close(): void {
    this.forget();
    if (this.waitFd !== undefined) fs.closeSync(this.waitFd);
    this.waitFd = undefined;
  }
}
