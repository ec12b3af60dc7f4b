// What an MCP client sends, screened before the SDK's stdio transport reads it. That transport
// drops a line that is not JSON, or not a JSON-RPC message (`params: null`, no `jsonrpc`), and
// tells the client nothing: the client then waits for an answer that never comes. Such a line is
// answered here as JSON-RPC 2.0 says — Parse error for what is not JSON, Invalid Request naming
// the field for what is not a message, with the request's id when it has one — and every other
// line passes unchanged, in order.
import { PassThrough, type Readable, type Writable } from 'node:stream';
import {
  ErrorCode,
  JSONRPCMessageSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  RequestIdSchema,
} from '@modelcontextprotocol/sdk/types.js';

/** What the transport reads instead of the input, and how to stop reading the input (the session over). */
export interface ScreenedInput {
  stream: Readable;
  stop(): void;
}

/**
 * The lines of `input` that are JSON-RPC messages; the others answered on `output`. Lines end at
 * "\n" alone, as the transport reads them (node:readline would also end one at a lone "\r").
 */
export function screenedInput(input: Readable, output: Writable): ScreenedInput {
  const passed = new PassThrough();
  let rest: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    rest = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    for (let nl = rest.indexOf(10); nl !== -1; nl = rest.indexOf(10)) {
      const line = rest.toString('utf8', 0, nl).replace(/\r$/, '');
      rest = rest.subarray(nl + 1);
      if (line.trim() === '') continue;
      const answer = refusalOf(line);
      if (answer) output.write(`${JSON.stringify(answer)}\n`);
      else passed.write(`${line}\n`);
    }
  };
  const onEnd = () => passed.end();
  const onError = (e: Error) => passed.destroy(e);
  input.on('data', onData).on('end', onEnd).on('error', onError);
  return {
    stream: passed,
    // As the transport does with what it reads: a process reading stdin would never exit.
    stop() {
      input.off('data', onData).off('end', onEnd).off('error', onError);
      if (input.listenerCount('data') === 0) input.pause();
    },
  };
}

/** The error answer to a line that is not a JSON-RPC message; undefined for one that is. */
function refusalOf(line: string): object | undefined {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch (e) {
    return answer(null, ErrorCode.ParseError, `Parse error: ${(e as Error).message}`);
  }
  if (JSONRPCMessageSchema.safeParse(message).success) return undefined;
  const fields = typeof message === 'object' && message !== null && !Array.isArray(message) ? (message as Record<string, unknown>) : {};
  const id = RequestIdSchema.safeParse(fields.id);
  // A request or notification is checked as one, so that the answer names the field at fault.
  const schema = 'method' in fields ? ('id' in fields ? JSONRPCRequestSchema : JSONRPCNotificationSchema) : undefined;
  const issue = schema?.safeParse(message).error?.issues[0];
  const why = issue ? `${issue.path.join('.') || 'the message'}: ${issue.message}` : 'not a JSON-RPC 2.0 request, notification or response';
  return answer(id.success ? id.data : null, ErrorCode.InvalidRequest, `Invalid Request: ${why}`);
}

function answer(id: string | number | null, code: number, message: string): object {
  return { jsonrpc: '2.0', id, error: { code, message } };
}
