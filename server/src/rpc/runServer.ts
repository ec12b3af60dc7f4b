// The Runboard server process: an LSP-framed JSON-RPC connection (stdio or node-ipc) over one
// RunStore with a root per workspace folder, a chokidar watcher for other writers, the lease
// timer, subscriptions and diagnostics. Nothing but protocol goes to stdout.
import {
  createConnection, DidChangeWorkspaceFoldersNotification, InitializeParams, InitializeResult, ProposedFeatures, ResponseError,
} from 'vscode-languageserver/node';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseParams, SubscribeParams, UnsubscribeParams } from '../../../contract/schemas/params';
import { METHOD_PARAMS, StoreMethod } from '../../../contract/schemas/params';
import { INVALID_PARAMS, RpcErrorCodes } from '../../../contract/errors';
import { Notifications, PROTOCOL_VERSION, Requests } from '../../../contract/messages';
import { ensureLockLoaded } from '../store/osLock';
import { RunStore } from '../store/runStore';
import { toResponseError } from './rpcErrors';
import { RunsWatcher } from './runsWatcher';
import { SubscriptionHub } from './subscriptions';
import { DURABILITIES, Durability } from '../../../contract/limits';
import type { InitializationOptions } from '../../../contract/initialization';

declare const RUNBOARD_VERSION: string | undefined;
const VERSION = typeof RUNBOARD_VERSION === 'string' ? RUNBOARD_VERSION : '0.1.0';

const LEASE_TICK_MS = 250;

const InitOptions: z.ZodType<InitializationOptions | undefined> = z
  .object({
    durability: z.enum(DURABILITIES).optional(),
    defaultLeaseMs: z.number().int().positive().optional(),
    readOnly: z.boolean().optional(),
  })
  .optional();

function folderPath(uriOrPath: string): string {
  return /^file:\/\//i.test(uriOrPath) ? fileURLToPath(uriOrPath) : uriOrPath;
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}


export function runServer(argv: string[] = process.argv.slice(2)): void {
  // Without its lock binary (an unsupported platform) nothing could be written: say so at start,
  // naming the platform, rather than at the first write. The client shows this line.
  try {
    ensureLockLoaded();
  } catch (e) {
    process.stderr.write(`[runboard] ${(e as Error).message}\n`);
    process.exit(1);
  }
  const durabilityArg = argValue(argv, '--durability');
  const store = new RunStore([], {
    durability: (durabilityArg === 'none' ? 'none' : 'fsync') as Durability,
    readOnly: argv.includes('--read-only'),
  });
  const connection = createConnection(ProposedFeatures.all);
  const log = (message: string) => process.stderr.write(`[runboard] ${message}\n`);

  const hub = new SubscriptionHub(
    store,
    (p) => connection.sendNotification(Notifications.events, p),
    (d) => void connection.sendNotification(Notifications.diagnostic, d),
    (r) => void connection.sendNotification(Notifications.runReset, r),
  );
  store.on({
    onCommit: (n) => hub.onCommit(n),
    onReset: (n) => hub.onReset(n),
    onDiagnostic: (d) => void connection.sendNotification(Notifications.diagnostic, d),
  });

  const watcher = new RunsWatcher({
    changed: (root, runId) => guard(() => store.catchUp(root, runId)),
    poll: () => guard(() => {
      for (const h of store.loadedRuns()) h.catchUp();
    }),
  });

  function guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      log(`watcher: ${(e as Error).stack ?? e}`);
    }
  }

  // Expired leases are requeued within a second, by the engine under the run's lock, so two
  // servers on one workspace never both requeue the same task.
  let expiring = false;
  const leaseTimer = setInterval(() => {
    if (store.options.readOnly) return;
    const next = store.nextLeaseExpiry();
    if (expiring || next === undefined || next > Date.now()) return;
    expiring = true;
    store
      .expireLeases()
      .catch((e) => log(`lease timer: ${(e as Error).message}`))
      .finally(() => (expiring = false));
  }, LEASE_TICK_MS);
  leaseTimer.unref();

  function addRoot(uriOrPath: string): void {
    const root = store.addRoot(folderPath(uriOrPath));
    watcher.add(root);
    hub.addRoot(root);
  }

  function removeRoot(uriOrPath: string): void {
    const root = store.addRoot(folderPath(uriOrPath));
    hub.dropRoot(root);
    void watcher.remove(root);
    store.removeRoot(root);
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const opts = InitOptions.safeParse(params.initializationOptions ?? undefined);
    if (opts.success && opts.data) {
      if (opts.data.durability) store.options.durability = opts.data.durability;
      if (opts.data.defaultLeaseMs) store.options.defaultLeaseMs = opts.data.defaultLeaseMs;
      if (opts.data.readOnly) store.options.readOnly = true;
    }
    const folders = params.workspaceFolders ?? [];
    if (folders.length > 0) for (const f of folders) addRoot(f.uri);
    else if (params.rootUri) addRoot(params.rootUri);
    else if (params.rootPath) addRoot(params.rootPath);
    // Registered after the library's own workspace-folder feature so this handler is the one used.
    connection.onNotification(DidChangeWorkspaceFoldersNotification.type, (p) => {
      for (const f of p.event.removed) removeRoot(f.uri);
      for (const f of p.event.added) addRoot(f.uri);
    });
    return {
      capabilities: { workspace: { workspaceFolders: { supported: true, changeNotifications: true } } },
      serverInfo: { name: 'runboard', version: VERSION },
      runboard: { protocol: PROTOCOL_VERSION },
    } as InitializeResult;
  });

  // A Map, not an object: a method named "constructor" must not find Object's.
  const handlers = new Map<string, (params: unknown) => unknown>();
  for (const name of Object.keys(METHOD_PARAMS) as StoreMethod[]) {
    handlers.set(Requests[name].method, (params) => store.execute(name, params));
  }
  handlers.set(Requests.subscribe.method, (params) => hub.subscribe(parseParams(SubscribeParams, params)));
  handlers.set(Requests.unsubscribe.method, (params) => hub.unsubscribe(parseParams(UnsubscribeParams, params).subscription_id));

  // One star handler: params arrive exactly as sent (object, array or absent), so every shape
  // error is ours to answer as -32602, and a bad request never affects another.
  let shutDown = false;
  connection.onRequest(async (method, params) => {
    // LSP: after `shutdown` the server answers nothing but `exit`.
    if (shutDown) throw new ResponseError(RpcErrorCodes.invalidRequest, `The server was shut down; ${method} was not run.`);
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
      if (err.code === RpcErrorCodes.internal) log(`${method}: ${(e as Error).stack ?? e}`);
      throw err;
    }
  });

  let closed = false;
  const shutdown = () => {
    if (closed) return;
    closed = true;
    clearInterval(leaseTimer);
    void watcher.close();
    store.flush();
    store.close();
  };
  connection.onShutdown(() => {
    shutDown = true;
    store.flush();
  });
  connection.onExit(shutdown);
  // The library exits the process when the client goes away without `exit`; the caches are
  // still worth writing (synchronously) on the way out.
  process.on('exit', shutdown);
  process.on('SIGTERM', () => {
    shutdown();
    process.exit(0);
  });
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${(e as Error)?.stack ?? e}`));
  process.on('uncaughtException', (e) => log(`uncaught exception: ${e.stack ?? e}`));

  connection.listen();
}
