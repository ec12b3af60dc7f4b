// The task board: a webview view in the Runboard container (following the Runs tree's
// selection) and, on demand, editor-tab panels pinned to one run that survive reloads through a
// serializer. Each webview gets a BoardSession: it renders the model as cards and turns card
// actions into the same commands the tree uses.
import * as vscode from 'vscode';
import type { Task } from '../../../server/src/engine/model';
import type { LeaseTokens } from '../runs/leaseTokens';
import { runKey, type RunRef } from '../runs/refs';
import type { RunsModel } from '../runs/runsModel';
import type { RunSelection } from '../runs/selection';
import { firstLine, isTerminalRun, taskTitle, waitReasons } from '../runs/taskText';
import type { RunboardServer } from '../server/runboardServer';
import { boardHtml, boardResourceRoots } from './boardHtml';
import type { BoardAction, BoardModel, BoardState, CardModel, FromBoard, ToBoard } from './boardProtocol';

export const BOARD_VIEW_ID = 'runboard.board';
export const BOARD_PANEL_TYPE = 'runboard.boardPanel';

const ACTION_COMMAND: Record<BoardAction, string> = {
  claim: 'runboard.claimTask',
  heartbeat: 'runboard.heartbeatTask',
  complete: 'runboard.completeTask',
  fail: 'runboard.failTask',
  release: 'runboard.releaseTask',
  retry: 'runboard.retryTask',
  requeue: 'runboard.requeueTask',
  details: 'runboard.openTaskDetails',
};

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
  /** The last model posted (tests read it). */
  last: BoardModel | undefined;

  constructor(
    readonly webview: vscode.Webview,
    private readonly deps: BoardDeps,
    private readonly mode: 'view' | 'panel',
    initial?: RunRef,
    private readonly onRunChanged?: (ref: RunRef | undefined) => void,
  ) {
    this.pinned = initial;
    webview.options = { enableScripts: true, localResourceRoots: boardResourceRoots(deps.extensionUri) };
    webview.html = boardHtml(webview, deps.extensionUri);
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
    this.pinned = ref;
    this.onRunChanged?.(ref);
    this.post();
  }

  private async onMessage(m: FromBoard): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (m.state?.run_id && m.state.root !== undefined && !this.pinned) this.pinned = { root: m.state.root, run_id: m.state.run_id };
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
    if (!ref || !entry) return { ...base, run: null, tasks: [] };
    const run = entry.run;
    const byId = new Map(run.tasks.map((t) => [t.id, t]));
    const now = Date.now();
    return {
      ...base,
      run: { root: ref.root, run_id: run.run_id, objective: firstLine(run.objective, 200), status: run.status, terminal: isTerminalRun(run.status) },
      tasks: run.tasks.map((t) => this.card(ref, t, byId, now)),
    };
  }

  private card(ref: RunRef, t: Task, byId: Map<string, Task>, now: number): CardModel {
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
      mine: this.deps.leases.holds({ ...ref, task_id: t.id }, t),
      last_error: t.last_error,
      depends_on: t.depends_on_task_ids,
      waits: t.status === 'in_progress' ? [] : waitReasons(t, byId, now),
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
    const panel = vscode.window.createWebviewPanel(BOARD_PANEL_TYPE, this.title(ref), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: boardResourceRoots(this.deps.extensionUri),
    });
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

  private attach(panel: vscode.WebviewPanel, ref: RunRef | undefined): void {
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'icon.png');
    panel.title = this.title(ref);
    const session = new BoardSession(panel.webview, this.deps, 'panel', ref);
    const key = ref ? runKey(ref) : `panel:${Math.random()}`;
    this.sessions.set(key, { panel, session });
    panel.onDidDispose(() => {
      session.dispose();
      this.sessions.delete(key);
    });
  }

  dispose(): void {
    for (const { panel } of this.sessions.values()) panel.dispose();
  }
}
