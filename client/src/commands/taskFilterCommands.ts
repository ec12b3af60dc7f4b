// Filter Tasks… and Clear Task Filter: the Runs tree shows only the tasks matching a filter in the
// syntax of contract/taskFilter.ts (the board's filter box and `runboard tasks list --filter` read
// the same). The input box checks the text as it is typed. An argument — the text, or {query} —
// skips the box, for tests and keybindings; a text that is no filter is refused with why.
import * as vscode from 'vscode';
import type { RunboardContext } from '../context';
import { readTaskFilter } from '../runs/typedTaskFilter';
import { Cancelled, type CommandSpec } from './commandKit';
import { argField } from './prompts';

export function taskFilterCommands(ctx: RunboardContext): CommandSpec[] {
  return [
    {
      id: 'runboard.filterTasks',
      // A view's own state: it needs no server.
      offline: true,
      run: async (arg) => {
        const given = typeof arg === 'string' ? arg : argField(arg, 'query', 'string');
        const text =
          given ??
          (await vscode.window.showInputBox({
            title: 'Filter Tasks',
            value: ctx.runsTree.taskFilterText,
            prompt: 'Tasks matching every word: status:, type:, agent:, label:, id: (prefixes, case ignored) or text. Empty shows all.',
            placeHolder: 'status:failed agent:bob timeout',
            validateInput: (v) => readTaskFilter(v).error,
          }));
        if (text === undefined) throw new Cancelled();
        ctx.runsTree.setTaskFilter(text);
        return ctx.runsTree.taskFilterText;
      },
    },
    {
      id: 'runboard.clearTaskFilter',
      offline: true,
      run: () => {
        ctx.runsTree.setTaskFilter('');
        return ctx.runsTree.taskFilterText;
      },
    },
  ];
}
