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

/** The request a response or a cancellation is about, if it is one. */
function endedRequest(m: JSONRPCMessage): RequestId | undefined {
  if ('id' in m && !('method' in m)) return m.id;
  if ('method' in m && m.method === 'notifications/cancelled') return (m.params as { requestId?: RequestId } | undefined)?.requestId;
  return undefined;
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
    if (this.running !== undefined && endedRequest(message) === this.running) this.next();
  }

  private receive(r: Received): void {
    if (!isToolCall(r.message)) {
      this.onmessage?.(r.message, r.extra);
      if (this.running !== undefined && endedRequest(r.message) === this.running) this.next();
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
