// An attention item in the Runs tree: what needs the person, in which run, and — on click — the
// action that resolves it; and how many there are, as the badge and the Attention node say it.
import * as vscode from 'vscode';
import type { AttentionItem, AttentionKind } from '../../../contract/attention';
import { ACTION_COMMAND } from './attentionActions';

/** "1 thing needs you" / "3 things need you": the badge's and the Attention node's tooltip. */
export function attentionCountText(count: number): string {
  return `${count} ${count === 1 ? 'thing needs' : 'things need'} you`;
}

const ICON: Record<AttentionKind, string> = {
  task_failed: 'error',
  task_exhausted: 'error',
  task_blocked: 'debug-pause',
  dependency_cancelled: 'circle-slash',
  question_open: 'question',
  run_paused_workspace: 'folder-opened',
  run_paused: 'debug-pause',
  lease_expiring: 'watch',
  drift: 'diff',
  worktree_kept: 'repo-forked',
  run_work_done: 'pass',
  run_damaged: 'warning',
  plan_awaiting_approval: 'checklist',
  log_lost_events: 'history',
};

/** How an item's icon is coloured: a failure as an error, work done as passed, the rest as a warning. */
function iconColor(kind: AttentionKind): string {
  if (kind === 'task_exhausted' || kind === 'task_failed' || kind === 'run_damaged' || kind === 'log_lost_events') return 'errorForeground';
  return kind === 'run_work_done' ? 'testing.iconPassed' : 'list.warningForeground';
}

export function attentionTreeItem(id: string, a: AttentionItem): vscode.TreeItem {
  const item = new vscode.TreeItem(a.title, vscode.TreeItemCollapsibleState.None);
  item.id = id;
  item.description = a.run_id;
  const { label } = ACTION_COMMAND[a.action];
  item.tooltip = `${a.run_id}: ${a.title}\n${label} resolves it.`;
  item.iconPath = new vscode.ThemeIcon(ICON[a.kind], new vscode.ThemeColor(iconColor(a.kind)));
  item.accessibilityInformation = { label: `Needs you: ${a.title}, run ${a.run_id}. ${label} resolves it.` };
  item.contextValue = `attention.${a.action}`;
  item.command = { command: 'runboard.resolveAttention', title: label, arguments: [a] };
  return item;
}
