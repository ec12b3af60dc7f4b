// A routed call's error answer, thrown as the error the same call would have thrown directly
// (PROTOCOL.md §Errors in reverse): a domain rejection as the same DomainError (code, message,
// details), invalid params as the same ParamsError, anything else as an Error with the server's
// message — so the CLI's output and exit codes, and MCP's tool errors, do not depend on routing.
import { DomainCode, INVALID_PARAMS, RpcErrorCodes } from '../../../contract/errors';
import { ParamsError, ParamsIssue } from '../../../contract/paramsError';
import { DomainError } from '../engine/errors';
import type { RpcErrorBody } from './rpcSocket';

export function errorFromServer(e: RpcErrorBody, rpcMethod: string): Error {
  const data = (e.data ?? {}) as { code?: string; issues?: ParamsIssue[] } & Record<string, unknown>;
  if (e.code === RpcErrorCodes.domain && typeof data.code === 'string') {
    const { code, ...details } = data;
    return new DomainError(code as DomainCode, e.message, details);
  }
  if (e.code === RpcErrorCodes.invalidParams && data.code === INVALID_PARAMS && Array.isArray(data.issues))
    return new ParamsError(data.issues);
  // The server's own failure: its message says "<method> failed: …"; a direct call says the rest.
  const prefix = `${rpcMethod} failed: `;
  return new Error(e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message);
}
