// Where the CLI's text goes. process.stdout and process.stderr are streams node makes on first
// use — for a pipe, a socket with its handle and node:net behind it: about a millisecond each of a
// routed call (BENCHMARKS.md, rows 10c/10d). The thin path writes its few lines straight to the
// descriptor instead when that is a pipe, a socket (what node's child_process gives a child for
// 'pipe') or a file, on POSIX, as node itself writes to a file; a terminal or Windows get the stream.
import * as fs from 'node:fs';

/** What Output writes to: a stream, or a descriptor written directly. */
export interface TextSink {
  write(chunk: string | Uint8Array): unknown;
}

/** `runboard … | head`: when the reader goes away, stop quietly, like other command-line tools. */
export function quietOnClosedStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

/** Whether `fd` is written without a stream: a pipe, a socket or a file, on POSIX. */
function writableDirectly(fd: number, platform: NodeJS.Platform): boolean {
  if (platform === 'win32') return false;
  try {
    const st = fs.fstatSync(fd);
    return st.isFIFO() || st.isSocket() || st.isFile();
  } catch {
    return false;
  }
}

/**
 * Writes to `fd` with writeSync while it is a pipe, a socket or a file, else (or once a write would block: a
 * descriptor someone made non-blocking) through `stream()`, made on first use. A reader gone away
 * (EPIPE) ends the output quietly; the process still ends with its own exit code.
 */
export function descriptorSink(fd: number, stream: () => TextSink, platform = process.platform): TextSink {
  let direct: boolean | undefined;
  let readerGone = false;
  let made: TextSink | undefined;
  const viaStream = (chunk: string | Uint8Array) => (made ??= stream()).write(chunk);
  return {
    write(chunk) {
      direct ??= writableDirectly(fd, platform);
      if (!direct) return viaStream(chunk);
      if (readerGone) return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      let at = 0;
      try {
        while (at < bytes.length) at += fs.writeSync(fd, bytes, at);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') readerGone = true;
        else if (code === 'EAGAIN') {
          direct = false;
          viaStream(bytes.subarray(at));
        } else throw e;
      }
    },
  };
}

/** The thin path's stdout and stderr (the full CLI uses node's streams). */
export function directStandardStreams(): { stdout: TextSink; stderr: TextSink } {
  return {
    stdout: descriptorSink(1, () => {
      quietOnClosedStdout();
      return process.stdout;
    }),
    stderr: descriptorSink(2, () => process.stderr),
  };
}
