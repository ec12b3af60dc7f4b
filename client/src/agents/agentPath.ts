// Puts the bundled `runboard` CLI on the PATH of the integrated terminals, so an agent started
// there finds it (dist/bin/runboard(.cmd) runs dist/cli.js with a `node` on PATH, else with the
// editor's runtime, whose path it finds in RUNBOARD_NODE — set here, on every activation, never
// written into the shim). Only in trusted workspaces: agents are writers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { defaultLeaseMs, serverNodePath } from '../config';
import { LEASE_ENV } from '../../../contract/limits';
import { editorRuntime } from '../server/serverRuntime';

/** The terminal variable that names the runtime the shim falls back to. */
const RUNTIME_VARIABLE = 'RUNBOARD_NODE';

export function cliBinDir(extensionPath: string): string {
  return path.join(extensionPath, 'dist', 'bin');
}

export function updateTerminalPath(ext: vscode.ExtensionContext): void {
  const env = ext.environmentVariableCollection;
  env.clear();
  if (!vscode.workspace.isTrusted) return;
  env.description = 'Adds the runboard CLI (for agents) to PATH';
  try {
    // An installer that drops file modes would leave the shim unrunnable.
    fs.chmodSync(path.join(cliBinDir(ext.extensionPath), 'runboard'), 0o755);
  } catch {
    // Read-only install or no shim (Windows uses runboard.cmd): nothing to fix.
  }
  env.prepend('PATH', cliBinDir(ext.extensionPath) + path.delimiter);
  env.replace(RUNTIME_VARIABLE, editorRuntime(serverNodePath()).command);
  // Agents in the terminals claim with the lease length this editor uses.
  env.replace(LEASE_ENV, String(defaultLeaseMs()));
}
