// The per-run lock: an in-process queue (one fd per run in this process, and an OS lock does not
// exclude the same open file twice) plus the OS lock (osLock.ts) on runs/<id>/.lock across
// processes. Held only while a writer catches up and appends.
//
// Waiting: uncontended, one non-blocking try. Contended, a blocking lock call on a thread of its
// own: the event loop runs on (the server's must), and the kernel hands the lock over the moment
// its holder lets go — polling with sleeps left it idle between attempts, which cut throughput
// with several writers by about three.
//
// Fairness: a process committing back to back could keep re-taking the lock before a woken
// waiter runs. Waiters therefore hold a shared lock on runs/<id>/.lock.wait while they wait; a
// process about to re-take the lock right after releasing it first probes that file and, when
// someone waits, steps aside for a moment. Both locks die with their holders. The file is made
// by the first waiter, so a run that never saw contention gains no file.
//
// Both files are opened read-write: Linux's OFD locks refuse a read-only or append-only descriptor.
import * as fs from 'node:fs';
import { DomainError } from '../engine/errors';
import { tryLock, unlock, waitForLock } from './osLock';

export interface RunLock {
  /** Resolves when this caller holds the lock; call the returned function to release it. */
  acquire(): Promise<() => void>;
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

/** Read-write, created when missing, never truncated: what the OS lock needs on every platform. */
const LOCK_FILE_FLAGS = fs.constants.O_RDWR | fs.constants.O_CREAT;

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
  private waitFd: number | undefined;
  private pending: PendingLock | undefined;
  private releasedAt = -Infinity;
  private noWaitFileUntil = -Infinity;

  constructor(private readonly file: string, private readonly timeoutMs = 30_000) {}

  async acquire(): Promise<() => void> {
    const releaseMutex = await this.mutex.lock();
    /** The waiters' file while we are announced on it. */
    let announcedOn: number | undefined;
    const withdraw = () => {
      // Unless close() closed it meanwhile (which let go of it).
      if (announcedOn !== undefined && announcedOn === this.waitFd) unlock(announcedOn);
      announcedOn = undefined;
    };
    try {
      this.fd ??= fs.openSync(this.file, LOCK_FILE_FLAGS, 0o644);
      const fd = this.fd;
      if (performance.now() - this.releasedAt < 1 && this.othersWaiting()) await sleep(STEP_ASIDE_MS);
      if (this.pending || !tryLock(fd)) {
        if (this.announceWaiting()) announcedOn = this.waitFd;
        await this.waitForOsLock(fd);
      }
      withdraw();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlock(fd);
          this.releasedAt = performance.now();
        } finally {
          releaseMutex();
        }
      };
    } catch (e) {
      withdraw();
      releaseMutex();
      throw e;
    }
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
              return reject(new DomainError('STORAGE_ERROR', `The lock ${this.file} was closed.`));
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
        reject(new DomainError('STORAGE_ERROR', `Timed out after ${this.timeoutMs} ms waiting for ${this.file}; another process holds it.`));
      }, this.timeoutMs);
      pending.landed.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  private waitHandle(): number {
    this.waitFd ??= fs.openSync(`${this.file}.wait`, LOCK_FILE_FLAGS, 0o644);
    return this.waitFd;
  }

  /** True when another process holds the waiters' shared lock (no file yet: nobody ever waited). */
  private othersWaiting(): boolean {
    if (this.waitFd === undefined) {
      // Looked for at most every NO_WAITERS_RECHECK_MS: a lookup per commit cost a tenth of one
      // (and a failing open, with its exception, a fifth). A first waiter seen a little late
      // still waits in the kernel's queue.
      const now = performance.now();
      if (now < this.noWaitFileUntil) return false;
      const waitFile = `${this.file}.wait`;
      if (!fs.existsSync(waitFile)) {
        this.noWaitFileUntil = now + NO_WAITERS_RECHECK_MS;
        return false;
      }
      this.waitFd = fs.openSync(waitFile, LOCK_FILE_FLAGS, 0o644);
    }
    const fd = this.waitFd;
    if (!tryLock(fd)) return true;
    unlock(fd);
    return false;
  }

  private announceWaiting(): boolean {
    return tryLock(this.waitHandle(), { shared: true });
  }

  close(): void {
    // A lock call in flight keeps its fd; its callback closes it.
    if (this.pending) {
      this.pending.orphaned = true;
      this.pending.landed.catch(() => undefined);
      this.fd = undefined;
    }
    this.pending = undefined;
    for (const fd of [this.fd, this.waitFd]) if (fd !== undefined) fs.closeSync(fd);
    this.fd = undefined;
    this.waitFd = undefined;
  }
}
