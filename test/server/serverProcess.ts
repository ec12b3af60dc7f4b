// Test harness: the real dist/server.js as a child process, spoken to over stdio with
// vscode-jsonrpc — no in-process shortcut.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { it } from 'node:test';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClientConfig } from 'pg';
import * as rpc from 'vscode-jsonrpc/node';
import { writeBoardConfig } from '../../scripts/embeddedPostgres';
import { removeWorkspace } from '../tempWorkspaces';

export const REPO = path.resolve(__dirname, '..', '..');
export const SERVER_JS = path.join(REPO, 'dist', 'server.js');
export const CLI_JS = path.join(REPO, 'dist', 'cli.js');

export interface RpcFailure {
  code: number;
  message: string;
  data?: { code?: string; [k: string]: unknown };
}

export interface EventsNote {
  subscription_id: string;
  events: { seq: number; run_id: string; type: string; ts_ms: number; task_id?: string; payload: unknown; [k: string]: unknown }[];
  cursor: Record<string, number>;
}

export interface DiagnosticNote {
  run_id?: string;
  file: string;
  line?: number;
  message: string;
}

/**
 * The board the protocol tests run on: the files (default), or — with RUNBOARD_TEST_PG set to a
 * connection's {host, port, user, database} (test/postgres/protocolOnPostgres.test.ts) — a
 * PostgreSQL board of each root's own, named after it.
 */
const testPg = process.env.RUNBOARD_TEST_PG ? (JSON.parse(process.env.RUNBOARD_TEST_PG) as ClientConfig) : undefined;

/** True when the tests run on a database board: tests about the files are skipped (`itOnFiles`). */
export const onPostgres = testPg !== undefined;

/** A test about the files themselves (their layout, damage, caches): run on the file store only. */
export const itOnFiles: typeof it.skip = onPostgres ? it.skip : it;

/** Temp roots made by this test process: removed when it exits (with their sockets), whatever its tests removed themselves. */
const madeRoots: string[] = [];
process.on('exit', () => madeRoots.forEach(removeWorkspace));

export function tempRoot(prefix = 'runboard-server-'): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  madeRoots.push(root);
  if (testPg) writeBoardConfig(root, testPg, path.basename(root));
  return root;
}

export interface ResetNote {
  subscription_id: string;
  root: string;
  run_id: string;
  last_seq: number;
  cursor: Record<string, number>;
}

export class ServerProcess {
  readonly events: EventsNote[] = [];
  readonly diagnostics: DiagnosticNote[] = [];
  readonly resets: ResetNote[] = [];
  stderr = '';
  initResult: any;
  private exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly conn: rpc.MessageConnection,
  ) {
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    // A dead server answers nothing: reject what is pending instead of leaving it hanging.
    child.on('exit', () => {
      try {
        conn.dispose();
      } catch {
        // already disposed
      }
    });
    child.stderr?.on('data', (d) => (this.stderr += d.toString()));
    conn.onNotification('runboard/events', (p: EventsNote) => {
      this.events.push(p);
    });
    conn.onNotification('runboard/diagnostic', (p: DiagnosticNote) => {
      this.diagnostics.push(p);
    });
    conn.onNotification('runboard/runReset', (p: ResetNote) => {
      this.resets.push(p);
    });
    conn.listen();
  }

  /** `maxOpenFiles`: the server runs under `ulimit -n` of that many descriptors; `nodeArgs` go before the script. */
  static async start(
    roots: string[],
    opts: { args?: string[]; initializationOptions?: unknown; maxOpenFiles?: number; nodeArgs?: string[] } = {},
  ): Promise<ServerProcess> {
    if (!fs.existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run npm run build first`);
    const argv = [...(opts.nodeArgs ?? []), SERVER_JS, '--stdio', ...(opts.args ?? [])];
    const child = opts.maxOpenFiles
      ? spawn('bash', ['-c', `ulimit -n ${opts.maxOpenFiles} && exec "$0" "$@"`, process.execPath, ...argv], {
          stdio: ['pipe', 'pipe', 'pipe'],
        })
      : spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
    const s = new ServerProcess(child, conn);
    try {
      s.initResult = await conn.sendRequest('initialize', {
        processId: process.pid,
        rootUri: null,
        capabilities: {},
        initializationOptions: opts.initializationOptions,
        workspaceFolders: roots.map((r, i) => ({ uri: pathToFileURL(r).href, name: `root${i}` })),
      });
    } catch (e) {
      // A refused initialize: the process is not the test's to stop later.
      conn.dispose();
      child.kill();
      throw e;
    }
    await conn.sendNotification('initialized', {});
    return s;
  }

  call<T = any>(method: string, params?: unknown): Promise<T> {
    return this.conn.sendRequest<T>(method, params);
  }

  /** The JSON-RPC error of a call that must fail. */
  async fail(method: string, params?: unknown): Promise<RpcFailure> {
    try {
      await this.conn.sendRequest(method, params);
    } catch (e) {
      const err = e as rpc.ResponseError<RpcFailure['data']>;
      return { code: err.code, message: err.message, data: err.data };
    }
    throw new Error(`${method} succeeded but was expected to fail`);
  }

  /** Events delivered to a subscription, flattened. */
  delivered(subscriptionId: string) {
    return this.events.filter((n) => n.subscription_id === subscriptionId).flatMap((n) => n.events);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), sleep(2000)]);
      await this.conn.sendNotification('exit');
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): Promise<number | null> {
    this.child.kill('SIGKILL');
    return this.exited;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const started: ServerProcess[] = [];

/** ServerProcess.start, remembered so that stopServers() (in an after hook) stops it. */
export async function startServer(roots: string[], opts?: Parameters<typeof ServerProcess.start>[1]): Promise<ServerProcess> {
  const s = await ServerProcess.start(roots, opts);
  started.push(s);
  return s;
}

export async function stopServers(): Promise<void> {
  await Promise.all(started.splice(0).map((s) => s.stop()));
}

/** Polls until `check` returns a truthy value or the time is up. */
export async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Every file under `dir` with its bytes, for "nothing was written" checks. */
export function treeSnapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isSymbolicLink()) out.set(path.relative(dir, p), `symlink → ${fs.readlinkSync(p)}`);
      else out.set(path.relative(dir, p), fs.readFileSync(p).toString('base64'));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}
