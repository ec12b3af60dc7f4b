// The server's diagnostics about run files — a damaged log line, a torn line, an unreadable cache
// or checkpoint — in the Problems view, at the file and line they name: a damaged run is then seen
// where people look for problems, and a click opens the line. A repair of a run clears its log's.
import * as vscode from 'vscode';
import { EVENT } from '../../../contract/events';
import type { DiagnosticNotificationParams, EventsNotificationParams } from '../../../server/src/protocol';
import type { RunboardServer } from '../server/runboardServer';

export class LogProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('runboard');
  /** Per run, the files its line diagnostics named: only a log's lines are reported, so these are its log. */
  private readonly logsOf = new Map<string, Set<string>>();
  private readonly disposables: vscode.Disposable[];

  constructor(server: RunboardServer) {
    this.disposables = [
      this.collection,
      server.onDiagnostic((d) => this.add(d)),
      server.onEvents((p) => this.onEvents(p)),
      // A restarted server reports again what it still finds.
      server.onDidStart(() => {
        this.collection.clear();
        this.logsOf.clear();
      }),
    ];
  }

  private add(d: DiagnosticNotificationParams): void {
    const uri = vscode.Uri.file(d.file);
    const line = Math.max(0, (d.line ?? 1) - 1);
    const existing = this.collection.get(uri) ?? [];
    if (existing.some((x) => x.range.start.line === line && x.message === d.message)) return;
    const problem = new vscode.Diagnostic(
      new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
      d.message,
      vscode.DiagnosticSeverity.Warning,
    );
    problem.source = 'Runboard';
    this.collection.set(uri, [...existing, problem]);
    if (d.run_id !== undefined && d.line !== undefined) {
      const logs = this.logsOf.get(d.run_id) ?? new Set<string>();
      this.logsOf.set(d.run_id, logs.add(uri.toString()));
    }
  }

  private onEvents(p: EventsNotificationParams): void {
    for (const e of p.events) {
      if (e.type !== EVENT.logRepaired) continue;
      for (const uri of this.logsOf.get(e.run_id) ?? []) this.collection.delete(vscode.Uri.parse(uri));
      this.logsOf.delete(e.run_id);
    }
  }

  /** The problems shown for a file (tests read them). */
  problems(file: string): readonly vscode.Diagnostic[] {
    return this.collection.get(vscode.Uri.file(file)) ?? [];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
