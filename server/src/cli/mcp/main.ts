// Entry point of dist/mcp.js (loaded by `runboard mcp`): an MCP server on stdio over one
// workspace root. Like the CLI, it sends its calls to the server serving the root's socket when
// one answers — keeping one connection, connecting again after that server went away — and uses
// the RunService directly otherwise (no Runboard server needed).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { version } from '../../../../package.json';
import { debugNotes, RoutedCaller } from '../../routing/client';
import { OutageRetry, sayOutage } from '../outageRetry';
import { takesCommandId } from '../../../../contract/schemas/params';
import { normalizePath } from '../../service/localPaths';
import { RunService } from '../../service/runService';
import { diagnosticText, eachDiagnosticOnce } from '../../service/diagnosticText';
import { printable } from '../printable';
import { defaultAgentId } from '../agentIdentity';
import { BoardTools } from './boardTools';
import { registerBoardTools } from './toolTable';
import { ToolCallsInOrder } from './toolCallsInOrder';
import { screenedInput } from './screenedInput';
import { withoutSchemaDialect } from './toolList';
import { sdkToolError } from './toolResults';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { McpProfile } from './profiles';
import type { Durability } from '../../../../contract/limits';

export interface McpServerOptions {
  root: string;
  durability: Durability;
  /** Which tools: all (default), or the work loop alone (core). */
  profile?: McpProfile;
  /** Default: $RUNBOARD_AGENT or mcp:<user>@<host>#<pid> (agentIdentity.ts). */
  agent?: string;
}

/** What a model is told of every profile: the loop of one task, leases, and the errors that change what it does next. */
const TASK_LOOP = `claim_task → do the work, calling heartbeat_task before the lease expires → complete_task (with a
result) or fail_task (with the reason).`;

const LEASES_AND_ERRORS = `Lease tokens are remembered by this server; you only pass task ids. Errors start with a code such
as TASK_LEASE_EXPIRED (claim again), TASK_LEASE_INVALID (another agent holds the task now: stop), TASK_CANCELLED (stop:
someone withdrew the task) or RUN_AMBIGUOUS (pass run_id).`;

/** What a model is told first, per profile: only tools that profile offers. */
const INSTRUCTIONS: Record<McpProfile, string> = {
  all: `Runboard is this workspace's shared task board for agents (runs, tasks with leases, a blackboard).
Typical loop: get_run (see the board) → ${TASK_LOOP} Record findings with add_fact / add_decision / add_open_question and files
with add_artifact; answer open questions with answer_question. Plan work with create_run (one step per line) and add_task;
withdraw work no longer needed with cancel_task; finish with complete_run or fail_run. ${LEASES_AND_ERRORS}`,
  core: `Runboard is this workspace's shared task board for agents (runs, tasks with leases).
Loop: ready_tasks (what can be claimed) → ${TASK_LOOP} Record what you learn with add_fact; withdraw a task no longer
needed with cancel_task. ${LEASES_AND_ERRORS}`,
};

/** After the Runboard server went away (or none answered), calls go direct this long before connecting again. */
const RECONNECT_AFTER_MS = 1000;

/**
 * The root's store for calls no server takes. Its diagnostics (a damaged line, a cache rebuilt) go
 * to stderr, which MCP clients keep as the server's log; each once.
 */
function storeSayingDiagnostics(o: McpServerOptions): RunService {
  const store = new RunService([o.root], { durability: o.durability });
  store.on({ onDiagnostic: eachDiagnosticOnce((d) => process.stderr.write(`runboard: ${printable(diagnosticText(d))}\n`)) });
  return store;
}

/** Serves until the client closes stdin; then writes the caches and returns. */
export async function runMcpServer(o: McpServerOptions): Promise<void> {
  // Long-lived like the server: caches are written about a second after each change.
  let store: RunService | undefined;
  const direct = () => (store ??= storeSayingDiagnostics(o));
  const routed = new RoutedCaller(
    { root: o.root, durability: o.durability, retryConnectAfterMs: RECONNECT_AFTER_MS, note: debugNotes(process.env), takesCommandId },
    direct,
  );
  const calls = new OutageRetry(routed, { takesCommandId, say: sayOutage });
  const server = new McpServer({ name: 'runboard', version }, { instructions: INSTRUCTIONS[o.profile ?? 'all'] });
  // The SDK makes the tool errors of input its schemas refuse itself (a private method, the SDK's version pinned; mcp.test.ts checks it).
  (server as unknown as { createToolError: (message: string) => CallToolResult }).createToolError = sdkToolError;
  const root = normalizePath(o.root, process.cwd());
  registerBoardTools(
    server,
    new BoardTools({ calls, root, agent: o.agent ?? defaultAgentId('mcp', process.env, String(process.pid)) }),
    o.profile,
  );
  // One tool call at a time, in order: what a call does may depend on the one before (a claim's token).
  const input = screenedInput(process.stdin, process.stdout);
  const stdio = new StdioServerTransport(input.stream, process.stdout);
  const send = stdio.send.bind(stdio);
  stdio.send = (message) => send(withoutSchemaDialect(message));
  const transport = new ToolCallsInOrder(stdio);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    process.stdin.once('end', resolve);
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.connect(transport);
  await closed;
  input.stop();
  routed.close();
  store?.close();
  await server.close().catch(() => undefined);
}

// dist/mcp.js is loaded by `runboard mcp`; run as a script, it says so instead of exiting without a word.
if (require.main === module) {
  process.stderr.write(
    'runboard: dist/mcp.js is loaded by `runboard mcp`. Run `node dist/cli.js mcp --root <folder>` (or `runboard mcp`).\n',
  );
  process.exitCode = 2;
}
