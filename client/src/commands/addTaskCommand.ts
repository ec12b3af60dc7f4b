// Add Task: one task, as people write it — a title, then (when the run has tasks) which ones it
// waits for. The same TaskInput the CLI's `tasks add` and MCP add_task build (contract/taskLine.ts).
import * as vscode from 'vscode';
import { taskInputFromLine } from '../../../contract/taskLine';
import { taskTitle, waitingTasks } from '../../../contract/taskText';
import { Requests } from '../../../server/src/protocol';
import type { RunboardContext } from '../context';
import type { RunRef } from '../runs/refs';
import { Cancelled, type CommandSpec } from './commandKit';
import { argField, askText, runFromArg } from './prompts';

/** The tasks it waits for: `after` in the argument, else picked among the run's unfinished tasks (none when it has none). */
async function askAfter(ctx: RunboardContext, ref: RunRef, arg: unknown): Promise<string[]> {
  const given = argField(arg, 'after', 'object');
  if (Array.isArray(given)) return given.filter((s): s is string => typeof s === 'string');
  if (argField(arg, 'title', 'string') !== undefined) return [];
  const open = waitingTasks(ctx.model.get(ref)?.run.tasks ?? []);
  if (open.length === 0) return [];
  const picked = await vscode.window.showQuickPick(
    open.map((t) => ({ label: taskTitle(t), description: `${t.id} · ${t.status}`, id: t.id })),
    {
      title: 'Add Task: waits for',
      placeHolder: 'The tasks it waits for (none: it can be claimed now)',
      canPickMany: true,
      ignoreFocusOut: true,
    },
  );
  if (!picked) throw new Cancelled();
  return picked.map((p) => p.id);
}

export function addTaskCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.addTask',
    writes: true,
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, 'Add a task to which run?', 'createTasks');
      const title = await askText(arg, 'title', {
        title: 'Add Task',
        prompt: 'What is the task? (its title, as every view shows it)',
        validateInput: (v) => (v.trim() ? undefined : 'The title must not be empty.'),
      });
      const after = await askAfter(ctx, ref, arg);
      const input = taskInputFromLine({
        title,
        after,
        type: argField(arg, 'task_type', 'string'),
        id: argField(arg, 'id', 'string'),
        target: argField(arg, 'target', 'string'),
        description: argField(arg, 'description', 'string'),
        priority: argField(arg, 'priority', 'number'),
      });
      const { tasks } = await ctx.server.request(Requests.createTasks, { root: ref.root, run_id: ref.run_id, tasks: [input] });
      ctx.model.invalidate(ref);
      return tasks[0];
    },
  };
}
