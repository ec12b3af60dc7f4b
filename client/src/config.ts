// Settings, read per resource (a workspace folder) where they may differ per folder, so
// multi-root windows need no special cases. Nothing is cached: every read asks VS Code.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { ARCHIVE_AFTER_DAYS_MAX, type Durability, LEASE } from '../../contract/limits';

const SECTION = 'runboard';

function userName(): string {
  try {
    return os.userInfo().username || process.env.USER || process.env.USERNAME || 'user';
  } catch {
    return process.env.USER || process.env.USERNAME || 'user';
  }
}

/** The agent id this editor claims tasks as; `${user}` expands to the OS user name. */
export function agentId(folder?: vscode.Uri): string {
  const raw = vscode.workspace.getConfiguration(SECTION, folder).get<string>('agentId', 'vscode:${user}').trim();
  return (raw || 'vscode:${user}').replace(/\$\{user\}/g, userName());
}

/** The lease length asked for when this editor claims a task in `folder`. */
export function defaultLeaseMs(folder?: vscode.Uri): number {
  const v = vscode.workspace.getConfiguration(SECTION, folder).get<number>('defaultLeaseMs', LEASE.agentDefaultMs);
  return Number.isFinite(v) && v > 0 ? Math.round(v) : LEASE.agentDefaultMs;
}

/** One server process serves the window, so durability is a window setting. */
export function durability(): Durability {
  return vscode.workspace.getConfiguration(SECTION).get<string>('durability', 'fsync') === 'none' ? 'none' : 'fsync';
}

/** An explicit Node.js to run the server, MCP server and terminal CLI with: it runs an executable, so only in a trusted workspace. */
export function serverNodePath(): string | undefined {
  if (!vscode.workspace.isTrusted) return undefined;
  const v = vscode.workspace.getConfiguration(SECTION).get<string>('server.nodePath', '').trim();
  return v || undefined;
}

/** The command that shows Runboard's activity-bar view container (package.json `viewsContainers`). */
export const SHOW_VIEW_COMMAND = 'workbench.view.extension.runboard';

/** Whether the window reveals the Runboard view as it opens (the demo workspace sets it). */
export function showViewOnStartup(): boolean {
  return vscode.workspace.getConfiguration(SECTION).get<boolean>('showViewOnStartup', false) === true;
}

/** Settings the environment of the terminals and MCP servers this editor starts is made of (RUNBOARD_NODE, RUNBOARD_LEASE_MS). */
export const AGENT_ENV_SETTINGS = [`${SECTION}.server.nodePath`, `${SECTION}.defaultLeaseMs`];

/** Settings whose change needs a server restart. */
export const RESTART_SETTINGS = [
  `${SECTION}.server.nodePath`,
  `${SECTION}.durability`,
  `${SECTION}.defaultLeaseMs`,
  `${SECTION}.archiveAfterDays`,
];

export const DISK_WARNING_SETTING = `${SECTION}.diskWarningMB`;

/** Warn when the runs take more than this on disk, in bytes; 0 never warns. */
export function diskWarningBytes(): number {
  const mb = vscode.workspace.getConfiguration(SECTION).get<number>('diskWarningMB', 1024);
  return Number.isFinite(mb) && mb > 0 ? mb * 1024 * 1024 : 0;
}

/** Archive finished runs this many days after their last change (0: never); the server applies it. */
export function archiveAfterDays(): number {
  const days = vscode.workspace.getConfiguration(SECTION).get<number>('archiveAfterDays', 0);
  return Number.isInteger(days) && days > 0 ? Math.min(days, ARCHIVE_AFTER_DAYS_MAX) : 0;
}
