// The client's end of a root's socket: JSON-RPC 2.0 requests with LSP framing (Content-Length),
// hand-written because this is all a routed call needs (no vscode-jsonrpc in the CLI's path).
// Answers are matched by id; notifications and anything else the server sends are ignored. The
// socket keeps the process alive only while a request waits for its answer. Requests are written
// as soon as the socket is opened (the stream queues them until it connects): a CLI call's request
// reaches the server with its connection, in one wake-up of an idle server instead of two.
import { ByteStream, openByteStream } from './byteStream';

export interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

export type RpcAnswer = { result: unknown } | { error: RpcErrorBody };

/** The connection closed or failed before the answer came: the request may or may not have been carried out. */
export class ConnectionLost extends Error {
  constructor(
    readonly why = 'the connection closed',
    /** False when the socket never connected: the request never reached a server. */
    readonly mayHaveArrived = true,
  ) {
    super(`The connection to the Runboard server was lost before it answered: ${why}.`);
    this.name = 'ConnectionLost';
  }
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One JSON-RPC message with its LSP framing, as one buffer (one write, one syscall). */
export function framed(message: object): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

export class RpcSocket {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(a: RpcAnswer): void; reject(e: Error): void }>();
  private closed = false;
  private connected = false;
  /** Why the connection was lost (a refused connect, a timeout, a close). */
  private why = 'the connection closed';
  private readonly connectTimer: NodeJS.Timeout;
  /** What has arrived of the message being read, and its body's length once its header is read. */
  private chunks: Buffer[] = [];
  private size = 0;
  private bodyLength: number | undefined;

  private readonly socket: ByteStream;

  private constructor(endpoint: string, connectTimeoutMs: number, open: typeof openByteStream) {
    this.connectTimer = setTimeout(() => this.lose(`not connected within ${connectTimeoutMs} ms`), connectTimeoutMs).unref();
    this.socket = open(endpoint, {
      connected: () => {
        this.connected = true;
        clearTimeout(this.connectTimer);
      },
      data: (d) => this.receive(d),
      closed: (why) => this.lose(why),
    });
  }

  /**
   * Opens a connection to `endpoint`; requests may be sent at once. One that cannot connect
   * within `connectTimeoutMs` (refused, no such socket) fails its requests with ConnectionLost.
   */
  static open(endpoint: string, connectTimeoutMs: number, open = openByteStream): RpcSocket {
    return new RpcSocket(endpoint, connectTimeoutMs, open);
  }

  get alive(): boolean {
    return !this.closed;
  }

  /** Sends one request; resolves with its answer, rejects with ConnectionLost when none can come. */
  request(method: string, params: unknown): Promise<RpcAnswer> {
    if (this.closed) return Promise.reject(new ConnectionLost(this.why, this.connected));
    const id = this.nextId++;
    const answer = new Promise<RpcAnswer>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    if (this.pending.size === 1) this.socket.ref();
    this.socket.write(framed({ jsonrpc: '2.0', id, method, params }));
    return answer;
  }

  /** Closes the connection; requests waiting fail with ConnectionLost saying `why`. */
  close(why?: string): void {
    this.socket.destroy();
    this.lose(why);
  }

  private lose(why?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (why !== undefined) this.why = why;
    clearTimeout(this.connectTimer);
    this.socket.destroy();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(new ConnectionLost(this.why, this.connected));
  }

  /** Collects bytes until a whole message is there (copying them once), then answers its request. */
  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    for (;;) {
      if (this.bodyLength === undefined) {
        const buf = this.joined();
        const end = buf.indexOf(HEADER_END);
        if (end < 0) return;
        const length = /(?:^|\r\n)Content-Length:\s*(\d+)/i.exec(buf.subarray(0, end).toString('ascii'));
        if (!length) return this.close();
        this.bodyLength = Number(length[1]);
        this.chunks = [buf.subarray(end + HEADER_END.length)];
        this.size = this.chunks[0].length;
      }
      if (this.size < this.bodyLength) return;
      const buf = this.joined();
      const body = buf.subarray(0, this.bodyLength).toString('utf8');
      this.chunks = [buf.subarray(this.bodyLength)];
      this.size = this.chunks[0].length;
      this.bodyLength = undefined;
      this.dispatch(body);
      if (this.closed) return;
    }
  }

  private joined(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0];
  }

  private dispatch(body: string): void {
    let message: { id?: unknown; result?: unknown; error?: RpcErrorBody; method?: unknown };
    try {
      message = JSON.parse(body) as typeof message;
    } catch {
      return this.close();
    }
    // A notification (or a request of the server's, which a routed client never expects): not ours.
    if (typeof message.id !== 'number' || message.method !== undefined) return;
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.socket.unref();
    waiting.resolve(message.error !== undefined ? { error: message.error } : { result: message.result });
  }
}
