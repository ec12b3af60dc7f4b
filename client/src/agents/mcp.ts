// The MCP server for agent mode: `dist/cli.js mcp --root <folder>` per workspace folder, run by
// the editor's runtime. Where VS Code has `vscode.lm.registerMcpServerDefinitionProvider` (1.101+;
// @types/vscode here is 1.91, hence the narrow cast) it is registered as a provider, asked anew
// each session, so this version's paths are right. "Set up MCP for agents" writes
// .vscode/mcp.json, which outlives updates: it names the stable launcher (launcher.ts), never the
// versioned extension folder, and the folder as ${workspaceFolder}.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CommandSpec } from '../commands/commandKit';
import { argField } from '../commands/prompts';
import type { RunboardContext } from '../context';
import { AGENT_ENV_SETTINGS, defaultLeaseMs, serverNodePath } from '../config';
import { LEASE_ENV } from '../../../contract/limits';
import { editorRuntime } from '../server/serverRuntime';
import { writeLauncher } from './launcher';

interface McpStdioDefinitionCtor {
  new (label: string, command: string, args?: string[], env?: Record<string, string | number | null>, version?: string): unknown;
}
interface McpApi {
  registerMcpServerDefinitionProvider(
    id: string,
    provider: {
      onDidChangeMcpServerDefinitions?: vscode.Event<void>;
      provideMcpServerDefinitions(token: vscode.CancellationToken): unknown[];
    },
  ): vscode.Disposable;
}

export const MCP_PROVIDER_ID = 'runboard.mcp';

function mcpApi(): { lm: McpApi; Stdio: McpStdioDefinitionCtor } | undefined {
  const api = vscode as unknown as { lm?: Partial<McpApi>; McpStdioServerDefinition?: McpStdioDefinitionCtor };
  if (typeof api.lm?.registerMcpServerDefinitionProvider !== 'function' || typeof api.McpStdioServerDefinition !== 'function')
    return undefined;
  return { lm: api.lm as McpApi, Stdio: api.McpStdioServerDefinition };
}

export function cliPath(extensionPath: string): string {
  return path.join(extensionPath, 'dist', 'cli.js');
}

/** `script mcp --root <root>`: script is dist/cli.js for the provider, the launcher for mcp.json. */
export function mcpServerArgs(script: string, root: string): string[] {
  return [script, 'mcp', '--root', root];
}

/** The launcher's folder: the extension's global storage, which keeps its path across updates. */
function launcherDir(ctx: RunboardContext): string {
  return path.join(ctx.extension.globalStorageUri.fsPath, 'bin');
}

/** Rewrites the launcher for this version (every activation), so .vscode/mcp.json entries keep working after an update. */
export function refreshLauncher(ctx: RunboardContext): Promise<string> {
  return writeLauncher(launcherDir(ctx), cliPath(ctx.extension.extensionPath));
}

export interface McpServerSpec {
  label: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** One stdio MCP server per workspace folder; none until the workspace is trusted (agents write). */
export function mcpServerSpecs(ctx: RunboardContext): McpServerSpec[] {
  if (!vscode.workspace.isTrusted) return [];
  const { command, env } = editorRuntime(serverNodePath());
  return (vscode.workspace.workspaceFolders ?? []).map((f) => ({
    label: `Runboard (${f.name})`,
    command,
    args: mcpServerArgs(cliPath(ctx.extension.extensionPath), f.uri.fsPath),
    env: { ...env, [LEASE_ENV]: String(defaultLeaseMs(f.uri)) },
  }));
}

/** Registers the provider when the API exists; returns whether it did. */
export function registerMcpProvider(ctx: RunboardContext): boolean {
  const api = mcpApi();
  if (!api) return false;
  const changed = new vscode.EventEmitter<void>();
  ctx.own(changed);
  ctx.own(vscode.workspace.onDidChangeWorkspaceFolders(() => changed.fire()));
  ctx.own(vscode.workspace.onDidGrantWorkspaceTrust(() => changed.fire()));
  // Their runtime and lease length come from settings: the editor asks for the servers again.
  ctx.own(vscode.workspace.onDidChangeConfiguration((e) => AGENT_ENV_SETTINGS.some((s) => e.affectsConfiguration(s)) && changed.fire()));
  ctx.own(
    api.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, {
      onDidChangeMcpServerDefinitions: changed.event,
      provideMcpServerDefinitions: () =>
        mcpServerSpecs(ctx).map(
          (s) => new api.Stdio(s.label, s.command, s.args, s.env, (ctx.extension.extension.packageJSON as { version: string }).version),
        ),
    }),
  );
  return true;
}

/** Adds (or replaces) the "runboard" server in <folder>/.vscode/mcp.json; other servers are kept. */
export async function writeMcpJson(folder: string, command: string, args: string[], env: Record<string, string>): Promise<string> {
  const file = path.join(folder, '.vscode', 'mcp.json');
  let config: { servers?: Record<string, unknown>; [k: string]: unknown } = {};
  try {
    config = JSON.parse(await fs.readFile(file, 'utf8')) as typeof config;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file} exists but is not plain JSON (comments?); add the Runboard server by hand: ${command} ${args.join(' ')}`);
    }
  }
  config.servers = { ...(config.servers ?? {}), runboard: { type: 'stdio', command, args, ...(Object.keys(env).length ? { env } : {}) } };
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(config, null, 2) + '\n');
  return file;
}

export function mcpCommands(ctx: RunboardContext, providerRegistered: boolean): CommandSpec[] {
  return [
    {
      id: 'runboard.setupMcp',
      writes: true,
      offline: true,
      run: async (arg) => {
        const write = argField(arg, 'write', 'boolean') ?? !providerRegistered;
        if (!write) {
          ctx.notify(
            'info',
            'Runboard’s MCP server is registered for agent mode in this VS Code (one per folder): enable it in the MCP servers list.',
            {
              'Also Write .vscode/mcp.json': () => vscode.commands.executeCommand('runboard.setupMcp', { write: true }),
            },
          );
          return { registered: true, files: [] as string[] };
        }
        const { command, env } = editorRuntime(serverNodePath());
        const launcher = await refreshLauncher(ctx);
        const files: string[] = [];
        for (const f of vscode.workspace.workspaceFolders ?? []) {
          // VS Code substitutes ${workspaceFolder}: the entry stays right if the folder moves.
          files.push(await writeMcpJson(f.uri.fsPath, command, mcpServerArgs(launcher, '${workspaceFolder}'), env));
        }
        if (files.length === 0) throw new Error('Open a folder first: the MCP server serves a folder’s runs.');
        ctx.notify('info', `Wrote the Runboard MCP server to ${files.map((f) => vscode.workspace.asRelativePath(f)).join(', ')}.`, {
          Open: () => vscode.window.showTextDocument(vscode.Uri.file(files[0])),
        });
        return { registered: providerRegistered, files };
      },
    },
  ];
}
