// tasks create|list, and the lease holder's actions: heartbeat, complete, fail, release — by
// token or task; plus retry and requeue, which need no lease. Claiming is claimCommand.ts.
import { taskLine, tasksOfRun, tasksTable } from '../humanFormat';
import { givenLeaseToken, LeaseAction, leaseActionParams, leaseActionText, LeaseTarget } from '../agentLoopCalls';
import { inputName, readInput } from '../inputFile';
import { Invocation, taskOf } from '../invocation';
import { completeTask } from '../../worktrees/worktreeCalls';
import { worktreeNote } from '../worktreeLines';
import { UsageError } from '../usageError';
import { matchesTaskFilter, parseTaskFilter, type TaskFilter } from '../../../../contract/taskFilter';
import { parseJson } from './runCommands';
import { waitsLine, waitsOf } from './oneTaskCommands';
import type { Task } from '../../../../contract/schemas/records';
import { TASK_STATUSES, TaskStatus } from '../../../../contract/statuses';
import { tasksFileRows } from '../../../../contract/tasksFileRows';

export async function tasksCreate({ session, out, args }: Invocation): Promise<void> {
  const source = args[0]!;
  const file = tasksFileRows(parseJson(inputName(source), readInput(source)));
  if ('problem' in file) throw new UsageError(file.problem);
  const result = await session.execute('createTasks', session.withCommandId({ run_id: await session.runId(), tasks: file.rows as never }));
  out.result(result, () =>
    [`Created ${result.tasks.length} task${result.tasks.length === 1 ? '' : 's'}.`, tasksTable(result.tasks)].join('\n'),
  );
}

export async function tasksList({ session, out, opts }: Invocation): Promise<void> {
  const status = opts.status as TaskStatus | undefined;
  if (status !== undefined && !(TASK_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${TASK_STATUSES.join(', ')}.`);
  }
  let filter: TaskFilter | undefined;
  try {
    filter = opts.filter === undefined ? undefined : parseTaskFilter(opts.filter as string);
  } catch (e) {
    throw new UsageError(`--filter: ${(e as Error).message}`);
  }
  const { run } = await session.execute('getRun', { run_id: await session.runId() });
  const tasks = run.tasks.filter((t) => (status === undefined || t.status === status) && (!filter || matchesTaskFilter(t, filter)));
  out.result({ tasks }, () => tasksOfRun(tasks, run));
}

/**
 * The run, task and token a lease action is about. A token alone is enough: the server finds its
 * task, and a stale, finished or revoked token is its domain error (exit 1), never a usage error.
 */
async function leaseTarget(inv: Invocation, action: LeaseAction): Promise<LeaseTarget> {
  const taskId = taskOf(inv);
  const token = givenLeaseToken(inv.opts, process.env, taskId);
  if (taskId === undefined && token === undefined) {
    throw new UsageError(
      `Say which task (\`runboard ${action} <task_id>\` or --task <task_id>), or pass the lease token (--token or RUNBOARD_LEASE_TOKEN) to act on its task.`,
    );
  }
  return { runId: await inv.session.runId(undefined, token), taskId, token };
}

async function leaseAction(inv: Invocation, action: LeaseAction): Promise<void> {
  const { session, out, opts } = inv;
  const target = await leaseTarget(inv, action);
  const params = leaseActionParams(session, action, target, opts);
  // complete: refused while the task's worktree holds uncommitted changes (unless --force); then the worktree is settled.
  const { result, unsettled } =
    action === 'complete'
      ? await completeTask(session, { ...params, run_id: target.runId, action }, opts.force === true)
      : { result: await session.execute('transitionTask', params), unsettled: undefined };
  out.result(unsettled ? { ...result, note: unsettled } : result, () =>
    [leaseActionText(action, result), ...worktreeNote(result.task), ...(unsettled ? [`# ${unsettled}`] : [])].join('\n'),
  );
}

export const heartbeat = (inv: Invocation) => leaseAction(inv, 'heartbeat');
export const complete = (inv: Invocation) => leaseAction(inv, 'complete');
export const fail = (inv: Invocation) => leaseAction(inv, 'fail');
export const release = (inv: Invocation) => leaseAction(inv, 'release');

function namedTask(inv: Invocation): string {
  const id = taskOf(inv);
  if (id === undefined) throw new UsageError('Say which task: `runboard retry <task_id>` or --task <task_id>.');
  return id;
}

export async function retry(inv: Invocation): Promise<void> {
  const { session, out } = inv;
  const runId = await session.runId();
  const result = await session.execute(
    'transitionTask',
    session.withCommandId({ run_id: runId, task_id: namedTask(inv), action: 'retry', agent_id: session.agent }),
  );
  const waits = await waitsAfter(inv, runId, result.task);
  out.result(result, () => [taskLine('Retrying', result.task), ...waits].join('\n'));
}

export async function requeue(inv: Invocation): Promise<void> {
  const { session, out, opts } = inv;
  const runId = await session.runId();
  const result = await session.execute(
    'requeueTask',
    session.withCommandId({
      run_id: runId,
      task_id: namedTask(inv),
      reason: opts.reason as string | undefined,
      force: opts.force === true ? true : undefined,
      cascade: opts.cascade === true ? true : undefined,
      agent_id: session.agent,
    }),
  );
  const waits = await waitsAfter(inv, runId, result.task);
  out.result(result, () =>
    [taskLine('Requeued', result.task), ...waits, ...(result.reopened ?? []).map((t) => `  ${taskLine('also reopened', t)}`)].join('\n'),
  );
}

/**
 * A task put back on the board that still cannot be claimed (it waits on a task cancelled, failed
 * or not done yet): what it waits for, as `tasks show` says it — "runnable" alone read as "an agent
 * takes it now". Text only; none when it waits on nothing.
 */
async function waitsAfter({ session, out }: Invocation, runId: string, task: Task): Promise<string[]> {
  if (out.json || task.depends_on_task_ids.length === 0) return [];
  const waits = (await waitsOf(session, runId, task)) ?? [];
  return waits.length > 0 ? [waitsLine(waits)] : [];
}
