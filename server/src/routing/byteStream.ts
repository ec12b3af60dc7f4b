// The connection under a routed call's JSON-RPC (rpcSocket.ts): bytes to and from a root's socket.
// On POSIX it is libuv's pipe handle itself (pipeWrapStream.ts) when this node offers it: loading
// node:net and making its first Socket is 5–7 ms of a routed CLI call on the bench's VM, more than
// the whole gap to issue 18's goal (BENCHMARKS.md, rows 10c/10d). Windows' named pipes, and a node
// without that handle, get a net.Socket.
import type * as Net from 'node:net';
import { pipeWrapStream } from './pipeWrapStream';

/** What a stream tells its owner, each at most once except `data`. */
export interface StreamEvents {
  connected(): void;
  data(chunk: Buffer): void;
  /** The connection failed or closed (a refused connect, the peer gone); `why` unless it just ended. */
  closed(why?: string): void;
}

export interface ByteStream {
  /** What carries the bytes: libuv's pipe handle itself, or node:net's Socket around it. */
  readonly kind: 'pipe handle' | 'net socket';
  /** Queued until the connection is made; written in one call. */
  write(bytes: Buffer): void;
  /** Whether the stream keeps the process alive (it does not at first). */
  ref(): void;
  unref(): void;
  /** Closes the connection; no event follows. */
  destroy(): void;
}

/** A net.Socket to `endpoint`: Windows' named pipes, and any node without libuv's pipe handle. */
export function netStream(endpoint: string, events: StreamEvents): ByteStream {
  // Required here, not imported: the thin CLI path must not load node:net when it does not use it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const net = require('node:net') as typeof Net;
  const socket = net.createConnection(endpoint);
  let over = false;
  const closed = (why?: string) => {
    if (over) return;
    over = true;
    events.closed(why);
  };
  socket.once('connect', () => events.connected());
  socket.on('data', (d: Buffer) => events.data(d));
  socket.on('error', (e: NodeJS.ErrnoException) => closed(e.code ?? e.message));
  socket.on('close', () => closed());
  socket.unref();
  return {
    kind: 'net socket',
    write: (bytes) => void socket.write(bytes),
    ref: () => void socket.ref(),
    unref: () => void socket.unref(),
    destroy: () => {
      over = true;
      socket.destroy();
    },
  };
}

/** A connection to a root's socket (a path on POSIX, a named pipe on Windows). */
export function openByteStream(endpoint: string, events: StreamEvents, platform = process.platform): ByteStream {
  return (platform !== 'win32' && pipeWrapStream(endpoint, events)) || netStream(endpoint, events);
}
