// A connection to a Unix socket on libuv's pipe handle, the object node:net's Socket wraps, used
// the way lib/net.js and lib/internal/stream_base_commons.js use it. It costs 0.3 ms to reach
// against 5–7 ms for node:net and its first Socket (byteStream.ts says why that matters). It is
// internal to node, so it is used only on the majors it was checked on — Node 20, 22 and 24, where
// CI holds it to a net.Socket's behaviour (test/unit/routing/byteStream.test.ts) and routes the
// CLI through it; desktop VS Code's Electron runs one of them. `process.binding` is a
// documentation-only deprecation (DEP0111): with pending deprecations on it would print a warning.
// Then, on another major, or when the handle is not the one described here, there is no such
// stream and the caller uses node:net.
import * as util from 'node:util';
import type { ByteStream, StreamEvents } from './byteStream';

interface Request {
  oncomplete: (status: number) => void;
}
interface PipeHandle {
  onread: (buffer: ArrayBuffer) => void;
  connect(req: Request & { address: string }, address: string): number;
  readStart(): number;
  writeBuffer(req: Request & { handle: PipeHandle; buffer: Buffer; async: boolean }, bytes: Buffer): number;
  ref(): void;
  unref(): void;
  close(): void;
}
interface Bindings {
  pipe: { Pipe: new (type: number) => PipeHandle; PipeConnectWrap: new () => Request & { address: string }; constants: { SOCKET: number } };
  stream: {
    WriteWrap: new () => Request & { handle: PipeHandle; buffer: Buffer; async: boolean };
    streamBaseState: Int32Array;
    kReadBytesOrError: number;
    kArrayBufferOffset: number;
  };
}

/** The node majors whose pipe handle is the one described here (CI runs each: scripts/run-tests.mjs). */
export const CHECKED_NODE_MAJORS: readonly number[] = [20, 22, 24];

/**
 * Whether calling `binding` would print DEP0111: with pending deprecations on — by flag, in either
 * spelling, NODE_OPTIONS, NODE_PENDING_DEPRECATION=1 or a config file — node puts a warning
 * wrapper, named `deprecated`, in place of `process.binding` (the unit test checks each way on
 * every node CI runs).
 */
export function bindingWouldWarn(binding: { name: string }): boolean {
  return binding.name !== 'binding';
}

let loaded: Bindings | null | undefined;

/** libuv's pipe handle and the stream state beside it, or null when this node has no such thing. */
function bindings(): Bindings | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const binding = (process as { binding?: (name: string) => unknown }).binding;
  const major = Number(process.versions.node.split('.')[0]);
  if (typeof binding !== 'function' || !CHECKED_NODE_MAJORS.includes(major) || bindingWouldWarn(binding)) return loaded;
  try {
    const pipe = binding('pipe_wrap') as Bindings['pipe'];
    const stream = binding('stream_wrap') as Bindings['stream'];
    const shaped =
      typeof pipe.Pipe === 'function' &&
      typeof pipe.PipeConnectWrap === 'function' &&
      typeof pipe.constants?.SOCKET === 'number' &&
      typeof stream.WriteWrap === 'function' &&
      stream.streamBaseState instanceof Int32Array &&
      [stream.kReadBytesOrError, stream.kArrayBufferOffset].every((k) => typeof k === 'number') &&
      ['connect', 'readStart', 'writeBuffer', 'ref', 'unref', 'close'].every(
        (m) => typeof (pipe.Pipe.prototype as unknown as Record<string, unknown>)[m] === 'function',
      );
    if (shaped) loaded = { pipe, stream };
  } catch {
    // A node that refuses these bindings: node:net it is.
  }
  return loaded;
}

/** A connection to the Unix socket at `path` on libuv's pipe handle; undefined when this node has none. */
export function pipeWrapStream(path: string, events: StreamEvents): ByteStream | undefined {
  const b = bindings();
  if (!b) return undefined;
  const { streamBaseState: state } = b.stream;
  const handle = new b.pipe.Pipe(b.pipe.constants.SOCKET);
  let over = false;
  const end = (why?: string) => {
    if (over) return;
    over = true;
    handle.close();
    events.closed(why);
  };
  const fail = (status: number) => end(util.getSystemErrorName(status));

  handle.onread = (buffer) => {
    const read = state[b.stream.kReadBytesOrError];
    if (read > 0) return events.data(Buffer.from(buffer, state[b.stream.kArrayBufferOffset], read));
    if (read === 0) return;
    const why = util.getSystemErrorName(read);
    end(why === 'EOF' ? undefined : why);
  };
  // What is written before the connection is made, sent once it is (as node:net does): a write
  // on a socket whose connect failed would say EPIPE instead of the connect's own error.
  let waiting: Buffer[] | undefined = [];
  const send = (bytes: Buffer) => {
    const req = new b.stream.WriteWrap();
    req.handle = handle;
    // libuv sends from these bytes without copying them: the request keeps them alive until it
    // completes, as node's own writes do (node holds the request itself meanwhile).
    req.buffer = bytes;
    req.async = false;
    req.oncomplete = (status) => {
      if (status < 0) fail(status);
    };
    const err = handle.writeBuffer(req, bytes);
    if (err) fail(err);
  };
  handle.unref();
  const connect = new b.pipe.PipeConnectWrap();
  connect.address = path;
  connect.oncomplete = (status) => {
    if (over) return;
    if (status < 0) return fail(status);
    events.connected();
    if (over) return;
    const err = handle.readStart();
    if (err) return fail(err);
    const queued = waiting!;
    waiting = undefined;
    for (const bytes of queued) if (!over) send(bytes);
  };
  const err = handle.connect(connect, path);
  // Said on the next turn, as node:net does: the caller has its stream before any event.
  if (err) queueMicrotask(() => fail(err));

  return {
    kind: 'pipe handle',
    write(bytes) {
      if (over) return;
      if (waiting) waiting.push(bytes);
      else send(bytes);
    },
    ref: () => handle.ref(),
    unref: () => handle.unref(),
    destroy() {
      if (over) return;
      over = true;
      handle.close();
    },
  };
}
