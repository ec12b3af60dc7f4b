// The task board: a webview view in the Runboard container (following the Runs tree's
// selection) and, on demand, editor-tab panels pinned to one run that survive reloads through a
// serializer. Each webview gets a BoardSession: it renders the model as cards and turns card
// actions into the same commands the tree uses. The filter box's text comes here and is applied
// here (boardFilter.ts, contract/taskFilter.ts): the webview only sends it and shows the result.
import * as vscode from 'vscode';
import type { RunRecord, Task } from '../../../contract/schemas/records';
import type { LeaseTokens } from '../runs/leaseTokens';
import { runKey, type RunRef } from '../runs/refs';
import type { RunsModel } from '../runs/runsModel';
import type { RunSelection } from '../runs/selection';
import { offeredActions, TASK_ACTION_COMMAND, waitTexts } from '../runs/taskActions';
import { cancelledText, firstLine, taskTitle, worktreeText } from '../../../contract/taskText';
import type { RunboardServer } from '../server/runboardServer';
import { NO_TASK_FILTER, readTaskFilter, type TypedTaskFilter } from '../runs/typedTaskFilter';
import { webviewHtml, webviewOptions, type WebviewPage } from '../webview/webviewShell';
import { runHeadOf } from '../webview/runPageSession';
import { filterBoard } from './boardFilter';
import type { BoardAction, BoardModel, BoardState, CardModel, FromBoard, ToBoard } from './boardProtocol';

export const BOARD_VIEW_ID = 'runboard.board';
export const BOARD_PANEL_TYPE = 'runboard.boardPanel';
const BOARD_PAGE: WebviewPage = { title: 'Task board', script: 'board.js', styles: ['board.css'] };

const ACTION_COMMAND: Record<BoardAction, string> = { ...TASK_ACTION_COMMAND, details: 'runboard.openTaskDetails' };

export interface BoardDeps {
  extensionUri: vscode.Uri;
  model: RunsModel;
  selection: RunSelection;
  server: RunboardServer;
  leases: LeaseTokens;
}

export class BoardSession implements vscode.Disposable {
  private pinned: RunRef | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  /** The filter box's text, kept here across live updates and runs (and in the webview's state across reloads). */
  private filter: TypedTaskFilter = NO_TASK_FILTER;
  /** The last model posted (tests read it). */
  last: BoardModel | undefined;

  constructor(
    readonly webview: vscode.Webview,
    private readonly deps: BoardDeps,
    private readonly mode: 'view' | 'panel',
    initial?: RunRef,
    /** Told before the board shows another run; false keeps the run it shows. */
    private readonly onRunChanged?: (ref: RunRef | undefined) => boolean,
  ) {
    this.pinned = initial;
    webview.options = webviewOptions(deps.extensionUri);
    webview.html = webviewHtml(webview, deps.extensionUri, BOARD_PAGE);
    this.disposables.push(
      webview.onDidReceiveMessage((m: FromBoard) => void this.onMessage(m)),
      deps.model.onDidChangeRun((e) => {
        const cur = this.current();
        if (cur && runKey(cur) === runKey(e.ref)) this.post();
      }),
      deps.model.onDidChangeStructure(() => this.post()),
      deps.server.onDidChangeState(() => this.post()),
      deps.selection.onDidChange(() => this.post()),
      deps.selection.onDidSelect(() => {
        // The view follows what the user selects in the Runs tree, dropping a run picked on the board.
        if (this.mode === 'view') {
          this.pinned = undefined;
          this.post();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.post()),
    );
  }

  current(): RunRef | undefined {
    if (this.pinned && this.deps.model.get(this.pinned)) return this.pinned;
    if (this.mode === 'panel') return this.pinned;
    return this.deps.selection.current;
  }

  show(ref: RunRef | undefined): void {
    if (this.onRunChanged && !this.onRunChanged(ref)) return;
    this.pinned = ref;
    this.post();
  }

  /** A message of the webview (tests send them as the webview would). */
  async onMessage(m: FromBoard): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (m.state?.run_id && m.state.root !== undefined && !this.pinned) this.pinned = { root: m.state.root, run_id: m.state.run_id };
        // A webview rebuilt after hide/show or a reload brings back the text its box had.
        if (typeof m.state?.filter === 'string' && this.filter.text === '') this.filter = readTaskFilter(m.state.filter);
        this.post();
        return;
      case 'filter':
        this.filter = readTaskFilter(typeof m.text === 'string' ? m.text : '');
        this.post();
        return;
      case 'action':
        await vscode.commands.executeCommand(ACTION_COMMAND[m.action], { root: m.root, run_id: m.run_id, task_id: m.task_id });
        return;
      case 'pickRun': {
        const picked = await vscode.commands.executeCommand<RunRef | undefined>('runboard.pickRun');
        if (picked) this.show(picked);
        return;
      }
      case 'openInEditor':
        await vscode.commands.executeCommand('runboard.openBoard', this.current());
        return;
      case 'restartServer':
        await vscode.commands.executeCommand('runboard.restartServer');
        return;
    }
  }

  post(): void {
    if (!this.ready) return;
    const model = this.build();
    this.last = model;
    void this.webview.postMessage(model satisfies ToBoard);
  }

  private build(): BoardModel {
    const ref = this.current();
    const entry = ref && this.deps.model.get(ref);
    const base = {
      type: 'board' as const,
      trusted: vscode.workspace.isTrusted,
      serverRunning: this.deps.server.state === 'running',
      sentAt: Date.now(),
      pinned: this.mode === 'panel',
    };
    if (!ref || !entry) return { ...base, run: null, tasks: [], filter: filterBoard([], this.filter).filter };
    const run = entry.run;
    const now = Date.now();
    const writable = base.trusted && base.serverRunning;
    const { shown, filter } = filterBoard(run.tasks, this.filter);
    return {
      ...base,
      run: { ...runHeadOf(ref, run), status: run.status },
      tasks: shown.map((t) => this.card(ref, run, t, now, writable)),
      filter,
    };
  }

  private card(ref: RunRef, run: RunRecord, t: Task, now: number, writable: boolean): CardModel {
    const taskRef = { ...ref, task_id: t.id };
    return {
      id: t.id,
      title: taskTitle(t),
      task_type: t.task_type,
      status: t.status,
      priority: t.priority,
      attempt: t.attempt,
      max_attempts: t.max_attempts,
      lease_owner: t.lease_owner,
      lease_expires_at_ms: t.lease_expires_at_ms,
      mine: this.deps.leases.holds(taskRef, t),
      // Writes are refused without trust or a server: only details then.
      actions: [...(writable ? offeredActions(run, t, taskRef, this.deps.leases, now) : []), 'details'],
      last_error: t.last_error,
      result: t.result,
      depends_on: t.depends_on_task_ids,
      // A task in progress shows its holder and countdown instead; a cancelled one who cancelled it, when, with what and why.
      waits: t.status === 'in_progress' ? [] : t.cancelled ? [cancelledText(t.cancelled)] : waitTexts(run, t, now),
      ...(t.worktree ? { worktree: worktreeText(t) } : {}),
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The board in the Runboard view container. */
export class TaskBoardViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  session: BoardSession | undefined;
  constructor(private readonly deps: BoardDeps) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.session?.dispose();
    const session = new BoardSession(view.webview, this.deps, 'view');
    this.session = session;
    view.onDidDispose(() => {
      session.dispose();
      if (this.session === session) this.session = undefined;
    });
  }

  dispose(): void {
    this.session?.dispose();
  }
}

/** Editor-tab boards, one per run, restored after a reload by the serializer. */
export class TaskBoardPanels implements vscode.WebviewPanelSerializer<BoardState>, vscode.Disposable {
  readonly sessions = new Map<string, { panel: vscode.WebviewPanel; session: BoardSession }>();
  constructor(private readonly deps: BoardDeps) {}

  open(ref: RunRef): vscode.WebviewPanel {
    const existing = this.sessions.get(runKey(ref));
    if (existing) {
      existing.panel.reveal();
      return existing.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      BOARD_PANEL_TYPE,
      this.title(ref),
      vscode.ViewColumn.Active,
      webviewOptions(this.deps.extensionUri),
    );
    this.attach(panel, ref);
    return panel;
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: BoardState | undefined): Promise<void> {
    const ref = state?.run_id ? { root: state.root ?? '', run_id: state.run_id } : undefined;
    this.attach(panel, ref ? this.deps.model.resolve(ref) : undefined);
  }

  private title(ref: RunRef | undefined): string {
    const e = ref && this.deps.model.get(ref);
    return e ? `Board: ${firstLine(e.run.objective, 40) || e.run.run_id}` : 'Task board';
  }

  /**
   * A panel is keyed by the run it shows, so opening that run reveals it. When it is switched to
   * another run ("Show another run"), its key and title follow; a run another panel already shows
   * is revealed there instead. The title follows the run's objective, which a panel restored after
   * a reload learns only once the runs are loaded.
   */
  private attach(panel: vscode.WebviewPanel, ref: RunRef | undefined): void {
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'icon.png');
    panel.title = this.title(ref);
    let key = ref ? runKey(ref) : `panel:${Math.random()}`;
    const switchTo = (next: RunRef | undefined): boolean => {
      const nextKey = next ? runKey(next) : key;
      if (nextKey === key) return true;
      const other = this.sessions.get(nextKey);
      if (other) {
        other.panel.reveal();
        return false;
      }
      this.sessions.delete(key);
      key = nextKey;
      this.sessions.set(key, entry);
      panel.title = this.title(next);
      return true;
    };
    const entry = { panel, session: new BoardSession(panel.webview, this.deps, 'panel', ref, switchTo) };
    this.sessions.set(key, entry);
    const retitle = () => (panel.title = this.title(entry.session.current()));
    const watches = [this.deps.model.onDidChangeStructure(retitle), this.deps.model.onDidChangeRun(retitle)];
    panel.onDidDispose(() => {
      for (const w of watches) w.dispose();
      entry.session.dispose();
      this.sessions.delete(key);
    });
  }

  dispose(): void {
    for (const { panel } of this.sessions.values()) panel.dispose();
  }
}
