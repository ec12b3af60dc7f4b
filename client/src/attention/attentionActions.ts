// The editor's way to do what resolves an attention item: the command behind each action of the
// contract (contract/attention.ts), with the item as its argument (it names root, run, task or question).
import * as vscode from 'vscode';
import type { AttentionAction, AttentionItem } from '../../../contract/attention';

export const ACTION_COMMAND: Record<AttentionAction, { label: string; command: string }> = {
  retry: { label: 'Retry', command: 'runboard.retryTask' },
  requeue: { label: 'Requeue', command: 'runboard.requeueTask' },
  answer: { label: 'Answer…', command: 'runboard.answerQuestion' },
  rebind: { label: 'Rebind', command: 'runboard.rebindWorkspace' },
  resume: { label: 'Resume', command: 'runboard.resumeRun' },
  open_board: { label: 'Open Board', command: 'runboard.openBoard' },
  replay: { label: 'Replay', command: 'runboard.replay' },
  open_worktree: { label: 'Open Worktree', command: 'runboard.openTaskWorktree' },
  complete_run: { label: 'Complete Run', command: 'runboard.completeRun' },
  repair: { label: 'Repair…', command: 'runboard.repairRun' },
  approve_plan: { label: 'Approve Plan', command: 'runboard.approvePlan' },
};

export function resolveAttention(item: AttentionItem): Thenable<unknown> {
  const arg = { root: item.root, run_id: item.run_id, task_id: item.task_id, question_id: item.question_id, mode: 'checkpoint' };
  return vscode.commands.executeCommand(ACTION_COMMAND[item.action].command, arg);
}
