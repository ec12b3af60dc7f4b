// A session's tool calls carried out one at a time, in the order they arrived. The SDK starts every
// request as it arrives; a model that sends claim_task, heartbeat_task and complete_task without
// waiting (parallel tool calls) then had the heartbeat run before the claim had given this session
// its token. This transport holds each tools/call until the one before it is answered (or
// cancelled: the SDK answers nothing then); every other message passes at once.
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';

type Received = { message: JSONRPCMessage; extra?: MessageExtraInfo };

const isToolCall = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: 'tools/call' } =>
  'method' in m && m.method === 'tools/call' && 'id' in m;

// Each side numbers its own requests: a response this server sends ends a client's request, a
// cancellation the client sends names one; the client's responses and the server's own
// cancellations are about the server's requests, whose ids may be the same numbers.

/** The client's request an outgoing message answers, if it is a response. */
function answered(m: JSONRPCMessage): RequestId | undefined {
  return 'id' in m && !('method' in m) ? m.id : undefined;
}

/** The client's request an incoming message cancels, if it is a cancellation. */
function cancelled(m: JSONRPCMessage): RequestId | undefined {
  return 'method' in m && m.method === 'notifications/cancelled'
    ? (m.params as { requestId?: RequestId } | undefined)?.requestId
    : undefined;
}

export class ToolCallsInOrder implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  private running: RequestId | undefined;
  private readonly waiting: Received[] = [];

  constructor(private readonly inner: Transport) {
    inner.onmessage = (message, extra) => this.receive({ message, extra });
    inner.onclose = () => this.onclose?.();
    inner.onerror = (e) => this.onerror?.(e);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    await this.inner.send(message, options);
    if (this.running !== undefined && answered(message) === this.running) this.next();
  }

  private receive(r: Received): void {
    if (!isToolCall(r.message)) {
      this.onmessage?.(r.message, r.extra);
      if (this.running !== undefined && cancelled(r.message) === this.running) this.next();
      return;
    }
    this.waiting.push(r);
    if (this.running === undefined) this.next();
  }

  private next(): void {
    this.running = undefined;
    const r = this.waiting.shift();
    if (!r) return;
    this.running = (r.message as { id: RequestId }).id;
    this.onmessage?.(r.message, r.extra);
  }
}
