// The one mapping from failures to what a person reads: the server's domain errors already carry
// a message to act on (PROTOCOL.md §Errors); a few codes get a hint about what to do in the UI.
import { ResponseError } from 'vscode-languageclient/node';
import { DomainError } from '../../contract/domainError';
import { INVALID_PARAMS } from '../../contract/errors';
import { ServerNotRunningError } from './server/runboardServer';

export interface ErrorInfo {
  code?: string;
  message: string;
  serverDown: boolean;
}

const HINTS: Record<string, string> = {
  TASK_LEASE_REQUIRED: 'Another agent holds this task; requeue it to take it back.',
  TASK_LEASE_INVALID: 'The lease this editor held is no longer current; the task was claimed again.',
  TASK_LEASE_EXPIRED: 'The lease expired; claim the task again.',
  TASK_LEASE_ACTIVE: 'The task is leased; requeue with force to take it back.',
  RUN_TERMINAL: 'Reopen the run first.',
  ROOT_REQUIRED: 'Pick a workspace folder.',
};

export function errorInfo(e: unknown): ErrorInfo {
  if (e instanceof ServerNotRunningError) return { message: e.message, serverDown: true };
  // Thrown here, by the worktrees' git work (it runs in the extension host).
  if (e instanceof DomainError) return { code: e.code, message: e.message, serverDown: false };
  if (e instanceof ResponseError || (e && typeof e === 'object' && 'code' in e && 'message' in e)) {
    const err = e as { code: number; message: string; data?: unknown };
    const data = err.data && typeof err.data === 'object' ? (err.data as Record<string, unknown>) : undefined;
    const code = typeof data?.code === 'string' ? data.code : undefined;
    let message = err.message;
    if (code === INVALID_PARAMS && Array.isArray(data?.issues)) {
      message +=
        ': ' + (data.issues as { path?: string; message?: string }[]).map((i) => `${i.path ?? ''} ${i.message ?? ''}`.trim()).join('; ');
    }
    const hint = code ? HINTS[code] : undefined;
    return { code, message: hint ? `${message} ${hint}` : message, serverDown: false };
  }
  return { message: e instanceof Error ? e.message : String(e), serverDown: false };
}

/** The JSON-RPC domain code of an error, if any. */
export function errorCode(e: unknown): string | undefined {
  return errorInfo(e).code;
}
