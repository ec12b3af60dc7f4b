// The thin path's stdout and stderr (server/src/cli/standardStreams.ts): a pipe or a file is written
// directly — no stream made — and every byte arrives, also when a non-blocking pipe fills up and the
// rest goes through the stream; a reader gone away ends the output quietly; a terminal or
// Windows get the stream. Real descriptors: a file, /dev/null, a FIFO (mkfifo).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { descriptorSink, TextSink } from '../../../server/src/cli/standardStreams';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-streams-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A stand-in for process.stdout that keeps what it is given, and counts how often it was made. */
function collectingStream() {
  const chunks: Buffer[] = [];
  let made = 0;
  const make = (): TextSink => {
    made++;
    return { write: (c) => chunks.push(Buffer.from(c)) };
  };
  return { make, chunks, made: () => made };
}

/** A FIFO with its read end open (non-blocking) and its write end open with `flags`. */
function fifo(name: string, writeFlags: number): { reader: number; writer: number } {
  const file = path.join(dir, name);
  execFileSync('mkfifo', [file]);
  const reader = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  return { reader, writer: fs.openSync(file, writeFlags) };
}

function readAll(fd: number): Buffer {
  const parts: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, buf);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw e;
    }
    if (n === 0) break;
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(parts);
}

describe('the thin path writes stdout and stderr', { skip: process.platform === 'win32' && 'POSIX descriptors' }, () => {
  it('to a file directly, text and bytes, without making the stream', () => {
    const file = path.join(dir, 'out.txt');
    const fd = fs.openSync(file, 'w');
    const stream = collectingStream();
    const sink = descriptorSink(fd, stream.make);
    sink.write('{"task": "é…"}\n');
    sink.write(Buffer.from('second\n'));
    fs.closeSync(fd);
    assert.equal(fs.readFileSync(file, 'utf8'), '{"task": "é…"}\nsecond\n');
    assert.equal(stream.made(), 0);
  });

  it('to a pipe directly; when a non-blocking pipe is full, the rest through the stream — every byte once, in order', () => {
    const { reader, writer } = fifo('full', fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    const stream = collectingStream();
    const sink = descriptorSink(writer, stream.make);
    // Larger than a pipe holds (64 KiB on Linux): the write stops with EAGAIN part-way.
    const text = Array.from({ length: 40_000 }, (_, i) => `${i}\n`).join('');
    sink.write(text);
    sink.write('after\n');
    assert.equal(stream.made(), 1, 'the stream took over');
    const arrived = Buffer.concat([readAll(reader), ...stream.chunks]).toString();
    assert.equal(arrived, text + 'after\n');
    fs.closeSync(reader);
    fs.closeSync(writer);
  });

  it('ends quietly when the reader has gone (EPIPE): nothing thrown, nothing more written', () => {
    const { reader, writer } = fifo('gone', fs.constants.O_WRONLY);
    fs.closeSync(reader);
    const stream = collectingStream();
    const sink = descriptorSink(writer, stream.make);
    assert.doesNotThrow(() => sink.write('lost\n'));
    assert.doesNotThrow(() => sink.write('lost too\n'));
    assert.equal(stream.made(), 0);
    fs.closeSync(writer);
  });

  it('through the stream for anything else: a character device (a terminal is one), or on Windows', () => {
    const devNull = fs.openSync('/dev/null', 'w');
    const device = collectingStream();
    descriptorSink(devNull, device.make).write('x\n');
    assert.deepEqual(device.chunks.map(String), ['x\n']);
    fs.closeSync(devNull);

    const fd = fs.openSync(path.join(dir, 'win.txt'), 'w');
    const windows = collectingStream();
    descriptorSink(fd, windows.make, 'win32').write('y\n');
    assert.deepEqual(windows.chunks.map(String), ['y\n']);
    assert.equal(fs.readFileSync(path.join(dir, 'win.txt'), 'utf8'), '');
    fs.closeSync(fd);
  });
});
