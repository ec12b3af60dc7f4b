// runs/<id>/events.jsonl: tail-reading by byte offset, appending, torn-tail repair and the
// seq → byte offset index for paged reads. Readers consume complete lines, and a final line
// without its newline only when it is a whole event (takeUnterminated); a lock holder repairs it.
//
// Reading needs no write access: the log is read through a read-only descriptor (so read-only
// media and other users' runs can be browsed); writes and repairs go through the descriptor of
// the run lock (runLock.ts), which holds the same file. Neither follows a symlink.
import * as fs from 'node:fs';
import { DomainError } from '../../engine/errors';
import { crashDue, crashNow, crashPoint } from './crashPoints';
import { AtPath, compareAtPath, FileIdentity, identityOf, lookAtPath, openRegularFile, sameFile } from './fileIdentity';
import { writeAll } from './writeAll';

export interface LogLine {
  text: string;
  /** 1-based line number in the file. */
  line: number;
  start: number;
  end: number;
}

export interface TornTail {
  offset: number;
  line: number;
  bytes: number;
}

const CHUNK = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

export class EventLog {
  private fd: number | undefined;
  private held: FileIdentity | undefined;
  /** Byte offset just past the last complete line consumed. */
  offset = 0;
  /** The last read found the file one byte short: the final newline of what was read is gone (readNew). */
  newlineMissing = false;
  /** Lines consumed before `offset`. */
  line = 0;
  /** seq → byte offset of its line, for the events this process has consumed (sparse below `firstIndexedSeq`). */
  private readonly seqOffsets: number[] = [];
  private firstIndexedSeq = Infinity;

  constructor(readonly file: string) {}

  private handle(): number {
    if (this.fd === undefined) {
      const fd = openRegularFile(this.file);
      const id = identityOf(fd);
      if (this.held && !sameFile(this.held, id)) {
        // Released (release()) and replaced since: the positions kept are another file's.
        fs.closeSync(fd);
        throw new LogRewrittenError(this.file, 'was replaced while Runboard had it closed');
      }
      this.fd = fd;
      this.held = id;
    }
    return this.fd;
  }

  /** The file this log reads (opened now only when it never was: release() keeps the identity). */
  identity(): FileIdentity {
    if (!this.held) this.handle();
    return this.held!;
  }

  /** Whether a file has been read (its identity is known, whether or not its descriptor is open now). */
  get hasIdentity(): boolean {
    return this.held !== undefined;
  }

  /** Whether the file at the path is still the one being read; nothing open yet counts as the same. */
  atPath(): AtPath {
    return this.held ? compareAtPath(this.file, this.held) : 'same';
  }

  /** atPath, and whether there may be something new to read (the size at the path is not what was read). */
  look(): { at: AtPath; grown: boolean } {
    if (!this.held) return { at: 'same', grown: true };
    const { at, size } = lookAtPath(this.file, this.held);
    // newlineMissing: read past the end; the newline put back (size === offset) is news too.
    return { at, grown: size !== this.offset || this.newlineMissing };
  }

  /** Forgets the open file and every position in it: the next read opens what is at the path now. */
  reopen(): void {
    this.close();
    this.newlineMissing = false;
    this.offset = 0;
    this.line = 0;
    this.seqOffsets.length = 0;
    this.firstIndexedSeq = Infinity;
  }

  size(): number {
    return fs.fstatSync(this.handle()).size;
  }

  /** The descriptor this log reads through (opened when it is not). */
  readDescriptor(): number {
    return this.handle();
  }

  /**
   * Consumes `torn`, a final line without its newline, as the line it is; reading goes on as if
   * its newline had been removed after it was read (newlineMissing), so a lock holder puts it back.
   */
  takeUnterminated(torn: TornTail): LogLine {
    const text = this.readText(torn.offset, torn.bytes);
    this.line++;
    this.offset = torn.offset + torn.bytes + 1;
    this.newlineMissing = true;
    return { text, line: this.line, start: torn.offset, end: this.offset };
  }

  /** Starts consuming at a known line boundary (from a snapshot's index). */
  seek(offset: number, line: number): void {
    this.offset = offset;
    this.line = line;
  }

  /**
   * The complete line that ends at `offset` (without its newline), or undefined when `offset` is
   * not a line's end or that line is longer than `maxBytes`. A snapshot's offset must end the line
   * of its seq: a log edited before it (a line removed, one rewritten longer) fails the check.
   */
  lineBefore(offset: number, maxBytes: number): string | undefined {
    if (offset <= 0 || offset > this.size()) return undefined;
    const fd = this.handle();
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, offset - 1);
    if (last[0] !== NEWLINE) return undefined;
    const end = offset - 1;
    let chunks: Buffer[] = [];
    for (let pos = end; pos > 0 && end - pos <= maxBytes;) {
      const want = Math.min(64 * 1024, pos);
      const chunk = Buffer.allocUnsafe(want);
      fs.readSync(fd, chunk, 0, want, pos - want);
      const nl = chunk.lastIndexOf(NEWLINE);
      if (nl !== -1) return Buffer.concat([chunk.subarray(nl + 1), ...chunks]).toString('utf8');
      chunks = [chunk, ...chunks];
      pos -= want;
      if (pos === 0) return Buffer.concat(chunks).toString('utf8');
    }
    return undefined;
  }

  /**
   * Calls `onLine` for each complete line after `offset`, advancing it; returns the partial
   * final line, if any (left unconsumed).
   */
  readNew(onLine: (l: LogLine) => void, beforeWriting = false): TornTail | undefined {
    const size = fs.fstatSync(this.handle()).size;
    // One byte short of what was read, which ended with a newline: that newline was removed (an
    // editor's "no newline at end of file"). The lines read stand; a lock holder puts it back.
    this.newlineMissing = this.offset > 0 && size === this.offset - 1;
    if (this.newlineMissing) return undefined;
    this.assertNotShrunk(size);
    // A writer goes on only where a line ended: an editor saving in place may have put other bytes
    // there (the final newline typed over), and what follows would be appended onto that line.
    if (beforeWriting && this.offset > 0 && !this.newlineAt(this.offset - 1))
      throw new LogRewrittenError(this.file, 'was changed in place where the lines read so far ended');
    this.scanLines(this.offset, size, (text, start, end) => {
      this.line++;
      this.offset = end;
      onLine({ text, line: this.line, start, end });
    });
    return this.offset < size ? { offset: this.offset, line: this.line + 1, bytes: size - this.offset } : undefined;
  }

  private newlineAt(offset: number): boolean {
    const b = Buffer.alloc(1);
    return fs.readSync(this.handle(), b, 0, 1, offset) === 1 && b[0] === NEWLINE;
  }

  /** The bytes of [offset, offset + bytes) as text (a final line without its newline). */
  readText(offset: number, bytes: number): string {
    const b = Buffer.alloc(bytes);
    const got = fs.readSync(this.handle(), b, 0, bytes, offset);
    return b.toString('utf8', 0, got);
  }

  /** The file was rewritten in place when it is now shorter than what was read of it. */
  private assertNotShrunk(size: number): void {
    if (size < this.offset) throw new LogRewrittenError(this.file, `shrank to ${size} bytes below the ${this.offset} bytes already read`);
  }

  /** Puts back the final newline readNew found missing, through the lock's descriptor, at the end. */
  restoreFinalNewline(lockFd: number): void {
    const st = fs.fstatSync(lockFd);
    if (st.size !== this.offset - 1) throw new LogRewrittenError(this.file, `changed again while its final newline was put back`);
    assertWritable(this.file, st.mode);
    writeAll(lockFd, Buffer.from('\n'), 0, st.size);
    this.newlineMissing = false;
  }

  /** Truncates a torn final line back to the last newline, through the lock's descriptor. */
  truncateTo(lockFd: number, offset: number): void {
    try {
      fs.ftruncateSync(lockFd, offset);
    } catch (e) {
      // An append-only or immutable file (chattr +a), a read-only mount: nothing is written, and the caller is told why.
      throw new DomainError('STORAGE_ERROR', `Cannot cut the unfinished last line off ${this.file}: ${(e as Error).message}`);
    }
  }

  /**
   * One write of whole lines through the lock's descriptor; on failure the partial write is cut off
   * again. Not synced: the writer syncs once for everything it wrote under one hold of the lock
   * (group commit), before it answers anyone (`sync`). Throws LogRewrittenError, writing nothing,
   * when the file shrank below what was read since (another program rewrote it in place, ignoring
   * the lock): an append would land inside another history; STORAGE_ERROR when it was made
   * read-only since it was opened.
   */
  append(fd: number, data: Buffer): void {
    const st = fs.fstatSync(fd);
    this.assertNotShrunk(st.size);
    assertWritable(this.file, st.mode);
    const before = this.offset;
    try {
      // At the end as fstat gives it, under the lock: a descriptor opened without O_APPEND (Windows)
      // writes there; with it, the kernel appends at that same end.
      if (crashDue('partial-write')) {
        fs.writeSync(fd, data, 0, Math.max(1, data.length >> 1), st.size);
        crashNow();
      }
      writeAll(fd, data, 0, st.size);
    } catch (e) {
      try {
        fs.ftruncateSync(fd, before);
      } catch {
        // The original error is the one to report.
      }
      throw e;
    }
  }

  /**
   * Makes what was appended through `fd` durable (fdatasync); a failure means none of it may be
   * acknowledged. Off the event loop (libuv's thread pool): while one group waits for its sync, the
   * commands that arrive meanwhile are read and queued, and go together as the next group.
   */
  async sync(fd: number): Promise<void> {
    crashPoint('before-fsync');
    await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())));
  }

  /** The same, inline: a lone caller's commit, or a write made while folding (a restored newline), which cannot wait. */
  syncNow(fd: number): void {
    crashPoint('before-fsync');
    fs.fdatasyncSync(fd);
  }

  /** Records where an event's line starts, for paged reads. */
  indexSeq(seq: number, start: number): void {
    if (seq < this.firstIndexedSeq) this.firstIndexedSeq = seq;
    this.seqOffsets[seq] = start;
  }

  /** Byte offset where reading for events with seq ≥ `seq` may start (0 when not indexed). */
  offsetFor(seq: number): number {
    if (seq < this.firstIndexedSeq) return 0;
    return this.seqOffsets[seq] ?? this.offset;
  }

  /** Reads complete lines in [from, to), streaming in chunks; `onLine` returns false to stop. */
  readRange(from: number, to: number, onLine: (text: string, line: number, start: number, end: number) => boolean | void): void {
    let lineNo = 0;
    this.scanLines(from, to, (text, start, end) => onLine(text, ++lineNo, start, end));
  }

  /** The one chunked line splitter: complete lines of [from, to) with their byte ranges. */
  private scanLines(from: number, to: number, onLine: (text: string, start: number, end: number) => boolean | void): void {
    const fd = this.handle();
    let pos = from;
    let carry: Buffer | undefined;
    let carryStart = from;
    while (pos < to) {
      const want = Math.min(CHUNK, to - pos);
      const chunk = Buffer.allocUnsafe(want);
      const got = fs.readSync(fd, chunk, 0, want, pos);
      if (got <= 0) break;
      const data: Buffer = carry ? Buffer.concat([carry, chunk.subarray(0, got)]) : chunk.subarray(0, got);
      let lineStart = 0;
      for (let nl = data.indexOf(NEWLINE); nl !== -1; nl = data.indexOf(NEWLINE, lineStart)) {
        if (onLine(data.toString('utf8', lineStart, nl), carryStart + lineStart, carryStart + nl + 1) === false) return;
        lineStart = nl + 1;
      }
      carry = lineStart < data.length ? data.subarray(lineStart) : undefined;
      carryStart += lineStart;
      pos += got;
    }
    // The last line read lost its newline since (newlineMissing): it is still a line of what was read.
    if (carry && this.newlineMissing && to === this.offset && carryStart + carry.length === to - 1) {
      onLine(carry.toString('utf8'), carryStart, to);
    }
  }

  /** Closes the descriptor, keeping the file's identity and the positions read: reading again reopens it. */
  release(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }

  close(): void {
    this.release();
    this.held = undefined;
  }
}

/**
 * A log no one may write (chmod a-w, Windows' read-only attribute) is not written, by whoever
 * runs: a process that opened it before the change (a server) would otherwise go on appending
 * through its descriptor where a new one is refused, and root would ignore the mode. Nor is it
 * archived or compacted: it would come back writable.
 */
export function assertWritable(file: string, mode: number): void {
  if ((mode & 0o222) !== 0) return;
  throw new DomainError(
    'STORAGE_ERROR',
    `${file} is read-only (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): nothing was written. Make it writable again (chmod u+w) for writes to resume.`,
  );
}

/** The log is not the file read so far (it shrank, or was replaced while closed): it is read again from its start. */
export class LogRewrittenError extends Error {
  constructor(
    readonly file: string,
    /** What happened to it, as a clause: "shrank to …", "was replaced while …". */
    readonly what: string,
  ) {
    super(`${file} ${what}; it was rewritten by another program.`);
  }
}
