// The physical-limit baselines: appending bytes to a file under the same OS lock the store takes
// (osLock.ts, on a .lock file beside the log, opened read-write as the store opens it), with
// nothing else around it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tryLock, unlock } from '../server/src/store/file/osLock';

export class RawLockedAppender {
  private readonly lockFd: number;
  readonly file: string;

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'events.jsonl');
    this.lockFd = fs.openSync(path.join(dir, '.lock'), fs.constants.O_RDWR | fs.constants.O_CREAT);
  }

  private locked(fn: () => void): void {
    while (!tryLock(this.lockFd)) {
      // Uncontended in these workloads; spin if not.
    }
    try {
      fn();
    } finally {
      unlock(this.lockFd);
    }
  }

  /** lock → appendFileSync → unlock. */
  append(data: string | Buffer): void {
    this.locked(() => fs.appendFileSync(this.file, data));
  }

  /** lock → open → write → fdatasync → close → unlock (the store also uses fdatasync). */
  appendDurable(data: string | Buffer): void {
    this.locked(() => {
      const fd = fs.openSync(this.file, 'a');
      try {
        const buf = typeof data === 'string' ? Buffer.from(data) : data;
        let written = 0;
        while (written < buf.length) written += fs.writeSync(fd, buf, written, buf.length - written);
        fs.fdatasyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    });
  }

  close(): void {
    fs.closeSync(this.lockFd);
  }
}

/** The log's lines after the first `skip` ones, each with its newline. */
export function logLines(file: string, skip = 0): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .slice(skip)
    .map((l) => l + '\n');
}
