// The status bar's warning when the open folders' runs take more than runboard.diskWarningMB on
// disk (archives included), offering to archive finished runs, the largest first.
import * as vscode from 'vscode';
import { formatBytes } from '../../../contract/taskText';
import { DISK_WARNING_SETTING, diskWarningBytes } from '../config';
import type { DiskUsage } from './diskUsage';

export const ARCHIVE_RUNS_COMMAND = 'runboard.archiveRuns';

export class DiskWarning implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('runboard.disk', vscode.StatusBarAlignment.Left, 9);
  private readonly disposables: vscode.Disposable[] = [];
  /** Whether the warning shows now (tests read it). */
  shown = false;

  constructor(private readonly usage: DiskUsage) {
    this.item.name = 'Runboard disk use';
    this.item.command = ARCHIVE_RUNS_COMMAND;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    this.disposables.push(
      usage.onDidChange(() => this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(DISK_WARNING_SETTING) && this.update()),
    );
    this.update();
  }

  private update(): void {
    const limit = diskWarningBytes();
    const total = this.usage.total;
    this.shown = limit > 0 && total > limit;
    if (!this.shown) {
      this.item.hide();
      return;
    }
    this.item.text = `$(warning) Runboard ${formatBytes(total)}`;
    this.item.tooltip = `The runs of the open folders take ${formatBytes(total)} on disk (${formatBytes(this.usage.archivedBytes)} of it archived), over runboard.diskWarningMB (${formatBytes(limit)}). Click to archive finished runs.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
