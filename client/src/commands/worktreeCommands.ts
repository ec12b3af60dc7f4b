// Task worktree commands (PROTOCOL.md §Worktrees): claim a task in a git worktree of its own,
// open a task's worktree in a new window, merge (or rebase) a done task's branch.
import * as vscode from 'vscode';
import { awaitsMerge, isMergeWay, type MergeWay, worktreeOpen } from '../../../contract/taskRules';
import { mergedText, taskTitle } from '../../../contract/taskText';
import { checkedOutBranch } from '../../../server/src/worktrees/git';
import { claimWithWorktree, mergeTask } from '../../../server/src/worktrees/worktreeCalls';
import type { RunboardContext } from '../context';
import { Cancelled, type CommandSpec } from './commandKit';
import { openWorktree, worktreeSite } from './editorWorktrees';
import { argField, taskFromArg } from './prompts';
import { claimNamedTask } from './taskCommands';

export function claimTaskInWorktreeCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.claimTaskInWorktree',
    writes: true,
    run: async (arg) => {
      const ref = await taskFromArg(ctx, arg, 'Claim which task, in a worktree of its own?', 'claim');
      const { task } = await vscode.window
        .withProgress({ location: vscode.ProgressLocation.Notification, title: `Claiming ${ref.task_id} in a worktree…` }, () =>
          claimWithWorktree(worktreeSite(ctx, ref.root), ref.run_id, async () => ({ task: await claimNamedTask(ctx, ref) })),
        )
        .then(undefined, async (e: unknown) => {
          await ctx.leases.forget(ref); // claimed, then released: git could not make its worktree
          throw e;
        });
      if (!task) return null;
      ctx.model.invalidate(ref);
      const wt = task.worktree!;
      // A note: a dependency's work that could not be merged in (a warning: the task starts without it).
      ctx.notify(
        wt.note ? 'warning' : 'info',
        `Claimed “${taskTitle(task)}” in the worktree ${wt.path} (branch ${wt.branch}).${wt.note ? ` ${wt.note}` : ''}`,
        {
          'Open Worktree': () => openWorktree(task),
        },
      );
      return task;
    },
  };
}

export function openTaskWorktreeCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.openTaskWorktree',
    run: async (arg) => {
      const ref = await taskFromArg(ctx, arg, 'Open the worktree of which task?', undefined, worktreeOpen);
      const task = ctx.model.task(ref);
      const wt = task?.worktree;
      if (!wt || !worktreeOpen(task)) {
        ctx.notify(
          'info',
          `Task ${ref.task_id} has no worktree to open${wt ? `: ${wt.path} was removed (its work is on ${wt.branch})` : ''}.`,
        );
        throw new Cancelled();
      }
      await openWorktree(task);
      return vscode.Uri.file(wt.path);
    },
  };
}

const WAYS: { way: MergeWay; label: string; detail: (into: string) => string }[] = [
  { way: 'merge', label: 'Merge', detail: (into) => `git merge --no-ff: the task's commits joined to ${into} by a merge commit` },
  {
    way: 'rebase',
    label: 'Rebase and Fast-Forward',
    detail: (into) => `the task's commits replayed on ${into}, which moves to them: a straight history`,
  },
];

export function mergeTaskBranchCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.mergeTaskBranch',
    writes: true,
    run: async (arg) => {
      const ref = await taskFromArg(ctx, arg, "Merge which done task's branch?", undefined, awaitsMerge);
      const task = ctx.model.task(ref);
      const site = worktreeSite(ctx, ref.root);
      const into = await checkedOutBranch(site.root);
      const given = argField(arg, 'way', 'string');
      const way = isMergeWay(given)
        ? given
        : (
            await vscode.window.showQuickPick(
              WAYS.map((w) => ({ label: w.label, detail: w.detail(into), way: w.way })),
              { placeHolder: `Bring ${task?.worktree?.branch ?? ref.task_id} into ${into} (checked out in ${site.root})` },
            )
          )?.way;
      if (!way) throw new Cancelled();
      const merged = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `${way === 'rebase' ? 'Rebasing' : 'Merging'} ${ref.task_id}…` },
        () => mergeTask(site, ref.run_id, ref.task_id, undefined, way),
      );
      ctx.model.invalidate(ref);
      ctx.notify(
        'info',
        mergedText(
          way,
          merged.task.worktree!.branch,
          into,
          merged.commit,
          merged.changed,
          merged.merged_along,
          merged.already_merged === true,
        ),
      );
      return merged;
    },
  };
}
