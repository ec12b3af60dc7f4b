// The torture's writers, each its own OS process: the server (spoken to over JSON-RPC), CLI
// processes (one per command) and MCP servers (spoken to with the SDK's client). Each turns
// a Command into its transport's call and reports what came back: a protocol result, a typed
// rejection, or nothing (its process was killed under it).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ChildProcess, spawn } from 'node:child_process';
import { CLI_JS, ServerProcess } from '../../server/serverProcess';
import { HeadlessServer, startHeadless } from '../../cli/cliHarness';
import { Command } from './commands';
import { ERROR_META_KEY } from '../../../server/src/cli/mcp/toolResults';

export type Outcome = { ok: true; result: any } | { ok: false; code: string } | { lost: true };

export interface TortureAgent {
  readonly name: string;
  readonly kind: 'server' | 'cli' | 'mcp';
  start(): Promise<void>;
  execute(cmd: Command, commandId: string): Promise<Outcome>;
  /** SIGKILL the agent's process (a CLI agent's in-flight command, if any). */
  kill(): void;
  stop(): Promise<void>;
  /** What its processes said when they ended by themselves — neither killed nor stopped: a crash, which fails the torture. */
  readonly crashes: string[];
}

export const RUN_ID = 'torture';

/** The protocol method and params of a command. */
export function protocolCall(cmd: Command, agent: string, commandId: string): [string, Record<string, unknown>] {
  const base = { run_id: RUN_ID };
  switch (cmd.kind) {
    case 'createTasks':
      return ['runboard/createTasks', { ...base, tasks: cmd.tasks, command_id: commandId }];
    case 'claim':
      return ['runboard/claimTask', { ...base, agent_id: agent, lease_ms: cmd.lease_ms, command_id: commandId }];
    case 'heartbeat':
      return [
        'runboard/transitionTask',
        { ...base, action: 'heartbeat', task_id: cmd.task_id, lease_token: cmd.lease_token, lease_ms: cmd.lease_ms, command_id: commandId },
      ];
    case 'complete':
    case 'release':
      return [
        'runboard/transitionTask',
        { ...base, action: cmd.kind, task_id: cmd.task_id, lease_token: cmd.lease_token, command_id: commandId },
      ];
    case 'fail':
      return [
        'runboard/transitionTask',
        { ...base, action: 'fail', task_id: cmd.task_id, lease_token: cmd.lease_token, error: cmd.error, command_id: commandId },
      ];
    case 'retry':
      return ['runboard/transitionTask', { ...base, action: 'retry', task_id: cmd.task_id, command_id: commandId }];
    case 'requeue':
      return ['runboard/requeueTask', { ...base, task_id: cmd.task_id, force: cmd.force, command_id: commandId }];
    case 'cancel':
      return [
        'runboard/cancelTask',
        { ...base, task_id: cmd.task_id, cascade: cmd.cascade, force: cmd.force, agent_id: agent, command_id: commandId },
      ];
    case 'event':
      return ['runboard/appendEvent', { ...base, type: cmd.type, status: 'running', command_id: commandId }];
    case 'fact':
      return ['runboard/patchBlackboard', { ...base, op: 'add_fact', payload: { text: cmd.text }, command_id: commandId }];
    case 'checkpoint':
      return ['runboard/createCheckpoint', { ...base, reason: cmd.reason }];
  }
}

/**
 * The root's socket server (`runboard serve --socket`): issues no commands, serves the CLI and MCP
 * agents' routed calls while it runs. The chaos loop kills it (kill -9, in the middle of group
 * commits) and starts it again; the editor-like server agent competes for the socket too
 * (serveSocket), so one takes over when the other dies.
 */
export class SocketServerAgent {
  readonly name = 'socket-server';
  private server: HeadlessServer | undefined;

  constructor(private readonly root: string) {}

  /** Started; resolves once it serves the socket or said another server does. */
  async start(): Promise<void> {
    this.server = await startHeadless(this.root, ['--idle-timeout', '0']);
    const { child } = this.server;
    if (child.exitCode !== null && child.exitCode !== 0)
      throw new Error(`serve --socket exited ${child.exitCode}: ${this.server.stderr()}`);
  }

  kill(): void {
    this.server?.child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.server?.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await this.server!.exited;
  }
}

export class ServerAgent implements TortureAgent {
  readonly kind = 'server';
  readonly crashes: string[] = [];
  server: ServerProcess | undefined;
  /** Set before this agent ends its current process itself. */
  private ending = { now: false };

  constructor(
    readonly name: string,
    private readonly root: string,
  ) {}

  async start(): Promise<void> {
    // Like the editor's server: it serves the root's socket when no other server does (handover).
    const s = await ServerProcess.start([this.root], { initializationOptions: { serveSocket: true } });
    const ending = { now: false };
    this.ending = ending;
    s.child.on('exit', (code, signal) => {
      if (!ending.now) this.crashes.push(`${this.name} exited (${code ?? signal}): ${s.stderr.slice(-1000)}`);
    });
    this.server = s;
  }

  async execute(cmd: Command, commandId: string): Promise<Outcome> {
    const s = this.server;
    if (!s || s.child.exitCode !== null || s.child.signalCode !== null) return { lost: true };
    const [method, params] = protocolCall(cmd, this.name, commandId);
    try {
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 30_000).unref());
      return { ok: true, result: await Promise.race([s.call(method, params), timeout]) };
    } catch (e) {
      const code = (e as { data?: { code?: string } }).data?.code;
      return code ? { ok: false, code } : { lost: true };
    }
  }

  kill(): void {
    this.ending.now = true;
    this.server?.child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.ending.now = true;
    await this.server?.stop();
  }
}

export class CliAgent implements TortureAgent {
  /** Calls that went through the socket server (the rest were written directly). */
  routed = 0;
  readonly kind = 'cli';
  readonly crashes: string[] = [];
  private child: ChildProcess | undefined;

  constructor(
    readonly name: string,
    private readonly root: string,
  ) {}

  async start(): Promise<void> {}

  private argv(cmd: Command): { args: string[]; input?: string } {
    switch (cmd.kind) {
      case 'createTasks':
        return { args: ['tasks', 'create', '-'], input: JSON.stringify(cmd.tasks) };
      case 'claim':
        return { args: ['claim', '--lease-ms', String(cmd.lease_ms)] };
      case 'heartbeat':
        return { args: ['heartbeat', '--task', cmd.task_id, '--token', cmd.lease_token, '--lease-ms', String(cmd.lease_ms)] };
      case 'complete':
      case 'release':
        return { args: [cmd.kind, '--task', cmd.task_id, '--token', cmd.lease_token] };
      case 'fail':
        return { args: ['fail', '--task', cmd.task_id, '--token', cmd.lease_token, '--error', cmd.error] };
      case 'retry':
        return { args: ['retry', cmd.task_id] };
      case 'requeue':
        return { args: ['requeue', cmd.task_id, ...(cmd.force ? ['--force'] : [])] };
      case 'cancel':
        return { args: ['tasks', 'cancel', cmd.task_id, ...(cmd.cascade ? ['--cascade'] : []), ...(cmd.force ? ['--force'] : [])] };
      case 'event':
        return { args: ['event', 'append', cmd.type, '--status', 'running'] };
      case 'fact':
        return { args: ['fact', 'add', cmd.text] };
      case 'checkpoint':
        return { args: ['checkpoint', '--reason', cmd.reason] };
    }
  }

  execute(cmd: Command, commandId: string): Promise<Outcome> {
    const { args, input } = this.argv(cmd);
    const idArgs = cmd.kind === 'checkpoint' ? [] : ['--command-id', commandId];
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [CLI_JS, '--root', this.root, '--run', RUN_ID, '--agent', this.name, '--json', ...idArgs, ...args],
        // RUNBOARD_DEBUG: the CLI says on stderr where each call went (routed through the socket server, or direct).
        { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, RUNBOARD_DEBUG: '1' } },
      );
      this.child = child;
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? '');
      // 'close', not 'exit': only then has all it printed been read.
      child.on('close', (code, signal) => {
        this.routed += (err.match(/^runboard: route: \w+: routed$/gm) ?? []).length;
        this.child = undefined;
        if (signal) return resolve({ lost: true });
        try {
          const doc = JSON.parse(out);
          // Exit 3 is a claim that found nothing claimable (every open task leased, or waiting on
          // another): an answer, as the other agents' {task: null} is — not a crash.
          if (code === 0 || (code === 3 && cmd.kind === 'claim')) return resolve({ ok: true, result: doc });
          if (doc.error?.code) return resolve({ ok: false, code: doc.error.code });
        } catch {
          // fall through
        }
        // Not killed, and no answer: the CLI failed by itself.
        this.crashes.push(`${this.name} ${cmd.kind} exited ${code}: ${err.slice(-1000)}`);
        resolve({ lost: true });
      });
    });
  }

  kill(): void {
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {}
}

const MCP_TOOLS: Record<Command['kind'], string> = {
  createTasks: 'create_tasks',
  claim: 'claim_task',
  heartbeat: 'heartbeat_task',
  complete: 'complete_task',
  fail: 'fail_task',
  release: 'release_task',
  retry: 'retry_task',
  requeue: 'retry_task', // an agent retries rather than requeues
  cancel: 'cancel_task',
  event: 'append_event',
  fact: 'add_fact',
  checkpoint: 'create_checkpoint',
};

export class McpAgent implements TortureAgent {
  readonly kind = 'mcp';
  readonly crashes: string[] = [];
  /** Set before this agent ends its current process itself. */
  private ending = { now: false };
  private client: Client | undefined;
  private transport: StdioClientTransport | undefined;

  constructor(
    readonly name: string,
    private readonly root: string,
  ) {}

  async start(): Promise<void> {
    this.transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI_JS, '--root', this.root, '--run', RUN_ID, '--agent', this.name, 'mcp'],
      // The SDK passes on only a safe few variables: a database board's password is added.
      env: { ...getDefaultEnvironment(), ...(process.env.PGPASSWORD ? { PGPASSWORD: process.env.PGPASSWORD } : {}) },
      stderr: 'ignore',
    });
    const client = new Client({ name: `torture-${this.name}`, version: '1.0.0' });
    const ending = { now: false };
    this.ending = ending;
    await client.connect(this.transport);
    // As clients do: the SDK then checks every result against its tool's outputSchema.
    await client.listTools();
    client.onclose = () => {
      if (!ending.now) this.crashes.push(`${this.name}: the MCP server ended by itself`);
    };
    this.client = client;
  }

  async execute(cmd: Command, commandId: string): Promise<Outcome> {
    const client = this.client;
    if (!client) return { lost: true };
    const { run_id: _r, action: _a, ...params } = protocolCall(cmd, this.name, commandId)[1];
    const args: Record<string, unknown> = { ...params, run_id: RUN_ID };
    if (cmd.kind === 'fact') {
      delete args.op;
      delete args.payload;
      args.text = cmd.text;
    }
    if (cmd.kind === 'requeue') delete args.force;
    if (cmd.kind === 'claim' || cmd.kind === 'cancel') delete args.agent_id;
    try {
      const r = await client.callTool({ name: MCP_TOOLS[cmd.kind], arguments: args }, undefined, { timeout: 20_000 });
      const error = r._meta?.[ERROR_META_KEY] as { code?: string } | undefined;
      if (r.isError) return error?.code ? { ok: false, code: error.code } : { lost: true };
      return { ok: true, result: r.structuredContent };
    } catch {
      return { lost: true };
    }
  }

  kill(): void {
    this.ending.now = true;
    const transport = this.transport;
    const pid = transport?.pid;
    if (pid) process.kill(pid, 'SIGKILL');
    // The killed server's pipes are let go too: a write to its stdin in flight could otherwise keep
    // this process alive after the last test (once, a test file that had passed did not exit).
    void transport?.close().catch(() => undefined);
    this.client = undefined;
  }

  async stop(): Promise<void> {
    this.ending.now = true;
    try {
      await this.client?.close();
    } catch {
      // already gone
    }
    this.client = undefined;
  }
}
