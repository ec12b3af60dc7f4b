// tasks add (one task, written in one line) and tasks show (one task, and why it waits).
import type { RunRecord, Task } from '../../../../contract/schemas/records';
import { CREATABLE_TASK_STATUSES, isFinishedTask, type TaskStatus } from '../../../../contract/statuses';
import { labelsOf, taskInputFromLine, wordsOf } from '../../../../contract/taskLine';
import { waitReasons } from '../../../../contract/taskRules';
import { attemptText, payloadTitle, taskTitle, waitText, worktreeText } from '../../../../contract/taskText';
import { taskNotFound } from '../../engine/errors';
import { leaseLines, relativeTime, taskLine } from '../humanFormat';
import { givenLeaseToken } from '../agentLoopCalls';
import { Invocation } from '../invocation';
import { UsageError } from '../usageError';
import { withForceHint } from '../forceHint';

export async function tasksAdd({ session, out, args, opts }: Invocation): Promise<void> {
  const title = args[0]!.trim();
  if (title === '') throw new UsageError('Give the task a title: runboard tasks add "Write the changelog".');
  const status = opts.status as string | undefined;
  if (status !== undefined && !(CREATABLE_TASK_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${CREATABLE_TASK_STATUSES.join(', ')}.`);
  }
  const input = taskInputFromLine({
    title,
    type: opts.type as string | undefined,
    id: opts.id as string | undefined,
    description: opts.description as string | undefined,
    target: opts.target as string | undefined,
    priority: opts.priority as number | undefined,
    after: opts.after as string[] | undefined,
    max_attempts: opts.maxAttempts as number | undefined,
    status: status as TaskStatus | undefined,
    labels: opts.label as string[] | undefined,
  });
  const runId = await session.runId();
  const result = await session.execute('createTasks', session.withCommandId({ run_id: runId, tasks: [input] }));
  const task = result.tasks[0];
  // After tasks that may never be done (cancelled, failed, blocked): what it waits for, as `tasks show` says it.
  const waits = out.json || task.depends_on_task_ids.length === 0 ? [] : await waitsOf(session, runId, task);
  out.result(result, () => [taskLine('Added', task), nextStep(task, waits)].join('\n'));
}

/** tasks edit's options that change the task (commander's keys). */
const EDITABLE = ['title', 'description', 'priority', 'after', 'maxAttempts', 'label'] as const;

/** tasks edit: the fields given, with the lease token this process holds (or --force, a person). */
export async function tasksEdit({ session, out, args, opts }: Invocation): Promise<void> {
  if (EDITABLE.every((key) => opts[key] === undefined)) {
    throw new UsageError('Say what to change: --title, --description, --priority, --after, --max-attempts or --label.');
  }
  const token = givenLeaseToken(opts, process.env, args[0]);
  // Absent stays absent (not edited); given, even as "", it replaces the list.
  const list = (v: unknown, read: (l: string[]) => string[]) => (v === undefined ? undefined : read(v as string[]));
  const result = await session
    .execute(
      'editTask',
      session.withCommandId({
        run_id: await session.runId(undefined, token),
        task_id: args[0]!,
        title: opts.title as string | undefined,
        description: opts.description as string | undefined,
        priority: opts.priority as number | undefined,
        depends_on_task_ids: list(opts.after, wordsOf),
        max_attempts: opts.maxAttempts as number | undefined,
        labels: list(opts.label, labelsOf),
        agent_id: session.agent,
        ...(token !== undefined ? { lease_token: token } : {}),
        ...(opts.force === true ? { force: true } : {}),
      }),
    )
    .catch((e: unknown) => {
      throw withForceHint(e, 'edit');
    });
  out.result(result, () =>
    result.unchanged
      ? [taskLine('Nothing to change in', result.task), `  it has: ${editedText(result.task, opts)} (nothing written)`].join('\n')
      : [taskLine('Edited', result.task), `  set: ${editedText(result.task, opts)}`].join('\n'),
  );
}

/** What tasks edit set, as the task now has it: "priority 3, after a, b, labels docs". */
function editedText(task: Task, opts: Record<string, unknown>): string {
  const given = (key: (typeof EDITABLE)[number]) => opts[key] !== undefined;
  const list = (l: readonly string[] | undefined) => (l && l.length > 0 ? l.join(', ') : 'none');
  return [
    given('title') ? `title "${taskTitle(task)}"` : '',
    given('description') ? 'description' : '',
    given('priority') ? `priority ${task.priority}` : '',
    given('after') ? `after ${list(task.depends_on_task_ids)}` : '',
    given('maxAttempts') ? `max attempts ${task.max_attempts}` : '',
    given('label') ? `labels ${list(task.labels)}` : '',
  ]
    .filter((p) => p !== '')
    .join(', ');
}

export async function tasksShow({ session, out, args }: Invocation): Promise<void> {
  const runId = await session.runId();
  const { run } = await session.execute('getRun', { run_id: runId });
  const task = run.tasks.find((t) => t.id === args[0]);
  if (!task) throw taskNotFound(runId, args[0]!);
  const now = Date.now();
  const byId = new Map(run.tasks.map((t) => [t.id, t]));
  const waits = waitTexts(task, run, byId, now);
  out.result({ task, claimable: waits.length === 0, waits }, () => taskDetails(task, byId, waits, now, out.owns));
}

/** "2m ago by cli:ana, cascade from a: obsolete". */
function cancelledText(c: NonNullable<Task['cancelled']>, now: number): string {
  const by = c.by ? ` by ${c.by}` : '';
  const from = c.cascade_from ? `, cascade from ${c.cascade_from}` : '';
  return `${relativeTime(c.at_ms, now)}${by}${from}${c.reason ? `: ${c.reason}` : ''}`;
}

function taskDetails(task: Task, byId: ReadonlyMap<string, Task>, waits: string[], now: number, own: (token: string) => boolean): string {
  const p = (task.payload ?? {}) as { description?: unknown; output_target?: { path?: unknown } };
  const lines = [
    `Task ${task.id}  [${task.status}]  ${task.task_type}, priority ${task.priority}, ${attemptText(task)}, rev ${task.task_rev}`,
  ];
  const title = payloadTitle(task);
  if (title) lines.push(`  title       ${title}`);
  if (typeof p.description === 'string' && p.description !== title) lines.push(`  description ${p.description}`);
  if (typeof p.output_target?.path === 'string') lines.push(`  target      ${p.output_target.path}`);
  if (task.depends_on_task_ids.length > 0) {
    lines.push(`  depends on  ${task.depends_on_task_ids.map((d) => `${d} (${byId.get(d)?.status ?? 'missing'})`).join(', ')}`);
  }
  lines.push(...leaseLines(task, own, now, 12));
  if (task.last_error) lines.push(`  last error  ${task.last_error}`);
  if (task.result) lines.push(`  result      ${task.result}`);
  if (task.cancelled) lines.push(`  cancelled   ${cancelledText(task.cancelled, now)}`);
  if (task.labels?.length) lines.push(`  labels      ${task.labels.join(', ')}`);
  const worktree = worktreeText(task);
  if (worktree) lines.push(`  ${worktree}`);
  // A done or cancelled task waits for nothing (its status and cancelled line say it all); one in
  // progress is not waiting: it is being worked, under the lease its reason names.
  const label = task.status === 'in_progress' ? 'in progress' : 'waits:     ';
  if (!isFinishedTask(task.status)) lines.push(waits.length === 0 ? '  claimable now' : `  ${label} ${waits.join('; ')}`);
  return lines.join('\n');
}

/** A task's waits as one line of a command's text. */
export const waitsLine = (waits: readonly string[]) => `  waits:     ${waits.join('; ')}`;

/** What comes next for a task just added: claim it, or what it waits for first (undefined: not known). */
function nextStep(task: Task, waits: readonly string[] | undefined): string {
  if (task.status === 'blocked') return `  blocked:   claimable once someone retries it (runboard retry ${task.id})`;
  if (waits === undefined) return `  after:     ${task.depends_on_task_ids.join(', ')}`;
  if (waits.length > 0) return waitsLine(waits);
  return `  claim it:  runboard claim --task ${task.id}`;
}

/**
 * Why `task` cannot be claimed now, in `tasks show`'s words (none: claimable). The task is added
 * already: a read that fails here (a board that cannot take it for a moment) leaves the words out
 * (undefined), never the command failed — a script would add the task again.
 */
export async function waitsOf(session: Invocation['session'], runId: string, task: Task): Promise<string[] | undefined> {
  try {
    const { run } = await session.execute('getRun', { run_id: runId });
    const now = Date.now();
    const byId = new Map(run.tasks.map((t) => [t.id, t]));
    return waitTexts(byId.get(task.id) ?? task, run, byId, now);
  } catch {
    return undefined;
  }
}

/** Why `task` cannot be claimed now, each reason in words (none: claimable). */
function waitTexts(task: Task, run: RunRecord, byId: ReadonlyMap<string, Task>, now: number): string[] {
  return waitReasons(task, run, byId, now).map((r) => waitText(r, now));
}
