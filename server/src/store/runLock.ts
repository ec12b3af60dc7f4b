// The per-run lock: an in-process queue (one fd per run in this process, and flock does not
// exclude the same open file twice) plus flock on runs/<id>/.lock across processes. Held only
// while a writer catches up and appends.
//
// Fairness: waiting processes poll, so a process committing back to back could keep the lock
// for long stretches. Waiters therefore hold a shared flock on runs/<id>/.lock.wait while they
// wait; a process about to re-take the lock right after releasing it first probes that file
// and, when someone waits, steps aside for a moment. Both locks die with their holders.
import * as fs from 'node:fs';
import { DomainError } from '../engine/errors';
import { tryLockExclusive, tryLockShared, unlock } from './flock';

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
const MAX_POLL_MS = 4;
const STEP_ASIDE_MS = 2 * MAX_POLL_MS;

export class FlockRunLock implements RunLock {
  private readonly mutex = new Mutex();
  private fd: number | undefined;
  private waitFd: number | undefined;
  private releasedAt = -Infinity;

  constructor(private readonly file: string, private readonly timeoutMs = 30_000) {}

  async acquire(): Promise<() => void> {
    const releaseMutex = await this.mutex.lock();
    let waiting = false;
    try {
      this.fd ??= fs.openSync(this.file, 'a');
      const fd = this.fd;
      if (performance.now() - this.releasedAt < 1 && this.othersWaiting()) await sleep(STEP_ASIDE_MS);
      const deadline = Date.now() + this.timeoutMs;
      // Non-blocking attempts with a short backoff: a blocking flock would stall this whole
      // process (the server's event loop) behind another process's commit.
      for (let wait = 0; !tryLockExclusive(fd); wait = Math.min(MAX_POLL_MS, wait + 1)) {
        if (!waiting) waiting = this.announceWaiting();
        if (Date.now() > deadline) {
          throw new DomainError('STORAGE_ERROR', `Timed out after ${this.timeoutMs} ms waiting for ${this.file}; another process holds it.`);
        }
        await (wait === 0 ? new Promise((r) => setImmediate(r)) : sleep(wait));
      }
      if (waiting) unlock(this.waitFd!);
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
      if (waiting) unlock(this.waitFd!);
      releaseMutex();
      throw e;
    }
  }

  private waitHandle(): number {
    this.waitFd ??= fs.openSync(`${this.file}.wait`, 'a');
    return this.waitFd;
  }

  /** True when another process holds the waiters' shared lock. */
  private othersWaiting(): boolean {
    const fd = this.waitHandle();
    if (!tryLockExclusive(fd)) return true;
    unlock(fd);
    return false;
  }

  private announceWaiting(): boolean {
    return tryLockShared(this.waitHandle());
  }

  close(): void {
    for (const fd of [this.fd, this.waitFd]) if (fd !== undefined) fs.closeSync(fd);
    this.fd = undefined;
    this.waitFd = undefined;
  }
}
