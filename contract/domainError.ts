// Domain errors are values with a stable code (PROTOCOL.md §Errors). The server maps them to
// JSON-RPC -32000, the CLI to exit code 1, MCP to tool errors, the extension to a message — one
// mapping each, elsewhere. Declared here, with the codes, because code that runs in every one of
// them (server/src/worktrees/) throws them too.
import type { DomainCode } from './errors';

export class DomainError extends Error {
  constructor(
    readonly code: DomainCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toData(): Record<string, unknown> {
    return { code: this.code, ...this.details };
  }
}

/** Whether `e` says the board could not take the call for a moment (STORAGE_ERROR with `transient`: it may in a moment). */
export function isTransient(e: unknown): e is DomainError {
  return e instanceof DomainError && e.code === 'STORAGE_ERROR' && e.details.transient === true;
}

/** TASK_NOT_FOUND, said one way wherever a task is looked up (the id quoted: it may hold spaces). */
export function taskNotFound(runId: string, taskId: string): DomainError {
  return new DomainError('TASK_NOT_FOUND', `Run ${runId} has no task ${JSON.stringify(taskId)}.`, { task_id: taskId });
}
