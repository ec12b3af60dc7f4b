// The error codes of PROTOCOL.md §Errors. Domain rejections travel as JSON-RPC -32000 with
// `data.code` one of DOMAIN_CODES; malformed params as -32602 with `data.code` INVALID_PARAMS;
// a failure of the server itself as -32603 with INTERNAL_ERROR. The CLI and MCP use the same codes.

export const DOMAIN_CODES = [
  'ROOT_REQUIRED',
  'ROOT_UNKNOWN',
  'RUN_ID_INVALID',
  'TASK_ID_INVALID',
  'RUN_NOT_FOUND',
  'RUN_EXISTS',
  'RUN_TERMINAL',
  'TASK_NOT_FOUND',
  // A step event (step_started, step_completed …) names a step the run does not have.
  'STEP_NOT_FOUND',
  'TASK_EVENT_APPEND_DISABLED',
  'EVENT_TYPE_RESERVED',
  'LIMIT_EXCEEDED',
  'TASK_PATCH_OP_DISABLED',
  'BLACKBOARD_PAYLOAD_INVALID',
  // A closing op names no such question or decision / one already closed (or open, to reopen).
  'BLACKBOARD_ITEM_NOT_FOUND',
  'BLACKBOARD_ITEM_CLOSED',
  'TASK_CONTRACT_INVALID',
  'TASK_OUTPUT_TARGET_REQUIRED',
  'TASK_DUPLICATE_ID',
  'TASK_DEPENDENCY_UNKNOWN',
  'TASK_DEPENDENCY_CYCLE',
  'TASK_STATUS_INVALID',
  'TASK_REV_MISMATCH',
  'TASK_LEASE_REQUIRED',
  'TASK_LEASE_INVALID',
  'TASK_LEASE_EXPIRED',
  'TASK_LEASE_ACTIVE',
  'TASK_TRANSITION_INVALID',
  'TASK_ATTEMPTS_EXHAUSTED',
  // A transition of a cancelled task (its lease holder is told to stop).
  'TASK_CANCELLED',
  'TASKS_IN_PROGRESS',
  'COMMAND_ID_CONFLICT',
  'CHECKPOINT_NOT_FOUND',
  'CHECKPOINT_UNREADABLE',
  'REPLAY_RANGE_INVALID',
  // The store was opened read-only (an untrusted workspace) and the method writes.
  'READ_ONLY',
  // The run's log has lines that cannot be folded (until repaired) / was made by a newer Runboard.
  'RUN_DAMAGED',
  'RUN_FORMAT_UNSUPPORTED',
  // A change the run's format does not have (an older run's readers would not know it).
  'RUN_FORMAT_TOO_OLD',
  // repairRun was asked to restore, and no cache or checkpoint predates the damage.
  'RESTORE_UNAVAILABLE',
  // The store could not do its I/O (disk full, permissions, a symlink, lock timeout, a database unreachable).
  'STORAGE_ERROR',
  // The run is archived (PROTOCOL.md §Archived runs): read it, replay it, or restore it to change it.
  'RUN_ARCHIVED',
  // archiveRun of a run that is not finished, without force.
  'RUN_NOT_FINISHED',
  // archiveRun, without force, of a run whose tasks' worktrees are still on disk (an archived run lists none of them).
  'WORKTREES_OPEN',
  // complete with if_no_worktree of a task whose worktree is active (data: task_id, path, branch): its client looks at the worktree first.
  'WORKTREE_ACTIVE',
  // complete, without force, of a task whose active worktree holds uncommitted changes (its branch lacks them).
  'WORKTREE_UNCOMMITTED',
  // A worktree was asked for where git cannot make one: git is missing, or the root is not in a git repository.
  'GIT_UNAVAILABLE',
  // git refused a worktree operation (a branch in use elsewhere, a merge conflict …); the message says what git said.
  'GIT_FAILED',
  // .runboard/board.json cannot be used (a wrong field, credentials in it, a database board in an untrusted workspace).
  'BOARD_CONFIG_INVALID',
] as const;
export type DomainCode = (typeof DOMAIN_CODES)[number];

/** `data.code` of an error that is not a domain rejection. */
export const INVALID_PARAMS = 'INVALID_PARAMS';
export const INTERNAL_ERROR = 'INTERNAL_ERROR';

/** JSON-RPC error codes: -32602 for the method's own params, -32000 for domain rejections (data.code). */
export const RpcErrorCodes = {
  invalidParams: -32602,
  domain: -32000,
  methodNotFound: -32601,
  internal: -32603,
  invalidRequest: -32600,
} as const;
