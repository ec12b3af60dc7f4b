// The one mapping from store errors to JSON-RPC errors (PROTOCOL.md §Errors).
import { ResponseError } from 'vscode-languageserver/node';
import { DomainError } from '../engine/errors';
import { INTERNAL_ERROR, INVALID_PARAMS, RpcErrorCodes } from '../../../contract/errors';
import { ParamsError } from '../../../contract/schemas/params';

/** An error for the log: a domain error (a run gone, a file unreadable) by its code and words; another, its stack. */
export function errorText(e: unknown): string {
  if (e instanceof DomainError) return `${e.code}: ${e.message}`;
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

export function toResponseError(e: unknown, method: string): ResponseError<unknown> {
  if (e instanceof ResponseError) return e;
  if (e instanceof ParamsError) {
    return new ResponseError(RpcErrorCodes.invalidParams, e.message, { code: INVALID_PARAMS, issues: e.issues });
  }
  if (e instanceof DomainError) return new ResponseError(RpcErrorCodes.domain, e.message, e.toData());
  const message = e instanceof Error ? e.message : String(e);
  return new ResponseError(RpcErrorCodes.internal, `${method} failed: ${message}`, { code: INTERNAL_ERROR });
}

export function invalidParams(message: string, path = ''): ParamsError {
  return new ParamsError([{ path, message }]);
}
