// Task worktrees as this editor works them (PROTOCOL.md §Worktrees): git runs here, in the
// extension host, through the CLI's own calls (server/src/worktrees/worktreeCalls.ts), on the
// repository whose board the folder shows; the board's methods go through this editor's server.
import * as vscode from 'vscode';
import type { RequestType } from 'vscode-languageclient/node';
import type { StoreResults } from '../../../contract/results';
import type { InputOf, StoreMethod } from '../../../contract/schemas/params';
import type { Task } from '../../../contract/schemas/records';
import { Requests } from '../../../server/src/protocol';
import { boardRootOf } from '../../../server/src/worktrees/boardRoot';
import { completeTask, settleCompleted, type WorktreeSite } from '../../../server/src/worktrees/worktreeCalls';
import { errorCode, errorInfo } from '../errors';
import { Cancelled } from './commandKit';
import type { RunboardContext } from '../context';
import type { TaskRef } from '../runs/refs';

/** The worktree calls' view of a folder: git in the repository whose board it shows, the methods through this editor's server. */
export function worktreeSite(ctx: RunboardContext, root: string): WorktreeSite {
  const requests = Requests as unknown as Record<StoreMethod, RequestType<unknown, unknown, void>>;
  return {
    root: boardRootOf(root),
    env: process.env,
    execute: <M extends StoreMethod>(method: M, params: InputOf<M>) =>
      ctx.server.request(requests[method], { root, ...params }) as Promise<StoreResults[M]>,
  };
}

export function openWorktree(task: Task): Thenable<unknown> {
  return vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(task.worktree!.path), { forceNewWindow: true });
}

/**
 * Completes a task as every client does (worktreeCalls.ts completeTask). When its worktree holds
 * uncommitted changes the person is asked first (`force` from a caller skips the question: true
 * completes, false refuses); then what became of the worktree is said.
 */
export async function completeInEditor(
  ctx: RunboardContext,
  ref: TaskRef,
  params: InputOf<'transitionTask'> & { run_id: string; action: 'complete' },
  force: boolean | undefined,
): Promise<Task> {
  const site = worktreeSite(ctx, ref.root);
  let done: Awaited<ReturnType<typeof completeTask>>;
  try {
    done = await completeTask(site, params, force ?? false);
  } catch (e) {
    if (errorCode(e) !== 'WORKTREE_UNCOMMITTED' || force !== undefined) throw e;
    const answer = await vscode.window.showWarningMessage(errorInfo(e).message, { modal: true }, 'Complete Anyway');
    if (answer !== 'Complete Anyway') throw new Cancelled();
    done = await completeTask(site, params, true);
  }
  if (done.settled) sayWorktree(ctx, ref, done.result.task, done.unsettled);
  return done.result.task;
}

/** Settles the worktree of a task this editor cancelled, saying what became of it. */
export async function settleEditorWorktree(ctx: RunboardContext, ref: TaskRef, task: Task): Promise<Task> {
  const { task: settled, unsettled } = await settleCompleted(worktreeSite(ctx, ref.root), ref.run_id, task);
  sayWorktree(ctx, ref, settled, unsettled);
  return settled;
}

/** What became of a finished task's worktree: removed, kept (and why), or not settled. */
function sayWorktree(ctx: RunboardContext, ref: TaskRef, settled: Task, unsettled: string | undefined): void {
  ctx.model.invalidate(ref);
  const wt = settled.worktree!;
  if (unsettled) ctx.notify('warning', unsettled);
  else if (wt.state === 'kept')
    ctx.notify('warning', `Task ${ref.task_id} is ${settled.status}; its worktree was kept: ${wt.note ?? wt.path}`);
  else if (wt.note)
    // What was left behind, and why: no git worktree any more, or a folder git could not delete.
    ctx.notify('warning', `Task ${ref.task_id} is ${settled.status}. ${wt.note}`);
  else ctx.notify('info', `Task ${ref.task_id} is ${settled.status}; its worktree ${wt.path} was removed (its work is on ${wt.branch}).`);
}
