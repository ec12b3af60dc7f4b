// The per-run lock: an in-process queue (one fd per run in this process, and flock does not
// exclude the same open file twice) plus flock on runs/<id>/.lock across processes. Held only
// while a writer catches up and appends.
import * as fs from 'node:fs';
import { DomainError } from '../engine/errors';
import { tryLockExclusive, unlock } from './flock';

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

export class FlockRunLock implements RunLock {
  private readonly mutex = new Mutex();
  private fd: number | undefined;

  constructor(private readonly file: string, private readonly timeoutMs = 30_000) {}

  async acquire(): Promise<() => void> {
    const releaseMutex = await this.mutex.lock();
    try {
      this.fd ??= fs.openSync(this.file, 'a');
      const fd = this.fd;
      const deadline = Date.now() + this.timeoutMs;
      // Non-blocking attempts with a short backoff: a blocking flock would stall this whole
      // process (the server's event loop) behind another process's commit.
      for (let wait = 0; !tryLockExclusive(fd); wait = Math.min(20, wait + 1)) {
        if (Date.now() > deadline) {
          throw new DomainError('STORAGE_ERROR', `Timed out after ${this.timeoutMs} ms waiting for ${this.file}; another process holds it.`);
        }
        await (wait === 0 ? new Promise((r) => setImmediate(r)) : sleep(wait));
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlock(fd);
        } finally {
          releaseMutex();
        }
      };
    } catch (e) {
      releaseMutex();
      throw e;
    }
  }

  close(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
