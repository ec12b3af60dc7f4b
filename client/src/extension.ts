// Runboard's VS Code extension: activation builds the context (server, model, views, status
// item), registers the commands, and wires folder changes, trust and agent access. `activate`
// catches everything and says so, because VS Code shows nothing when activation throws. Its
// return value is a small API the e2e tests use.
import { editTaskCommand } from './commands/editTaskCommand';
import { cancelTaskCommand } from './commands/cancelTaskCommand';
import { workspaceSetupCommand } from './agents/workspaceSetup';
import { runFinishCommands } from './commands/runFinishCommands';
import { repairRunCommand } from './commands/repairRunCommand';
import { addTaskCommand } from './commands/addTaskCommand';
import * as vscode from 'vscode';
import { updateTerminalPath } from './agents/agentPath';
import { mcpCommands, mcpServerSpecs, refreshLauncher, registerMcpProvider, type McpServerSpec } from './agents/mcp';
import { blackboardCommands } from './commands/blackboardCommands';
import { registerCommands } from './commands/commandKit';
import { replayCommands } from './commands/replayCommands';
import { runCommands } from './commands/runCommands';
import { serverCommands } from './commands/serverCommands';
import { goToTaskCommand } from './commands/goToTaskCommand';
import { runInsightCommands } from './commands/runInsightCommands';
import { archiveCommands } from './commands/archiveCommands';
import { claimTaskInWorktreeCommand, mergeTaskBranchCommand, openTaskWorktreeCommand } from './commands/worktreeCommands';
import { taskFilterCommands } from './commands/taskFilterCommands';
import { taskCommands } from './commands/taskCommands';
import { AGENT_ENV_SETTINGS, RESTART_SETTINGS, SHOW_VIEW_COMMAND, showViewOnStartup } from './config';
import { RunboardContext } from './context';
import { log } from './log';
import { WorkspaceLeaseGuard } from './runs/workspaceLeases';

export interface RunboardApi {
  ctx: RunboardContext;
  leaseGuard: WorkspaceLeaseGuard;
  /** Whether the MCP server definition provider API existed and the provider was registered. */
  mcpRegistered: boolean;
  /** What the MCP provider offers (one stdio server per folder). */
  mcpServers(): McpServerSpec[];
  /** Resolves when the server runs and the model (and lease checks) have settled. */
  whenIdle(): Promise<void>;
}

let current: RunboardContext | undefined;

export async function activate(ext: vscode.ExtensionContext): Promise<RunboardApi | undefined> {
  try {
    const ctx = new RunboardContext(ext);
    current = ctx;
    ext.subscriptions.push(ctx);
    const leaseGuard = ctx.own(new WorkspaceLeaseGuard(ctx));
    const mcpRegistered = registerMcpProvider(ctx);
    for (const d of registerCommands(ctx, [
      ...runCommands(ctx),
      ...runFinishCommands(ctx),
      repairRunCommand(ctx),
      addTaskCommand(ctx),
      editTaskCommand(ctx),
      cancelTaskCommand(ctx),
      workspaceSetupCommand(ctx),
      ...blackboardCommands(ctx),
      ...taskCommands(ctx),
      ...replayCommands(ctx),
      ...serverCommands(ctx),
      goToTaskCommand(ctx),
      ...runInsightCommands(ctx),
      ...archiveCommands(ctx),
      openTaskWorktreeCommand(ctx),
      claimTaskInWorktreeCommand(ctx),
      mergeTaskBranchCommand(ctx),
      ...taskFilterCommands(ctx),
      ...mcpCommands(ctx, mcpRegistered),
    ]))
      ctx.own(d);

    ctx.own(
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        ctx.model.syncFolders();
        leaseGuard.foldersChanged();
        // The language client tells the server about the folders on this same event; the model
        // retries a root the server does not know yet.
        void ctx.model.reload();
      }),
    );
    ctx.own(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (RESTART_SETTINGS.some((s) => e.affectsConfiguration(s)) && ctx.server.state !== 'stopped') {
          ctx.notify('info', 'Runboard server settings changed.', {
            'Restart Server': () => vscode.commands.executeCommand('runboard.restartServer'),
          });
        }
        if (e.affectsConfiguration('runboard.agentId')) ctx.runsTree.refresh();
        // A new node path too (until this change terminals kept RUNBOARD_NODE of the old one).
        if (AGENT_ENV_SETTINGS.some((s) => e.affectsConfiguration(s))) updateTerminalPath(ext);
      }),
    );
    updateTerminalPath(ext);
    // Outside the workspace (global storage): an .vscode/mcp.json entry names it, and after an
    // update it must run the new version.
    void refreshLauncher(ctx).catch((e: Error) => log().warn(`Could not write the MCP launcher: ${e.message}`));
    ctx.own(
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        updateTerminalPath(ext);
        ctx.runsTree.refresh();
        // The server of an untrusted workspace is read-only (and ignores the node path setting):
        // now it may write.
        void ctx.server.restart();
      }),
    );

    void ctx.server.start();
    if (showViewOnStartup()) void vscode.commands.executeCommand(SHOW_VIEW_COMMAND);
    log().info(`Runboard activated (${vscode.workspace.isTrusted ? 'trusted' : 'untrusted: read-only'} workspace)`);
    return {
      ctx,
      leaseGuard,
      mcpRegistered,
      mcpServers: () => mcpServerSpecs(ctx),
      whenIdle: async () => {
        await ctx.ready();
        await leaseGuard.whenIdle();
        await ctx.model.whenIdle();
      },
    };
  } catch (e) {
    const message = `Runboard failed to activate: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    log().error(message);
    void vscode.window.showErrorMessage(`Runboard failed to activate: ${(e as Error).message}`, 'Open Logs').then((c) => {
      if (c) log().show();
    });
    return undefined;
  }
}

export async function deactivate(): Promise<void> {
  const ctx = current;
  current = undefined;
  if (ctx) await ctx.server.stop();
}
