// Which runtime runs Runboard's Node programs — the server, the MCP server, the CLI outside a
// terminal: the editor's own (the extension host's process.execPath: Node in code-server and
// remote hosts, Electron in desktop VS Code, run as Node with ELECTRON_RUN_AS_NODE=1), so no
// `node` on PATH is needed; or runboard.server.nodePath when set (honoured only in trusted
// workspaces, since it runs an executable). The lock binary is N-API: any of them loads it.
// No vscode import: plain logic, unit-tested.

export interface HostRuntime {
  /** The extension host's executable (process.execPath). */
  execPath: string;
  /** process.versions.electron: set when the host is Electron. */
  electron?: string;
}

export interface RuntimeChoice {
  /** The executable to run a Runboard script with. */
  command: string;
  /** Environment it needs on top of the caller's: Electron runs scripts as Node only with ELECTRON_RUN_AS_NODE. */
  env: Record<string, string>;
  /** For the language client: the runtime to spawn, or undefined to fork with the host's own (it sets ELECTRON_RUN_AS_NODE itself). */
  serverRuntime?: string;
  /** One line for the log and the status tooltip. */
  description: string;
}

export function chooseRuntime(configured: string | undefined, host: HostRuntime): RuntimeChoice {
  if (configured)
    return { command: configured, env: {}, serverRuntime: configured, description: `runboard.server.nodePath (${configured})` };
  return {
    command: host.execPath,
    env: { ELECTRON_RUN_AS_NODE: '1' },
    description: host.electron
      ? `the editor's runtime (Electron ${host.electron}, run as Node)`
      : `the editor's runtime (${host.execPath})`,
  };
}

/** This extension host's runtime choice. */
export function editorRuntime(configured: string | undefined): RuntimeChoice {
  return chooseRuntime(configured, { execPath: process.execPath, electron: process.versions.electron });
}
