// The Runboard server process: an LSP-framed JSON-RPC connection (stdio or node-ipc) over one
// RunService with a root per workspace folder, its boards followed for other writers' commits, the
// lease timer, subscriptions and diagnostics. Nothing but protocol goes to stdout.
import {
  createConnection,
  DidChangeWorkspaceFoldersNotification,
  InitializeError,
  InitializeResult,
  ProposedFeatures,
  ResponseError,
} from 'vscode-languageserver/node';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Notifications, PROTOCOL_VERSION } from '../protocol';
import { ensureStoresUsable } from '../store/boards';
import { RunService } from '../service/runService';
import { startLeaseTimer } from './leaseTimer';
import { startArchiveTimer } from './archiveTimer';
import { errorText, toResponseError } from './rpcErrors';
import { issuesOf, ParamsError } from '../../../contract/schemas/params';
import { serveRequests } from './requests';
import { SocketKeeper } from './socketKeeper';
import { WriteRouting } from './writeRouting';
import { SubscriptionHub } from './subscriptions';
import { ARCHIVE_AFTER_DAYS_MAX, DURABILITIES } from '../../../contract/limits';
import type { InitializationOptions } from '../../../contract/initialization';

declare const RUNBOARD_VERSION: string | undefined;
const VERSION = typeof RUNBOARD_VERSION === 'string' ? RUNBOARD_VERSION : '0.1.0';

const InitOptions: z.ZodType<InitializationOptions | undefined> = z
  .object({
    durability: z.enum(DURABILITIES).optional(),
    defaultLeaseMs: z.number().int().positive().optional(),
    readOnly: z.boolean().optional(),
    serveSocket: z.boolean().optional(),
    archiveAfterDays: z.number().int().min(0).max(ARCHIVE_AFTER_DAYS_MAX).optional(),
  })
  // An option misspelt (`readonly`) would otherwise leave a server writing that was asked to be read-only.
  .strict()
  .optional();

/**
 * What the client said in `initialize`: whether to serve the roots' sockets, and after how many days
 * to archive finished runs. Malformed or unknown options are refused (ParamsError, the option named):
 * until this change they were ignored, and `readOnly: "true"` started a server that writes.
 */
function applyInitializationOptions(store: RunService, raw: unknown): { serveSocket: boolean; archiveAfterDays: number } {
  const opts = InitOptions.safeParse(raw ?? undefined);
  if (!opts.success)
    throw new ParamsError(
      issuesOf(opts.error).map((i) => ({ ...i, path: i.path ? `initializationOptions.${i.path}` : 'initializationOptions' })),
    );
  if (!opts.data) return { serveSocket: false, archiveAfterDays: 0 };
  if (opts.data.durability) store.options.durability = opts.data.durability;
  if (opts.data.defaultLeaseMs) store.options.defaultLeaseMs = opts.data.defaultLeaseMs;
  if (opts.data.readOnly) store.options.readOnly = true;
  // A read-only server writes nothing: it serves no socket (it would refuse the writes it was sent) and archives nothing.
  return {
    serveSocket: opts.data.serveSocket === true && !store.options.readOnly,
    archiveAfterDays: store.options.readOnly ? 0 : (opts.data.archiveAfterDays ?? 0),
  };
}

function initializeResult(): InitializeResult {
  return {
    capabilities: { workspace: { workspaceFolders: { supported: true, changeNotifications: true } } },
    serverInfo: { name: 'runboard', version: VERSION },
    runboard: { protocol: PROTOCOL_VERSION },
  } as InitializeResult;
}

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
  exitWithoutLock();
  const store = new RunService([], {
    durability: argValue(argv, '--durability') === 'none' ? 'none' : 'fsync',
    readOnly: argv.includes('--read-only'),
    // Its socket's callers (and its own) go together while a sync runs.
    syncOffLoop: true,
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

  const watcher = store.follow((e) => log(`watcher: ${errorText(e)}`));
  const leaseTimer = startLeaseTimer(store, log);
  let sockets: SocketKeeper | undefined;
  let archiving: { stop(): void } | undefined;

  function addRoot(uriOrPath: string): void {
    const root = store.addRoot(folderPath(uriOrPath));
    hub.addRoot(root);
    sockets?.add(root);
  }

  function removeRoot(uriOrPath: string): void {
    // A task's worktree and its main worktree show one board: it stays while either is open.
    const closed = store.removeRoot(folderPath(uriOrPath));
    if (closed === undefined) return;
    sockets?.remove(closed);
    hub.dropRoot(closed);
  }

  connection.onInitialize((params) => {
    let chosen: ReturnType<typeof applyInitializationOptions>;
    try {
      chosen = applyInitializationOptions(store, params.initializationOptions);
    } catch (e) {
      // LSP's initialize error carries `retry`: the same options would be refused again.
      const refused = toResponseError(e, 'initialize');
      return new ResponseError<InitializeError>(refused.code, refused.message, { retry: false, ...(refused.data as object) });
    }
    if (chosen.serveSocket) sockets = new SocketKeeper(store, log);
    if (chosen.archiveAfterDays > 0) archiving = startArchiveTimer(store, chosen.archiveAfterDays, log);
    const folders = params.workspaceFolders ?? [];
    if (folders.length > 0) for (const f of folders) addRoot(f.uri);
    else if (params.rootUri) addRoot(params.rootUri);
    else if (params.rootPath) addRoot(params.rootPath);
    // Registered after the library's own workspace-folder feature so this handler is the one used.
    connection.onNotification(DidChangeWorkspaceFoldersNotification.type, (p) => {
      for (const f of p.event.removed) removeRoot(f.uri);
      for (const f of p.event.added) addRoot(f.uri);
    });
    return initializeResult();
  });
  // With another server on a root's socket, this one's writes for that root go there (one writer per workspace).
  const calls = new WriteRouting(
    store,
    (root) => sockets?.servedElsewhere(root) === true,
    process.env.RUNBOARD_DEBUG ? (line) => log(`route: ${line}`) : undefined,
  );
  const requests = serveRequests(connection, calls, hub, log);

  let closed = false;
  const shutdown = () => {
    if (closed) return;
    closed = true;
    sockets?.stopNow();
    archiving?.stop();
    calls.close();
    clearInterval(leaseTimer);
    void watcher.close();
    store.flush();
    store.close();
  };
  connection.onShutdown(async () => {
    requests.stop();
    await sockets?.stop();
    store.flush();
  });
  connection.onExit(shutdown);
  onProcessEnd(shutdown, log);
  connection.listen();
}

/** Without its lock binary (an unsupported platform) nothing could be written: say so at start, naming the platform (the client shows this line), rather than at the first write. */
function exitWithoutLock(): void {
  try {
    ensureStoresUsable();
  } catch (e) {
    process.stderr.write(`[runboard] ${(e as Error).message}\n`);
    process.exit(1);
  }
}

/** The library exits the process when the client goes away without `exit`; the caches are still worth writing (synchronously) on the way out. */
function onProcessEnd(shutdown: () => void, log: (message: string) => void): void {
  process.on('exit', shutdown);
  process.on('SIGTERM', () => {
    shutdown();
    process.exit(0);
  });
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${errorText(e)}`));
  process.on('uncaughtException', (e) => log(`uncaught exception: ${errorText(e)}`));
}
