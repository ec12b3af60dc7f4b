// The server process seen from the extension: one vscode-languageclient over IPC to
// dist/server.js, restarted on crash within a budget, then left stopped (and said so) rather
// than crash-looping. Requests go through `request()`, which fails fast with
// ServerNotRunningError when the server is down so commands can say so and offer a restart.
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import type { RequestType } from 'vscode-jsonrpc';
import {
  Notifications,
  type DiagnosticNotificationParams,
  type EventsNotificationParams,
  type RunResetNotificationParams,
} from '../../../server/src/protocol';
import * as config from '../config';
import { log } from '../log';
import { editorRuntime, type RuntimeChoice } from './serverRuntime';
import type { InitializationOptions } from '../../../contract/initialization';

export type ServerState = 'starting' | 'running' | 'stopped';

export class ServerNotRunningError extends Error {
  constructor() {
    super('The Runboard server is not running.');
    this.name = 'ServerNotRunningError';
  }
}

/** At most this many automatic restarts within the window, then stay stopped. */
const RESTART_BUDGET = { count: 4, windowMs: 3 * 60_000 };
const STDERR_LINES = 20;

export class RunboardServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private _state: ServerState = 'stopped';
  private _stoppedReason: string | undefined;
  private crashes: number[] = [];
  private stderrTail: string[] = [];
  private stopping = false;
  private _runtime: RuntimeChoice | undefined;
  private readonly traceChannel = vscode.window.createOutputChannel('Runboard Server Trace', { log: true });
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  private readonly startedEmitter = new vscode.EventEmitter<void>();
  private readonly eventsEmitter = new vscode.EventEmitter<EventsNotificationParams>();
  private readonly diagnosticEmitter = new vscode.EventEmitter<DiagnosticNotificationParams>();
  private readonly resetEmitter = new vscode.EventEmitter<RunResetNotificationParams>();

  /** Fires on every state change. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** Fires each time the server is (re)started and initialized: subscriptions must be renewed. */
  readonly onDidStart = this.startedEmitter.event;
  readonly onEvents = this.eventsEmitter.event;
  readonly onDiagnostic = this.diagnosticEmitter.event;
  /** A run's history was replaced on disk: what the views hold of it must be read again. */
  readonly onRunReset = this.resetEmitter.event;

  constructor(
    private readonly extensionPath: string,
    private readonly isTrusted: () => boolean,
    /** What the server's environment needs on top of the editor's (database boards' passwords). */
    private readonly extraEnv: () => Promise<Record<string, string>> = async () => ({}),
  ) {}

  get state(): ServerState {
    return this._state;
  }
  /** Why the server is stopped, when it stopped on its own. */
  get stoppedReason(): string | undefined {
    return this._stoppedReason;
  }
  get runtime(): RuntimeChoice | undefined {
    return this._runtime;
  }
  /** The server's last stderr lines (the reason when it fails to start or to lock files). */
  get recentStderr(): readonly string[] {
    return this.stderrTail;
  }
  get outputChannel(): vscode.LogOutputChannel {
    return log();
  }

  /** Starts the server unless it runs (or is being started: the same start is awaited). */
  start(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.starting ??= this.startNow().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async startNow(): Promise<void> {
    const extra = await this.extraEnv();
    this.stopping = false;
    this.crashes = [];
    this.stderrTail = [];
    this._stoppedReason = undefined;
    const distDir = path.join(this.extensionPath, 'dist');
    this._runtime = editorRuntime(config.serverNodePath());
    log().info(`Starting the Runboard server with ${this._runtime.description}`);

    const serverOptions: ServerOptions = {
      module: path.join(distDir, 'server.js'),
      transport: TransportKind.ipc,
      ...(this._runtime.serverRuntime ? { runtime: this._runtime.serverRuntime } : {}),
      ...(Object.keys(extra).length > 0 ? { options: { env: { ...process.env, ...extra } } } : {}),
    };
    const client = new LanguageClient('runboard', 'Runboard', serverOptions, this.clientOptions());
    this.client = client;
    client.onDidChangeState(({ newState }) => {
      if (this.client !== client) return;
      if (newState === State.Running) {
        this.setState('running');
        this.startedEmitter.fire();
      } else if (newState === State.Starting) {
        this.setState('starting');
      } else if (newState === State.Stopped && !this.stopping) {
        // Not asked for: either the crash budget is spent (stopped) or a restart follows.
        this.setState(this._stoppedReason ? 'stopped' : 'starting');
      }
    });
    client.onNotification(Notifications.events, (p) => this.eventsEmitter.fire(p));
    client.onNotification(Notifications.diagnostic, (p) => this.diagnosticEmitter.fire(p));
    client.onNotification(Notifications.runReset, (p) => this.resetEmitter.fire(p));
    this.setState('starting');
    try {
      await client.start();
    } catch (e) {
      if (this.client !== client) return;
      const reason = this.stderrTail.at(-1) ?? (e as Error).message;
      this._stoppedReason = `The server did not start: ${reason}`;
      log().error(this._stoppedReason);
      this.client = undefined;
      void client.dispose().catch(() => undefined);
      this.setState('stopped');
    }
  }

  /** Stops on purpose (no restart). */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.stopping = true;
    this.client = undefined;
    try {
      if (client.state === State.Running || client.state === State.Starting) await client.stop(5000);
    } catch (e) {
      log().warn(`Stopping the server: ${(e as Error).message}`);
    }
    await client.dispose().catch(() => undefined);
    this._stoppedReason = undefined;
    this.setState('stopped');
  }

  async restart(): Promise<void> {
    log().info('Restarting the Runboard server');
    await this.stop();
    await this.start();
  }

  /** One typed request; ServerNotRunningError when the server is down. */
  async request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R> {
    const client = this.client;
    if (!client || this._state !== 'running') throw new ServerNotRunningError();
    // The client's overloads do not resolve a generic RequestType<P, R>; `type` already ties R to P.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    return client.sendRequest(type, params as never) as Promise<R>;
  }

  /** The server's process id, for tests that crash it on purpose. */
  get pid(): number | undefined {
    const proc = (this.client as unknown as { _serverProcess?: { pid?: number } } | undefined)?._serverProcess;
    return proc?.pid;
  }

  dispose(): void {
    void this.stop();
    this.traceChannel.dispose();
    this.stateEmitter.dispose();
    this.startedEmitter.dispose();
    this.eventsEmitter.dispose();
    this.diagnosticEmitter.dispose();
    this.resetEmitter.dispose();
  }

  private setState(s: ServerState): void {
    if (this._state === s) return;
    this._state = s;
    log().info(`Server ${s}${s === 'stopped' && this._stoppedReason ? `: ${this._stoppedReason}` : ''}`);
    this.stateEmitter.fire(s);
  }

  private clientOptions(): LanguageClientOptions {
    const keepStderr = (line: string) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_LINES) this.stderrTail.shift();
    };
    return {
      // No documents: Runboard uses the language client for its process and JSON-RPC plumbing only.
      documentSelector: [],
      outputChannel: log(),
      traceOutputChannel: this.traceChannel,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      // Untrusted: the server writes nothing (no lease expiry, caches or lease checks either), and
      // serves no socket. Trusted: the workspace's CLI and MCP processes send their calls to it.
      initializationOptions: {
        durability: config.durability(),
        defaultLeaseMs: config.defaultLeaseMs(),
        readOnly: !this.isTrusted(),
        serveSocket: this.isTrusted(),
        archiveAfterDays: config.archiveAfterDays(),
      } satisfies InitializationOptions,
      stdioOptions: {
        stdout: (input, channel) => readline.createInterface({ input, crlfDelay: Infinity }).on('line', (l) => channel.info(l)),
        stderr: (input, channel) =>
          readline.createInterface({ input, crlfDelay: Infinity }).on('line', (l) => {
            keepStderr(l);
            channel.warn(`[server] ${l}`);
          }),
      },
      errorHandler: {
        error: (_error, _message, count) => ({ action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true }),
        closed: () => {
          const now = Date.now();
          this.crashes = this.crashes.filter((t) => now - t < RESTART_BUDGET.windowMs);
          this.crashes.push(now);
          if (this.crashes.length <= RESTART_BUDGET.count) {
            log().warn(`The Runboard server exited unexpectedly; restarting (${this.crashes.length}/${RESTART_BUDGET.count}).`);
            return { action: CloseAction.Restart, handled: true };
          }
          const last = this.stderrTail.at(-1);
          this._stoppedReason =
            `The server crashed ${this.crashes.length} times in ${RESTART_BUDGET.windowMs / 60_000} minutes and was not restarted` +
            (last ? ` (last said: ${last})` : '') +
            '.';
          log().error(this._stoppedReason);
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
  }
}
