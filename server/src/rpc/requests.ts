// Every request of PROTOCOL.md, answered: the store's methods and subscribe/unsubscribe, through
// one star handler, so params arrive exactly as sent (object, array or absent) and every shape
// error is ours to answer as -32602; a bad request never affects another. After `shutdown` the
// server answers nothing but `exit` (LSP).
import type { Connection } from 'vscode-languageserver/node';
import { ResponseError } from 'vscode-languageserver/node';
import { INVALID_PARAMS, RpcErrorCodes } from '../../../contract/errors';
import { Requests } from '../protocol';
import { METHOD_PARAMS, parseParams, StoreMethod, SubscribeParams, UnsubscribeParams } from '../../../contract/schemas/params';
import type { RunService } from '../service/runService';
import { errorText, toResponseError } from './rpcErrors';
import type { SubscriptionHub } from './subscriptions';

/** Answers requests on `connection`; returns what stops it (after `shutdown`). */
export function serveRequests(
  connection: Connection,
  store: RunService,
  hub: SubscriptionHub,
  log: (message: string) => void,
): { stop(): void } {
  // A Map, not an object: a method named "constructor" must not find Object's.
  const handlers = new Map<string, (params: unknown) => unknown>();
  for (const name of Object.keys(METHOD_PARAMS) as StoreMethod[]) {
    handlers.set(Requests[name].method, (params) => store.execute(name, params));
  }
  handlers.set(Requests.subscribe.method, (params) => hub.subscribe(parseParams(SubscribeParams, params)));
  handlers.set(Requests.unsubscribe.method, (params) => hub.unsubscribe(parseParams(UnsubscribeParams, params).subscription_id));

  let stopped = false;
  connection.onRequest(async (method, params) => {
    if (stopped) throw new ResponseError(RpcErrorCodes.invalidRequest, `The server was shut down; ${method} was not run.`);
    const handler = handlers.get(method);
    if (!handler) throw new ResponseError(RpcErrorCodes.methodNotFound, `Unhandled method ${method}`);
    if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
      throw new ResponseError(RpcErrorCodes.invalidParams, `${method} takes one params object`, {
        code: INVALID_PARAMS,
        issues: [{ path: '', message: 'params must be an object' }],
      });
    }
    try {
      return await handler(params ?? {});
    } catch (e) {
      const err = toResponseError(e, method);
      if (err.code === RpcErrorCodes.internal) log(`${method}: ${errorText(e)}`);
      throw err;
    }
  });
  return { stop: () => (stopped = true) };
}
