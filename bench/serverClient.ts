// The real dist/server.js as a child process, spoken to over stdio with vscode-jsonrpc, for the
// live-latency and memory workloads.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as rpc from 'vscode-jsonrpc/node';

import { SERVER_JS } from './paths';

export interface EventsNote {
  subscription_id: string;
  events: { seq: number; run_id: string }[];
}

export class BenchServer {
  private constructor(
    readonly child: ChildProcess,
    readonly conn: rpc.MessageConnection,
  ) {}

  static async start(roots: string[], args: string[] = []): Promise<BenchServer> {
    if (!fs.existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run npm run build first`);
    const child = spawn(process.execPath, [SERVER_JS, '--stdio', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
    conn.listen();
    const s = new BenchServer(child, conn);
    await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      workspaceFolders: roots.map((r, i) => ({ uri: pathToFileURL(r).href, name: `root${i}` })),
    });
    await conn.sendNotification('initialized', {});
    return s;
  }

  call<T>(method: string, params?: unknown): Promise<T> {
    return this.conn.sendRequest<T>(method, params);
  }

  /** Resident set size and its peak, in MB, from /proc (Linux). */
  memory(): { rssMb: number; peakMb: number } {
    const status = fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification('exit');
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
    this.conn.dispose();
  }
}
