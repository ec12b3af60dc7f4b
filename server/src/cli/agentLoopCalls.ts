// What the agent loop's commands send (claim, heartbeat, complete, fail, release) and how their
// answers read for people: one copy for the full CLI's handlers and the thin path (thin/), which
// must print exactly what the full CLI prints.
import type { ClaimTaskResult, StoreResults } from '../../../contract/results';
import type { InputOf } from '../../../contract/schemas/params';
import { earlierWorktreeText, nothingToClaimText, RUN_COMPLETED_TEXT } from '../../../contract/taskText';
import { agentLeaseMs } from './agentLease';
import { leaseLines, relativeTime, taskLine } from './humanFormat';
import { describeError, EXIT, type Output } from './output';

/**
 * The lease token this invocation holds for `task` (when it names one): --token, else
 * $RUNBOARD_LEASE_TOKEN (a claim's `eval` sets it) — unless $RUNBOARD_TASK, exported with it, names
 * another task: that token is the other task's lease, and sent along it made a call on this task
 * say "If that lease was yours, it ended: stop working on it".
 */
export function givenLeaseToken(opts: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env, task?: string): string | undefined {
  if (opts.token !== undefined) return opts.token as string;
  const exportedFor = env.RUNBOARD_TASK?.trim();
  if (task !== undefined && exportedFor && exportedFor !== task.trim()) return undefined;
  return env.RUNBOARD_LEASE_TOKEN?.trim() || undefined;
}

/** Who calls: the agent, and --command-id when given. */
export interface Caller {
  agent: string;
  commandId: string | undefined;
}

/** The lease actions of the agent loop (`runboard <action>`), with the word their answer starts with. */
export const LEASE_ACTIONS = { heartbeat: 'Heartbeat', complete: 'Completed', fail: 'Failed', release: 'Released' } as const;
export type LeaseAction = keyof typeof LEASE_ACTIONS;

function withCommandId<T extends object>(caller: Caller, params: T): T & { command_id?: string } {
  return caller.commandId === undefined ? params : { ...params, command_id: caller.commandId };
}

/** claimTask's params from claim's options (commander's keys). */
export function claimParams(caller: Caller, runId: string, opts: Record<string, unknown>): InputOf<'claimTask'> {
  return withCommandId(caller, {
    run_id: runId,
    agent_id: caller.agent,
    task_id: opts.task as string | undefined,
    task_type: opts.type as string | undefined,
    workflow_id: opts.workflow as string | undefined,
    lease_ms: (opts.leaseMs as number | undefined) ?? agentLeaseMs(),
  });
}

/** Which task a lease action is about: --task, and the token held (the server finds the token's task). */
export interface LeaseTarget {
  runId: string;
  taskId: string | undefined;
  token: string | undefined;
}

/** transitionTask's params for a lease action from its options. */
export function leaseActionParams(
  caller: Caller,
  action: LeaseAction,
  target: LeaseTarget,
  opts: Record<string, unknown>,
): InputOf<'transitionTask'> {
  const extra =
    action === 'heartbeat'
      ? // Naming no length, the lease keeps its own.
        opts.leaseMs !== undefined
        ? { lease_ms: opts.leaseMs as number }
        : {}
      : action === 'complete' && opts.result !== undefined
        ? { result: opts.result as string }
        : action === 'fail'
          ? { error: opts.error as string }
          : {};
  return withCommandId(caller, {
    run_id: target.runId,
    ...(target.taskId !== undefined ? { task_id: target.taskId } : {}),
    action,
    agent_id: caller.agent,
    ...(target.token !== undefined ? { lease_token: target.token } : {}),
    ...extra,
  });
}

export function leaseActionText(action: LeaseAction, result: StoreResults['transitionTask']): string {
  const lines = [taskLine(LEASE_ACTIONS[action], result.task)];
  if (action === 'heartbeat' && result.task.lease_expires_at_ms !== undefined) {
    lines.push(`  lease expires ${relativeTime(result.task.lease_expires_at_ms)}`);
  }
  if (action === 'fail' && result.task.last_error) lines.push(`  error    ${result.task.last_error}`);
  if (action === 'complete' && result.task.result) lines.push(`  result   ${result.task.result}`);
  if (result.run_completed) lines.push(RUN_COMPLETED_TEXT);
  return lines.join('\n');
}

/** claim's answer for people: shell comments and exports, so `eval "$(runboard claim)"` sets up the next calls. */
export function claimText(runId: string, result: ClaimTaskResult, named: string | undefined, withWorktree = false): string {
  return result.task ? claimedText(runId, result, withWorktree) : nothingText(runId, result, named);
}

/** Shell comments and exports: `eval "$(runboard claim)"` is safe, and later calls need no --run or --token. */
function claimedText(runId: string, result: ClaimTaskResult, withWorktree: boolean): string {
  const task = result.task!;
  const earlier = withWorktree ? undefined : earlierWorktreeText(task, 'cd there and work on (claim --worktree does that for you)');
  const said = [
    taskLine('Claimed', task),
    `  run      ${runId}`,
    // The claim's own lease: its token is this invocation's.
    ...leaseLines(task, () => true),
    `  attempt  ${task.attempt} of ${task.max_attempts} failed so far`,
    ...(earlier ? [earlier] : []),
  ];
  // The agent too: a heartbeat or complete from the same shell then records the agent that claimed
  // (one given only to claim, --agent ci-42, credited the work to the default cli:<user>@<host>).
  return evalSafe(said, {
    RUNBOARD_RUN: runId,
    RUNBOARD_TASK: task.id,
    RUNBOARD_LEASE_TOKEN: task.lease_token ?? '',
    ...(task.lease_owner ? { RUNBOARD_AGENT: task.lease_owner } : {}),
  });
}

/**
 * Output for people that `eval` may run: each line a shell comment (a line break in it would
 * start a command), then the exports, their values quoted when they need it.
 */
export function evalSafe(comments: string[], exports: Record<string, string>): string {
  return [
    ...comments.map((c) => `# ${c.replace(/[\r\n]+/g, ' ')}`),
    ...Object.entries(exports).map(([name, value]) => `export ${name}=${shellWord(value)}`),
  ].join('\n');
}

/** Ids and tokens are plain (PROTOCOL.md's id rule), but a quote costs nothing and keeps eval safe. */
export function shellWord(s: string): string {
  return /^[\w.:@-]*$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A claim on a finished run (RUN_TERMINAL) ends an agent's loop like nothing to claim: exit 3, and
 * for eval the same comment-and-cleared-token lines (with --json: the error document). Undefined
 * for any other failure.
 */
export function claimOnFinishedRun(out: Output, e: unknown): number | undefined {
  const { code, message } = describeError(e);
  if (code !== 'RUN_TERMINAL') return undefined;
  if (out.json) out.errorDocument(e);
  else out.result(null, () => evalSafe([message], { RUNBOARD_TASK: '', RUNBOARD_LEASE_TOKEN: '' }));
  return EXIT.nothingToClaim;
}

function nothingText(runId: string, result: ClaimTaskResult, named: string | undefined): string {
  const why = result.reason
    ? nothingToClaimText(result.reason, named, runId, result.waiting_on, result.paused_reason)
    : `Nothing to claim in run ${runId} now`;
  const when = result.next_retry_at_ms !== undefined ? ` (the first retry is due ${relativeTime(result.next_retry_at_ms)})` : '';
  // Empty: `eval` of this output clears the previous task's token, so a stale heartbeat cannot follow.
  return evalSafe([`${why}${when}.`], { RUNBOARD_TASK: '', RUNBOARD_LEASE_TOKEN: '' });
}
