// Every request of PROTOCOL.md, answered: the store's methods and subscribe/unsubscribe, through
// one star handler, so params arrive exactly as sent (object, array or absent) and every shape
// error is ours to answer as -32602; a bad request never affects another. After `shutdown` the
// server answers nothing but `exit` (LSP). The same handlers serve the editor's connection and
// each connection to a root's socket (socketServer.ts), which speaks for that one root.
import type { Disposable, StarRequestHandler } from 'vscode-languageserver/node';
import { ResponseError } from 'vscode-languageserver/node';
import { INVALID_PARAMS, RpcErrorCodes } from '../../../contract/errors';
import { Requests } from '../protocol';
import { METHOD_PARAMS, parseParams, StoreMethod, SubscribeParams, UnsubscribeParams } from '../../../contract/schemas/params';
import type { MethodCaller } from '../routing/client';
import { errorText, toResponseError } from './rpcErrors';
import type { SubscriptionHub } from './subscriptions';
import { ParamsError } from '../../../contract/paramsError';
import { helloProof } from '../routing/endpoint';

/** What serving requests needs of a connection: vscode-languageserver's Connection and vscode-jsonrpc's MessageConnection both offer it. */
export interface RequestConnection {
  onRequest(handler: StarRequestHandler): Disposable;
}

export interface ServedRequests {
  /** From now on every request is refused (after `shutdown`). */
  stop(): void;
  /** Resolves when no request is being run. */
  drained(): Promise<void>;
}

/**
 * Answers requests on `connection` — the store's methods through `calls` (the store, or the
 * editor's server's write routing) — and returns what stops it. With `root` (a socket's connection),
 * params that name no root are given that one: the caller sees what a RunService of that root
 * alone would show it, never a run of the same id in another root this server has open.
 */
export function serveRequests(
  connection: RequestConnection,
  calls: MethodCaller,
  hub: SubscriptionHub,
  log: (message: string) => void,
  root?: string,
  /** A socket's connection: its announcement's secret, which `hello` proves this server knows. */
  secret?: string,
): ServedRequests {
  // A Map, not an object: a method named "constructor" must not find Object's.
  const handlers = new Map<string, (params: unknown) => unknown>();
  for (const name of Object.keys(METHOD_PARAMS) as StoreMethod[]) {
    handlers.set(Requests[name].method, (params) => calls.execute(name, params as never));
  }
  handlers.set(Requests.subscribe.method, (params) => hub.subscribe(parseParams(SubscribeParams, params)));
  handlers.set(Requests.unsubscribe.method, (params) => hub.unsubscribe(parseParams(UnsubscribeParams, params).subscription_id));
  handlers.set(Requests.hello.method, (params) => hello(params, secret));

  let stopped = false;
  let running = 0;
  const whenDrained: (() => void)[] = [];
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
    const given = (params ?? {}) as Record<string, unknown>;
    running++;
    try {
      return await handler(root !== undefined && given.root === undefined ? { ...given, root } : given);
    } catch (e) {
      const err = toResponseError(e, method);
      if (err.code === RpcErrorCodes.internal) log(`${method}: ${errorText(e)}`);
      throw err;
    } finally {
      if (--running === 0) for (const done of whenDrained.splice(0)) done();
    }
  });
  return {
    stop: () => (stopped = true),
    drained: () => (running === 0 ? Promise.resolve() : new Promise<void>((resolve) => whenDrained.push(resolve))),
  };
}

/** `runboard/hello`: the proof that this server knows its announcement's secret (PROTOCOL.md §Routing). */
function hello(params: unknown, secret: string | undefined): { proof: string } {
  if (secret === undefined)
    throw new ParamsError([
      { path: '', message: `${Requests.hello.method} is answered on a root's socket, which a client proves before it routes there` },
    ]);
  const nonce = (params as { nonce?: unknown }).nonce;
  if (typeof nonce !== 'string' || nonce.length < 16 || nonce.length > 256)
    throw new ParamsError([{ path: 'nonce', message: 'a string of 16–256 characters' }]);
  return { proof: helloProof(secret, nonce) };
}
