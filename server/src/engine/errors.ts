// Domain errors are values with a stable code (PROTOCOL.md §Errors). The server maps them to
// JSON-RPC -32000, the CLI to exit code 1, MCP to tool errors — one mapping each, elsewhere.

export type DomainCode =
  | 'ROOT_REQUIRED' | 'ROOT_UNKNOWN' | 'RUN_ID_INVALID' | 'TASK_ID_INVALID' | 'RUN_NOT_FOUND' | 'RUN_EXISTS'
  | 'RUN_TERMINAL' | 'TASK_NOT_FOUND' | 'TASK_EVENT_APPEND_DISABLED' | 'EVENT_TYPE_RESERVED' | 'LIMIT_EXCEEDED'
  | 'TASK_PATCH_OP_DISABLED' | 'BLACKBOARD_PAYLOAD_INVALID' | 'TASK_CONTRACT_INVALID' | 'TASK_OUTPUT_TARGET_REQUIRED'
  | 'TASK_DUPLICATE_ID' | 'TASK_DEPENDENCY_UNKNOWN' | 'TASK_DEPENDENCY_CYCLE' | 'TASK_STATUS_INVALID'
  | 'TASK_REV_MISMATCH' | 'TASK_LEASE_REQUIRED' | 'TASK_LEASE_INVALID' | 'TASK_LEASE_EXPIRED' | 'TASK_LEASE_ACTIVE'
  | 'TASK_TRANSITION_INVALID' | 'TASK_ATTEMPTS_EXHAUSTED' | 'COMMAND_ID_CONFLICT' | 'CHECKPOINT_NOT_FOUND'
  | 'CHECKPOINT_UNREADABLE' | 'REPLAY_RANGE_INVALID'
  // The store was opened read-only (an untrusted workspace) and the method writes.
  | 'READ_ONLY'
  // The run's log has lines that cannot be folded (until repaired) / was made by a newer Runboard.
  | 'RUN_DAMAGED' | 'RUN_FORMAT_UNSUPPORTED'
  // repairRun was asked to restore, and no cache or checkpoint predates the damage.
  | 'RESTORE_UNAVAILABLE'
  // The store could not do its I/O (disk full, permissions, a symlink, lock timeout).
  | 'STORAGE_ERROR';

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

export interface ParamsIssue {
  path: string;
  message: string;
}

/** The method's own params are malformed: JSON-RPC -32602 with the issue paths. */
export class ParamsError extends Error {
  constructor(readonly issues: ParamsIssue[]) {
    super(`Invalid params: ${issues.map((i) => `${i.path || '(params)'}: ${i.message}`).join('; ')}`);
    this.name = 'ParamsError';
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
