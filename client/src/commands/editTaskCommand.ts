// Edit Task: one field of a task at a time — its title, priority, what it waits for, or its
// labels (editTask; runs of format 3). A task this editor holds is edited with its lease token; one
// another agent holds needs the person's confirmation (force).
import * as vscode from 'vscode';
import type { Task } from '../../../contract/schemas/records';
import { hasLiveLease } from '../../../contract/taskRules';
import { taskTitle } from '../../../contract/taskText';
import { labelsOf } from '../../../contract/taskLine';
import { Requests } from '../../../server/src/protocol';
import * as config from '../config';
import type { RunboardContext } from '../context';
import type { TaskRef } from '../runs/refs';
import { Cancelled, type CommandSpec } from './commandKit';
import { argField, taskFromArg } from './prompts';

type Edit = { title?: string; priority?: number; depends_on_task_ids?: string[]; labels?: string[] };

/** The edit in `arg` (any of title, priority, after, labels), if any. */
function givenEdit(arg: unknown): Edit | undefined {
  const given: Edit = {
    ...(argField(arg, 'title', 'string') !== undefined ? { title: argField(arg, 'title', 'string') } : {}),
    ...(argField(arg, 'priority', 'number') !== undefined ? { priority: argField(arg, 'priority', 'number') } : {}),
    ...(Array.isArray(argField(arg, 'after', 'object')) ? { depends_on_task_ids: argField(arg, 'after', 'object') as string[] } : {}),
    ...(Array.isArray(argField(arg, 'labels', 'object')) ? { labels: argField(arg, 'labels', 'object') as string[] } : {}),
  };
  return Object.keys(given).length > 0 ? given : undefined;
}

/** One field asked for. */
async function askEdit(ctx: RunboardContext, ref: TaskRef, task: Task): Promise<Edit> {
  const field = await vscode.window.showQuickPick(['Title', 'Priority', 'Waits for', 'Labels'], { title: `Edit ${taskTitle(task)}` });
  const ask = (prompt: string, value: string, validateInput?: (v: string) => string | undefined) =>
    vscode.window.showInputBox({ title: `Edit ${taskTitle(task)}`, prompt, value, validateInput, ignoreFocusOut: true });
  let answer: string | undefined;
  switch (field) {
    case 'Title':
      answer = await ask('The title', taskTitle(task), (v) => (v.trim() ? undefined : 'The title must not be empty.'));
      return answer === undefined ? cancel() : { title: answer };
    case 'Priority':
      answer = await ask('The priority (higher is claimed first)', String(task.priority), (v) =>
        /^-?\d+$/.test(v.trim()) ? undefined : 'A whole number.',
      );
      return answer === undefined ? cancel() : { priority: Number(answer) };
    case 'Waits for': {
      const others = (ctx.model.get(ref)?.run.tasks ?? []).filter((t) => t.id !== task.id);
      const picked = await vscode.window.showQuickPick(
        others.map((t) => ({
          label: taskTitle(t),
          description: `${t.id} · ${t.status}`,
          id: t.id,
          picked: task.depends_on_task_ids.includes(t.id),
        })),
        { title: `${taskTitle(task)} waits for`, canPickMany: true, ignoreFocusOut: true },
      );
      return picked === undefined ? cancel() : { depends_on_task_ids: picked.map((p) => p.id) };
    }
    case 'Labels':
      answer = await ask('Its labels, separated by commas', (task.labels ?? []).join(', '));
      return answer === undefined ? cancel() : { labels: labelsOf([answer]) };
    default:
      return cancel();
  }
}

function cancel(): never {
  throw new Cancelled();
}

export function editTaskCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.editTask',
    writes: true,
    run: async (arg) => {
      const ref = await taskFromArg(ctx, arg, 'Edit which task?');
      // A task just added may not be in the model yet: an edit given in full needs no prompt (the server checks it).
      const task = ctx.model.task(ref);
      const edit = givenEdit(arg) ?? (task ? await askEdit(ctx, ref, task) : cancel());
      const held = ctx.leases.get(ref);
      let force = argField(arg, 'force', 'boolean') ?? false;
      if (task && !force && !held && hasLiveLease(task, Date.now())) {
        const ok = await vscode.window.showWarningMessage(
          `${taskTitle(task)} is claimed by ${task.lease_owner ?? 'another agent'}. Edit it anyway?`,
          { modal: true },
          'Edit',
        );
        if (ok !== 'Edit') throw new Cancelled();
        force = true;
      }
      const { task: updated } = await ctx.server.request(Requests.editTask, {
        root: ref.root,
        run_id: ref.run_id,
        task_id: ref.task_id,
        ...edit,
        agent_id: config.agentId(ctx.model.folderOf(ref.root)?.uri),
        ...(held ? { lease_token: held.token } : {}),
        ...(force ? { force: true } : {}),
      });
      ctx.model.invalidate(ref);
      return updated;
    },
  };
}
