// Which tools an MCP server offers: `all` (the default), or `core` — the work loop alone, for a
// model whose context is small. (No imports: the CLI's option parsing reads it without the SDK.)
export const MCP_PROFILES = ['all', 'core'] as const;
export type McpProfile = (typeof MCP_PROFILES)[number];

/**
 * The tools of the core profile: a task's loop ends in complete, fail, release (another agent may
 * do it) or — when the work turns out not to be needed — cancel. (Questions are not here: this
 * profile has no view of the blackboard.)
 */
export const CORE_TOOLS: ReadonlySet<string> = new Set([
  'ready_tasks',
  'claim_task',
  'heartbeat_task',
  'complete_task',
  'fail_task',
  'release_task',
  'cancel_task',
  'add_fact',
]);
