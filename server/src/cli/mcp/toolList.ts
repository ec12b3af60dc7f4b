// tools/list as the client receives it, without the JSON Schema dialect the SDK names in every
// schema ("$schema": draft-07, twice per tool: a tenth of the list, in every session's context).
// The schemas use nothing on which draft-07 and MCP's default dialect (2020-12) differ.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

type Schema = Record<string, unknown> | undefined;

/** The message, with `$schema` taken out of its tools' schemas when it is a tools/list answer. */
export function withoutSchemaDialect(message: JSONRPCMessage): JSONRPCMessage {
  const tools = 'result' in message ? (message.result as { tools?: unknown }).tools : undefined;
  if (!Array.isArray(tools)) return message;
  for (const t of tools as { inputSchema?: Schema; outputSchema?: Schema }[]) {
    delete t.inputSchema?.$schema;
    delete t.outputSchema?.$schema;
  }
  return message;
}
