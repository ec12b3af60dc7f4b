// Editor-tab webviews that each show one run (the stats panel, the dependency graph): one panel
// per run and kind — opening it again reveals it —, restored after a reload by a serializer from
// the run the page saved in its state, titled after the run's objective.
import * as vscode from 'vscode';
import { firstLine } from '../../../contract/taskText';
import { runKey, type RunRef } from '../runs/refs';
import type { RunsModel } from '../runs/runsModel';
import type { RunPageState } from './pageProtocol';
import { webviewHtml, webviewOptions, type WebviewPage } from './webviewShell';

export interface RunPanelKind<S extends vscode.Disposable> {
  viewType: string;
  page: WebviewPage;
  /** The tab's title before the run's objective: "Stats", "Graph". */
  titlePrefix: string;
  session(webview: vscode.Webview, ref: RunRef | undefined): S;
}

export class RunPanels<S extends vscode.Disposable> implements vscode.WebviewPanelSerializer<RunPageState>, vscode.Disposable {
  /** Open panels by run (tests read their sessions). */
  readonly open = new Map<string, { panel: vscode.WebviewPanel; session: S }>();
  private readonly serializer: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly model: RunsModel,
    private readonly kind: RunPanelKind<S>,
  ) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(kind.viewType, this);
  }

  show(ref: RunRef): S {
    const existing = this.open.get(runKey(ref));
    if (existing) {
      existing.panel.reveal();
      return existing.session;
    }
    const panel = vscode.window.createWebviewPanel(
      this.kind.viewType,
      this.title(ref),
      vscode.ViewColumn.Active,
      webviewOptions(this.extensionUri),
    );
    return this.attach(panel, ref);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: RunPageState | undefined): Promise<void> {
    const ref = state?.run_id ? this.model.resolve({ root: state.root ?? '', run_id: state.run_id }) : undefined;
    panel.webview.options = webviewOptions(this.extensionUri);
    this.attach(panel, ref);
  }

  private title(ref: RunRef | undefined): string {
    const entry = ref && this.model.get(ref);
    return `${this.kind.titlePrefix}: ${entry ? firstLine(entry.run.objective, 40) || entry.run.run_id : (ref?.run_id ?? 'no run')}`;
  }

  private attach(panel: vscode.WebviewPanel, ref: RunRef | undefined): S {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, this.kind.page);
    const session = this.kind.session(panel.webview, ref);
    const key = ref ? runKey(ref) : `panel:${Math.random()}`;
    this.open.set(key, { panel, session });
    const retitle = () => (panel.title = this.title(ref));
    retitle();
    const watches = [this.model.onDidChangeStructure(retitle)];
    panel.onDidDispose(() => {
      for (const w of watches) w.dispose();
      session.dispose();
      this.open.delete(key);
    });
    return session;
  }

  dispose(): void {
    this.serializer.dispose();
    for (const { panel } of this.open.values()) panel.dispose();
  }
}
