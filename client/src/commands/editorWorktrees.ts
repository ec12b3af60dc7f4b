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
import { settleCompleted, type WorktreeSite } from '../../../server/src/worktrees/worktreeCalls';
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

/** Settles the worktree of a task this editor completed or cancelled, saying what became of it. */
export async function settleEditorWorktree(ctx: RunboardContext, ref: TaskRef, task: Task): Promise<Task> {
  const { task: settled, unsettled } = await settleCompleted(worktreeSite(ctx, ref.root), ref.run_id, task);
  ctx.model.invalidate(ref);
  const wt = settled.worktree!;
  if (unsettled) ctx.notify('warning', unsettled);
  else if (wt.state === 'kept')
    ctx.notify('warning', `Task ${ref.task_id} is ${settled.status}; its worktree was kept: ${wt.note ?? wt.path}`);
  else ctx.notify('info', `Task ${ref.task_id} is ${settled.status}; its worktree ${wt.path} was removed (its work is on ${wt.branch}).`);
  return settled;
}
