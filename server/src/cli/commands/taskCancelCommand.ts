// tasks cancel: withdraw a task (runs of format 4) as this agent, with the lease token this process
// holds (its own task) or --force (a person's); with --cascade, every task that waits on it too.
import type { CancelTaskResult } from '../../../../contract/results';
import type { RunRecord } from '../../../../contract/schemas/records';
import { waitReasons } from '../../../../contract/taskRules';
import { withForceHint } from '../forceHint';
import { taskLine } from '../humanFormat';
import { givenLeaseToken } from '../agentLoopCalls';
import { Invocation } from '../invocation';
import { settleCancelled } from '../../worktrees/worktreeCalls';
import { worktreeNote } from '../worktreeLines';
import { RUN_COMPLETED_TEXT } from '../../../../contract/taskText';

export async function tasksCancel({ session, out, args, opts }: Invocation): Promise<void> {
  const token = givenLeaseToken(opts, process.env, args[0]);
  const runId = await session.runId(undefined, token);
  const result = await session
    .execute(
      'cancelTask',
      session.withCommandId({
        run_id: runId,
        task_id: args[0]!,
        reason: opts.reason as string | undefined,
        agent_id: session.agent,
        ...(opts.cascade === true ? { cascade: true } : {}),
        ...(opts.force === true ? { force: true } : {}),
        ...(token !== undefined ? { lease_token: token } : {}),
      }),
    )
    .catch((e: unknown) => {
      throw withForceHint(e, 'cancel');
    });
  // Their worktrees settled as complete settles one: removed when clean, kept (and said) when not.
  const { task, cancelled, unsettled } = await settleCancelled(session, runId, result);
  const answer = { ...result, task, cancelled, ...(unsettled.length > 0 ? { note: unsettled.join(' ') } : {}) };
  // People are told which tasks now wait on it; a JSON reader has `tasks list` and `tasks show`.
  const waiting = session.json ? [] : waitingOn(task.id, (await session.execute('getRun', { run_id: runId })).run);
  out.result(answer, () =>
    [
      cancelText(answer, waiting),
      ...(answer.run_completed ? [RUN_COMPLETED_TEXT] : []),
      ...cancelled.flatMap(worktreeNote),
      ...unsettled.map((u) => `# ${u}`),
    ].join('\n'),
  );
}

/** The unfinished tasks that wait on `taskId` now that it is cancelled ("dependency cancelled"). */
function waitingOn(taskId: string, run: RunRecord, now = Date.now()): string[] {
  const byId = new Map(run.tasks.map((t) => [t.id, t]));
  return run.tasks
    .filter((t) => waitReasons(t, run, byId, now).some((r) => r.kind === 'dependency_cancelled' && r.ids.includes(taskId)))
    .map((t) => t.id);
}

function cancelText({ task, cancelled }: CancelTaskResult, waiting: string[]): string {
  const named = cancelled.some((t) => t.id === task.id);
  const lines = [taskLine(named ? 'Cancelled' : 'Already cancelled:', task)];
  if (task.cancelled?.reason) lines.push(`  reason     ${task.cancelled.reason}`);
  const dependents = cancelled.filter((t) => t.id !== task.id).map((t) => t.id);
  if (dependents.length > 0)
    lines.push(
      `  cascade    also cancelled ${dependents.join(', ')} (they waited on ${task.id}; requeue ${task.id} --cascade reopens them all)`,
    );
  if (waiting.length > 0) {
    lines.push(
      `  waiting    ${waiting.join(', ')} ${waiting.length === 1 ? 'waits' : 'wait'} on it ("dependency cancelled"): cancel ` +
        `${waiting.length === 1 ? 'it' : 'them'} too (--cascade), edit dependencies (tasks edit --after), or reopen ${task.id} (requeue ${task.id})`,
    );
  }
  return lines.join('\n');
}
