// The health status item (rust-analyzer style): ok / warning / stopped, `$(loading~spin)` while
// starting, and a tooltip with the details and command links (Open Logs, Restart). Its text
// counts active runs, tasks in progress and leases about to expire.
import * as vscode from 'vscode';
import type { DiagnosticNotificationParams } from '../../../server/src/protocol';
import { SHOW_VIEW_COMMAND } from '../config';
import type { RunsModel } from '../runs/runsModel';
import { isActiveRun } from '../../../contract/runRules';
import type { RunboardServer } from './runboardServer';

export type Health = 'starting' | 'ok' | 'warning' | 'stopped';

/** A lease with less than this left counts as "about to expire". */
const EXPIRING_MS = 10_000;
const TICK_MS = 2000;
const MAX_DIAGNOSTICS = 5;

export interface StatusCounts {
  activeRuns: number;
  inProgress: number;
  expiring: number;
}

export class ServerStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('runboard.status', vscode.StatusBarAlignment.Left, 10);
  private readonly diagnostics: DiagnosticNotificationParams[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly ticker: NodeJS.Timeout;
  private _health: Health = 'starting';

  constructor(
    private readonly server: RunboardServer,
    private readonly model: RunsModel,
  ) {
    this.item.name = 'Runboard';
    this.disposables.push(
      server.onDidChangeState((s) => {
        if (s === 'starting') this.diagnostics.length = 0;
        this.update();
      }),
      server.onDiagnostic((d) => {
        this.diagnostics.push(d);
        if (this.diagnostics.length > MAX_DIAGNOSTICS) this.diagnostics.shift();
        this.update();
      }),
      model.onDidChangeRun(() => this.update()),
      model.onDidChangeStructure(() => this.update()),
    );
    this.ticker = setInterval(() => this.update(), TICK_MS);
    this.update();
    this.item.show();
  }

  /** A failure the server could not turn into a domain error (e.g. it cannot lock run files). */
  noteProblem(message: string): void {
    this.diagnostics.push({ file: '', message });
    if (this.diagnostics.length > MAX_DIAGNOSTICS) this.diagnostics.shift();
    this.update();
  }

  get health(): Health {
    return this._health;
  }
  get text(): string {
    return this.item.text;
  }

  counts(now = Date.now()): StatusCounts {
    let activeRuns = 0;
    let inProgress = 0;
    let expiring = 0;
    for (const { run } of this.model.allRuns()) {
      if (isActiveRun(run.status)) activeRuns++;
      for (const t of run.tasks) {
        if (t.status !== 'in_progress') continue;
        inProgress++;
        if (t.lease_expires_at_ms !== undefined && t.lease_expires_at_ms - now < EXPIRING_MS) expiring++;
      }
    }
    return { activeRuns, inProgress, expiring };
  }

  update(): void {
    const state = this.server.state;
    const warning = this.diagnostics.length ? this.diagnostics.at(-1)!.message : undefined;
    this._health = state === 'starting' ? 'starting' : state === 'stopped' ? 'stopped' : warning ? 'warning' : 'ok';
    const c = this.counts();
    const summary = `${c.activeRuns} active · ${c.inProgress} in progress${c.expiring ? ` · $(watch) ${c.expiring} expiring` : ''}`;
    switch (this._health) {
      case 'starting':
        this.item.text = '$(loading~spin) Runboard';
        this.item.backgroundColor = undefined;
        this.item.command = 'runboard.openLogs';
        break;
      case 'stopped':
        this.item.text = '$(circle-slash) Runboard stopped';
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        this.item.command = 'runboard.restartServer';
        break;
      case 'warning':
        this.item.text = `$(warning) ${summary}`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        this.item.command = 'runboard.openLogs';
        break;
      case 'ok':
        this.item.text = `$(checklist) ${summary}`;
        this.item.backgroundColor = undefined;
        this.item.command = SHOW_VIEW_COMMAND;
        break;
    }
    this.item.tooltip = this.tooltip(c, warning);
  }

  private tooltip(c: StatusCounts, warning: string | undefined): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    const headline: Record<Health, string> = {
      starting: '$(loading~spin) Runboard server is starting…',
      ok: '$(pass) Runboard server is running',
      warning: '$(warning) Runboard server is running with warnings',
      stopped: '$(error) Runboard server is not running',
    };
    md.appendMarkdown(`${headline[this._health]}\n\n`);
    if (this._health !== 'stopped' && this._health !== 'starting') {
      md.appendText(
        `${c.activeRuns} active runs, ${c.inProgress} tasks in progress, ${c.expiring} leases expiring within ${EXPIRING_MS / 1000}s\n\n`,
      );
    }
    if (this.server.runtime) md.appendText(`Runtime: ${this.server.runtime.description}\n\n`);
    if (this._health === 'stopped') {
      if (this.server.stoppedReason) md.appendText(`${this.server.stoppedReason}\n\n`);
      const stderr = this.server.recentStderr.slice(-3);
      if (stderr.length) md.appendMarkdown('Server said:\n').appendCodeblock(stderr.join('\n'), 'text').appendMarkdown('\n');
    } else if (warning) {
      md.appendMarkdown('$(warning) ').appendText(`${warning}\n\n`);
      // A server that cannot lock run files says why on stderr at its first write.
      const stderr = this.server.recentStderr.slice(-3);
      if (stderr.length) md.appendMarkdown('Server said:\n').appendCodeblock(stderr.join('\n'), 'text').appendMarkdown('\n');
    }
    md.appendMarkdown('[Open Logs](command:runboard.openLogs) · [Restart](command:runboard.restartServer)');
    md.isTrusted = { enabledCommands: ['runboard.openLogs', 'runboard.restartServer'] };
    return md;
  }

  dispose(): void {
    clearInterval(this.ticker);
    for (const d of this.disposables) d.dispose();
    this.item.dispose();
  }
}
