// How tool outcomes look to the model: a result is its JSON (as text and as structuredContent);
// an error is a tool error (isError) whose text starts with the protocol's code.

/** The `_meta` key of a tool error's {code, message, data}, for programs that read it (docs/MCP.md). */
export const ERROR_META_KEY = 'runboard.dev/error';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { INTERNAL_ERROR, INVALID_PARAMS } from '../../../../contract/errors';
import { DomainError } from '../../engine/errors';
import { ParamsError } from '../../../../contract/schemas/params';
import { summaryOf } from './forModel';
import { UsageError } from '../usageError';

/** A rejection decided here, not by the store (e.g. no run named and several open). */
export class ToolRejection extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A short summary for the text, the whole result as structuredContent (the MCP spec wants both). */
export function toolResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: summaryOf(value) }], structuredContent: value };
}

export function toolError(e: unknown): CallToolResult {
  let code: string = INTERNAL_ERROR;
  const message = e instanceof Error ? e.message : String(e);
  let data: Record<string, unknown> = {};
  if (e instanceof DomainError) {
    code = e.code;
    data = e.toData();
  } else if (e instanceof ParamsError) {
    code = INVALID_PARAMS;
    data = { code, issues: e.issues };
  } else if (e instanceof UsageError) {
    code = e.code;
  } else if (e instanceof ToolRejection) {
    code = e.code;
    data = { code, ...e.data };
  }
  const detail = Object.keys(data).filter((k) => k !== 'code').length > 0 ? `\n${JSON.stringify(data)}` : '';
  // No structuredContent: clients check it against the tool's outputSchema, error or not (the
  // TypeScript SDK does), and a model would then get a schema complaint in place of the error.
  return {
    isError: true,
    content: [{ type: 'text', text: `${code}: ${message}${detail}` }],
    _meta: { [ERROR_META_KEY]: { code, message, data } },
  };
}

/**
 * The SDK's own tool errors — arguments its input schema refuses, an unknown tool — made as ours
 * are: the code first in the text, and _meta (docs/MCP.md). The SDK says them as an McpError's
 * message ("MCP error -32602: …" for invalid params).
 */
export function sdkToolError(message: string): CallToolResult {
  const invalid = /^MCP error -32602: /.exec(message);
  return toolError(invalid ? new ToolRejection(INVALID_PARAMS, message.slice(invalid[0].length)) : new Error(message));
}
