// How every Runboard command runs: server down → "Runboard server is not running" with Restart;
// a write in an untrusted workspace → refused, saying why; a failure → one friendly message
// (errors.ts) and a log line. Commands return their result so tests can drive them directly.
import * as vscode from 'vscode';
import type { RunboardContext } from '../context';
import { RpcErrorCodes } from '../../../contract/errors';
import { errorInfo } from '../errors';
import { log } from '../log';

export interface CommandSpec {
  id: string;
  /** Changes runs or tasks: refused until the workspace is trusted. */
  writes?: boolean;
  /** Works without the server (open logs, restart, MCP setup …). */
  offline?: boolean;
  run: (arg?: unknown) => unknown;
}

export function registerCommands(ctx: RunboardContext, specs: CommandSpec[]): vscode.Disposable[] {
  return specs.map((spec) =>
    vscode.commands.registerCommand(spec.id, async (arg?: unknown) => {
      const title = ctx.commandTitle(spec.id);
      if (spec.writes && !vscode.workspace.isTrusted) {
        ctx.notify('warning', `${title} is disabled: Runboard is read-only until this workspace is trusted.`, {
          'Manage Workspace Trust': () => vscode.commands.executeCommand('workbench.trust.manage'),
        });
        return undefined;
      }
      if (!spec.offline && ctx.server.state !== 'running') {
        ctx.notifyServerDown(title);
        return undefined;
      }
      try {
        return await spec.run(arg);
      } catch (e) {
        if (e instanceof Cancelled) return undefined;
        const info = errorInfo(e);
        log().error(`${spec.id}: ${info.code ? `[${info.code}] ` : ''}${info.message}`);
        if ((e as { code?: unknown }).code === RpcErrorCodes.internal) ctx.status.noteProblem(info.message);
        if (info.serverDown) ctx.notifyServerDown(title);
        else ctx.notify('error', `${title}: ${info.message}`);
        return undefined;
      }
    }),
  );
}

/** Thrown by a command when the user dismissed a prompt: no message, no result. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}
