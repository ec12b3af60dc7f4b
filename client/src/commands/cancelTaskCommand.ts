// Cancel Task (cancelTask; runs of format 4): asks why (optional) and — when tasks wait on it —
// whether to cancel them too (cascade). A task this editor holds is withdrawn with its lease
// token; one another agent holds, or a cascade that reaches a leased task, needs the person's
// confirmation (force), as Requeue does.
import * as vscode from 'vscode';
import { settleEditorWorktree } from './editorWorktrees';
import type { Task } from '../../../contract/schemas/records';
import { cascadeOf, hasLiveLease } from '../../../contract/taskRules';
import { taskTitle } from '../../../contract/taskText';
import { Requests } from '../../../server/src/protocol';
import * as config from '../config';
import type { RunboardContext } from '../context';
import type { TaskRef } from '../runs/refs';
import { Cancelled, type CommandSpec } from './commandKit';
import { argField, askCascade, askText, taskFromArg } from './prompts';

/** Force, when the cancel would end someone's live lease: given in the argument, else confirmed by the person. */
async function confirmForce(ctx: RunboardContext, arg: unknown, ref: TaskRef, leased: readonly Task[]): Promise<boolean> {
  const given = argField(arg, 'force', 'boolean') ?? false;
  if (given || leased.length === 0) return given;
  const who = leased
    .map((t) => {
      const mine = ctx.leases.holds({ ...ref, task_id: t.id }, t) ? ' (this editor)' : '';
      return `“${taskTitle(t)}” is leased by ${t.lease_owner ?? 'an agent'}${mine}`;
    })
    .join('; ');
  const answer = await vscode.window.showWarningMessage(
    `${who}. Cancel anyway? The holder’s next write will be refused.`,
    { modal: true },
    'Cancel Anyway',
  );
  if (answer !== 'Cancel Anyway') throw new Cancelled();
  return true;
}

export function cancelTaskCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.cancelTask',
    writes: true,
    run: async (arg) => {
      const ref = await taskFromArg(ctx, arg, 'Cancel which task?', 'cancel');
      const run = ctx.model.get(ref)?.run;
      const task = ctx.model.task(ref);
      const name = task ? taskTitle(task) : ref.task_id;
      const reason = await askText(arg, 'reason', {
        title: `Cancel ${name}`,
        prompt: 'Why is it cancelled? (optional; kept on the task and shown to agents)',
      });
      const dependents = run ? cascadeOf(ref.task_id, run.tasks) : [];
      const cascade = await askCascade(arg, dependents, {
        title: `Cancel ${name}`,
        placeHolder: 'Other tasks wait on it',
        others: 'that wait on it',
        alone: 'Cancel only this task',
        othersThen: 'will wait, showing “dependency cancelled”.',
        along: 'Cancel it and',
      });
      // The token this editor holds goes along whenever it has one (the model may not show its claim yet).
      const held = ctx.leases.get(ref);
      const now = Date.now();
      const othersLease = task !== undefined && hasLiveLease(task, now) && !ctx.leases.holds(ref, task);
      // A cascade ends every dependent's lease only with force, whoever holds it.
      const leased = [...(othersLease ? [task] : []), ...(cascade ? dependents.filter((t) => hasLiveLease(t, now)) : [])];
      const force = await confirmForce(ctx, arg, ref, leased);
      const result = await ctx.server.request(Requests.cancelTask, {
        root: ref.root,
        run_id: ref.run_id,
        task_id: ref.task_id,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(cascade ? { cascade: true } : {}),
        ...(held ? { lease_token: held.token } : {}),
        ...(force ? { force: true } : {}),
        agent_id: config.agentId(ctx.model.folderOf(ref.root)?.uri),
      });
      for (const t of result.cancelled) await ctx.leases.forget({ ...ref, task_id: t.id });
      // Their worktrees settled as complete settles one: removed when clean, kept (and said) when not.
      for (const t of result.cancelled) if (t.worktree?.state === 'active') await settleEditorWorktree(ctx, { ...ref, task_id: t.id }, t);
      ctx.model.invalidate(ref);
      return result;
    },
  };
}
