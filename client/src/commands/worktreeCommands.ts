// Open Task Worktree (PROTOCOL.md §Worktrees): the git worktree a task is worked in, in a new
// window — the task's own folder, on its own branch (claim --worktree made it).
import * as vscode from 'vscode';
import type { RunboardContext } from '../context';
import { Cancelled, type CommandSpec } from './commandKit';
import { taskFromArg } from './prompts';

export function openTaskWorktreeCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.openTaskWorktree',
    run: async (arg) => {
      const ref = await taskFromArg(
        ctx,
        arg,
        'Open the worktree of which task?',
        undefined,
        (t) => !!t.worktree && t.worktree.state !== 'removed',
      );
      const wt = ctx.model.task(ref)?.worktree;
      if (!wt || wt.state === 'removed') {
        ctx.notify(
          'info',
          `Task ${ref.task_id} has no worktree to open${wt ? `: ${wt.path} was removed (its work is on ${wt.branch})` : ''}.`,
        );
        throw new Cancelled();
      }
      const uri = vscode.Uri.file(wt.path);
      await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
      return uri;
    },
  };
}
