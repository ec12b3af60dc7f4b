// Codicons and theme colours for run, step and task statuses: one table, used by both trees.
import * as vscode from 'vscode';
import type { RunStatus, TaskStatus } from '../../../contract/statuses';

const RUN_ICON: Record<RunStatus, [string, string | undefined]> = {
  queued: ['circle-large-outline', 'disabledForeground'],
  planning: ['lightbulb', 'charts.yellow'],
  running: ['play-circle', 'charts.green'],
  awaiting_approval: ['question', 'charts.yellow'],
  paused: ['debug-pause', 'charts.orange'],
  blocked: ['circle-slash', 'charts.orange'],
  failed: ['error', 'charts.red'],
  completed: ['pass-filled', 'charts.green'],
  cancelled: ['circle-slash', 'disabledForeground'],
};

const TASK_ICON: Record<TaskStatus, [string, string | undefined]> = {
  pending: ['circle-large-outline', undefined],
  runnable: ['circle-outline', 'charts.blue'],
  in_progress: ['sync~spin', 'charts.blue'],
  blocked: ['circle-slash', 'charts.orange'],
  done: ['pass', 'charts.green'],
  failed: ['error', 'charts.red'],
  // Greyed out, and not blocked's circle-slash: withdrawn work, not work that is stuck.
  cancelled: ['stop-circle', 'disabledForeground'],
};

function icon([id, color]: [string, string | undefined]): vscode.ThemeIcon {
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

export function runIcon(status: RunStatus, mismatch = false): vscode.ThemeIcon {
  return mismatch ? icon(['warning', 'list.warningForeground']) : icon(RUN_ICON[status] ?? ['circle-outline', undefined]);
}

/** Steps have a task's statuses but `cancelled`: one table for both. */
export function taskIcon(status: TaskStatus): vscode.ThemeIcon {
  return icon(TASK_ICON[status] ?? ['circle-outline', undefined]);
}
