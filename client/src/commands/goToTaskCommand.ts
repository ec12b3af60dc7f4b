// Go to Task…: every task of every open run in one picker (title, id, run, status, agent, labels);
// the one picked is revealed in the Runs tree, its run selected. Given a query (the task filter of
// contract/taskFilter.ts) that one task matches, it goes there without asking.
import * as vscode from 'vscode';
import { matchesTaskFilter, parseTaskFilter } from '../../../contract/taskFilter';
import { taskAgent, taskTitle } from '../../../contract/taskText';
import { TASK_STATUS_LABEL } from '../../../contract/statuses';
import type { RunboardContext } from '../context';
import type { TaskRef } from '../runs/refs';
import { Cancelled, type CommandSpec } from './commandKit';
import { argField } from './prompts';

export function goToTaskCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.goToTask',
    run: async (arg) => {
      const all = ctx.model.allRuns().flatMap((e) => e.run.tasks.map((task) => ({ ref: { ...e.ref, task_id: task.id }, task })));
      const query = argField(arg, 'query', 'string');
      const filter = query === undefined ? undefined : parseTaskFilter(query);
      const candidates = filter ? all.filter((c) => matchesTaskFilter(c.task, filter)) : all;
      let ref: TaskRef;
      if (candidates.length === 1 && filter) ref = candidates[0].ref;
      else {
        const picked = await vscode.window.showQuickPick(
          candidates.map((c) => ({
            label: taskTitle(c.task),
            description: `${c.task.id} · ${c.ref.run_id}`,
            detail: [TASK_STATUS_LABEL[c.task.status], taskAgent(c.task), ...(c.task.labels ?? [])].filter(Boolean).join(' · '),
            ref: c.ref,
          })),
          {
            title: 'Go to Task',
            placeHolder: 'A task of any open run: its title, id, run, status, agent or label',
            matchOnDescription: true,
            matchOnDetail: true,
          },
        );
        if (!picked) throw new Cancelled();
        ref = picked.ref;
      }
      ctx.selection.select({ root: ref.root, run_id: ref.run_id });
      await ctx.revealTask(ref);
      return ref;
    },
  };
}
