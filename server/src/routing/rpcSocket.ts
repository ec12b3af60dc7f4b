// The client's end of a root's socket: JSON-RPC 2.0 requests with LSP framing (Content-Length),
// hand-written because this is all a routed call needs (no vscode-jsonrpc in the CLI's path).
// Answers are matched by id; notifications and anything else the server sends are ignored. The
// socket keeps the process alive only while a request waits for its answer.
import * as net from 'node:net';

export interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

export type RpcAnswer = { result: unknown } | { error: RpcErrorBody };

/** The connection closed or failed before the answer came: the request may or may not have been carried out. */
export class ConnectionLost extends Error {
  constructor() {
    super('The connection to the Runboard server closed before it answered.');
    this.name = 'ConnectionLost';
  }
}

const HEADER_END = Buffer.from('\r\n\r\n');

export class RpcSocket {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(a: RpcAnswer): void; reject(e: Error): void }>();
  private closed = false;
  /** What has arrived of the message being read, and its body's length once its header is read. */
  private chunks: Buffer[] = [];
  private size = 0;
  private bodyLength: number | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.receive(d));
    socket.on('error', () => this.lose());
    socket.on('close', () => this.lose());
    socket.unref();
  }

  /** Connects to `endpoint` within `timeoutMs`; `failure` says why it could not. */
  static connect(endpoint: string, timeoutMs: number): Promise<{ socket: RpcSocket } | { failure: string }> {
    return new Promise((resolve) => {
      const socket = net.createConnection(endpoint);
      const fail = (why: string) => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ failure: why });
      };
      const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
      socket.once('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve({ socket: new RpcSocket(socket) });
      });
    });
  }

  get alive(): boolean {
    return !this.closed;
  }

  /** Sends one request; resolves with its answer, rejects with ConnectionLost when none can come. */
  request(method: string, params: unknown): Promise<RpcAnswer> {
    if (this.closed) return Promise.reject(new ConnectionLost());
    const id = this.nextId++;
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, method, params }), 'utf8');
    const answer = new Promise<RpcAnswer>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    if (this.pending.size === 1) this.socket.ref();
    this.socket.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
    return answer;
  }

  close(): void {
    this.socket.destroy();
    this.lose();
  }

  private lose(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(new ConnectionLost());
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
