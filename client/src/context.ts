// The one object that owns the extension's parts for the window's life (rust-analyzer style):
// the server connection, the runs model, the views, the status item and every disposable.
// Commands are built from it; `dispose` undoes everything in reverse.
import * as vscode from 'vscode';
import { LogProblems } from './runs/logProblems';
import { TaskBoardPanels, TaskBoardViewProvider, BOARD_PANEL_TYPE, BOARD_VIEW_ID, type BoardDeps } from './board/taskBoard';
import { RunboardDocuments, SCHEME } from './virtualDocuments/runboardDocuments';
import { log } from './log';
import { BlackboardTreeProvider } from './runs/blackboardTree';
import { LeaseTokens } from './runs/leaseTokens';
import type { RunsNode } from './runs/runsTree';
import { RunsTreeProvider } from './runs/runsTree';
import { RunsModel } from './runs/runsModel';
import { RunSelection } from './runs/selection';
import { RunboardServer } from './server/runboardServer';
import type { TaskRef } from './runs/refs';
import { AttentionModel } from './attention/attentionModel';
import { notifyAttention } from './attention/attentionNotices';
import { attentionCountText } from './attention/attentionItems';
import { BoardPasswords, workspaceBoards } from './server/boardPasswords';
import { ServerStatusItem } from './server/statusItem';
import { RunPanels } from './webview/runPanels';
import { DiskUsage } from './disk/diskUsage';
import { DiskWarning } from './disk/diskWarning';
import { statsPanelKind, type StatsSession } from './stats/statsSession';
import { graphPanelKind, type GraphSession } from './graph/graphSession';
import type { RunPageDeps } from './webview/runPageSession';

export type NoticeLevel = 'info' | 'warning' | 'error';
export interface Notice {
  level: NoticeLevel;
  message: string;
  at: number;
  /** Its buttons (the tests press them as a person would). */
  actions: Record<string, () => unknown>;
}

const MAX_NOTICES = 100;

export class RunboardContext implements vscode.Disposable {
  readonly server: RunboardServer;
  readonly boardPasswords: BoardPasswords;
  readonly model: RunsModel;
  readonly selection: RunSelection;
  readonly leases: LeaseTokens;
  readonly documents: RunboardDocuments;
  readonly status: ServerStatusItem;
  readonly attention: AttentionModel;
  readonly runsTree: RunsTreeProvider;
  readonly runsView: vscode.TreeView<RunsNode>;
  readonly blackboardTree: BlackboardTreeProvider;
  readonly blackboardView: vscode.TreeView<unknown>;
  readonly boardView: TaskBoardViewProvider;
  readonly boardPanels: TaskBoardPanels;
  readonly statsPanels: RunPanels<StatsSession>;
  readonly diskUsage: DiskUsage;
  readonly diskWarning: DiskWarning;
  readonly graphPanels: RunPanels<GraphSession>;
  /** Every message shown to the user, newest last (the e2e tests read it). */
  readonly notices: Notice[] = [];
  readonly logProblems: LogProblems;
  private readonly disposables: vscode.Disposable[] = [];
  private titles: Map<string, string> | undefined;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.boardPasswords = new BoardPasswords(extension.secrets);
    this.server = this.own(
      new RunboardServer(
        extension.extensionPath,
        () => vscode.workspace.isTrusted,
        async () =>
          // An untrusted workspace connects to no database: no password goes to its server.
          vscode.workspace.isTrusted ? this.boardPasswords.serverEnv(await workspaceBoards()) : {},
      ),
    );
    this.model = this.own(new RunsModel(this.server));
    this.selection = this.own(new RunSelection(this.model));
    this.leases = new LeaseTokens(extension.workspaceState);
    this.documents = this.own(new RunboardDocuments(this.model));
    this.own(vscode.workspace.registerTextDocumentContentProvider(SCHEME, this.documents));
    this.status = this.own(new ServerStatusItem(this.server, this.model));
    this.logProblems = this.own(new LogProblems(this.server));
    this.own(this.model.onDidChangeRun((e) => void this.leases.prune(e.ref, e.run.tasks)));

    this.attention = this.own(new AttentionModel(this.server, this.model));
    this.diskUsage = this.own(new DiskUsage(this.server, this.model));
    this.diskWarning = this.own(new DiskWarning(this.diskUsage));
    this.runsTree = this.own(new RunsTreeProvider(this.model, this.server, this.leases, this.attention, this.diskUsage));
    this.runsView = this.own(vscode.window.createTreeView('runboard.runs', { treeDataProvider: this.runsTree, showCollapseAll: true }));
    // The activity bar's badge: how many things need the person.
    this.own(
      this.attention.onDidChange((items) => {
        this.runsView.badge = items.length > 0 ? { value: items.length, tooltip: attentionCountText(items.length) } : undefined;
      }),
    );
    this.own(notifyAttention((level, message, actions) => this.notify(level, message, actions), extension.workspaceState, this.attention));
    // Above the runs, when there are some (the welcome text says it when there are none): trust,
    // and the task filter in force (its key swaps the view's Filter button for Clear).
    const sayMessage = () => {
      const filter = this.runsTree.taskFilterText;
      const lines = [
        vscode.workspace.isTrusted ? '' : 'Read-only until you trust this workspace: runs can be viewed and replayed, not changed.',
        filter ? `Filtered: ${filter}` : '',
      ].filter(Boolean);
      this.runsView.message = lines.length > 0 ? lines.join(' ') : undefined;
      void vscode.commands.executeCommand('setContext', 'runboard.tasksFiltered', filter !== '');
    };
    sayMessage();
    this.own(vscode.workspace.onDidGrantWorkspaceTrust(sayMessage));
    this.own(this.runsTree.onDidChangeTaskFilter(sayMessage));
    this.own(
      this.runsView.onDidChangeSelection((e) => {
        const node = e.selection[0];
        if (node && 'ref' in node) this.selection.select({ root: node.ref.root, run_id: node.ref.run_id });
      }),
    );

    this.blackboardTree = this.own(new BlackboardTreeProvider(this.model, this.selection, this.leases));
    const bbView = vscode.window.createTreeView('runboard.blackboard', { treeDataProvider: this.blackboardTree });
    this.blackboardView = this.own(bbView);
    const describeBlackboard = () => {
      bbView.description = this.blackboardTree.describe();
      bbView.message = this.selection.current ? undefined : 'Select a run in the Runs view to see its blackboard.';
    };
    this.own(this.selection.onDidChange(describeBlackboard));
    this.own(this.model.onDidChangeStructure(describeBlackboard));
    describeBlackboard();

    const deps: BoardDeps = {
      extensionUri: extension.extensionUri,
      model: this.model,
      selection: this.selection,
      server: this.server,
      leases: this.leases,
    };
    this.boardView = this.own(new TaskBoardViewProvider(deps));
    this.own(vscode.window.registerWebviewViewProvider(BOARD_VIEW_ID, this.boardView));
    this.boardPanels = this.own(new TaskBoardPanels(deps));
    this.own(vscode.window.registerWebviewPanelSerializer(BOARD_PANEL_TYPE, this.boardPanels));
    const pageDeps: RunPageDeps = { model: this.model, server: this.server, revealTask: (ref) => this.revealTask(ref) };
    this.statsPanels = this.own(new RunPanels(extension.extensionUri, this.model, statsPanelKind(pageDeps)));
    this.graphPanels = this.own(new RunPanels(extension.extensionUri, this.model, graphPanelKind(pageDeps)));

    // Context keys for viewsWelcome and menus.
    const updateKeys = () => {
      void vscode.commands.executeCommand('setContext', 'runboard.serverState', this.server.state);
      void vscode.commands.executeCommand('setContext', 'runboard.noRuns', this.model.isLoaded() && this.model.allRuns().length === 0);
      void vscode.commands.executeCommand('setContext', 'runboard.noFolder', (vscode.workspace.workspaceFolders ?? []).length === 0);
    };
    this.own(this.server.onDidChangeState(updateKeys));
    this.own(this.model.onDidChangeStructure(updateKeys));
    updateKeys();
  }

  own<T extends vscode.Disposable>(d: T): T {
    this.disposables.push(d);
    return d;
  }

  /** The command's title from package.json ("Runboard: Create Run"). */
  commandTitle(id: string): string {
    if (!this.titles) {
      const cmds =
        (this.extension.extension.packageJSON as { contributes?: { commands?: { command: string; title: string; category?: string }[] } })
          .contributes?.commands ?? [];
      this.titles = new Map(cmds.map((c) => [c.command, c.category ? `${c.category}: ${c.title}` : c.title]));
    }
    return this.titles.get(id) ?? id;
  }

  /** Shows a non-modal message (never awaited: a toast stays until dismissed) and records it. */
  /**
   * Shows a task in the Runs tree, selected and focused. A task the tree's filter hides was asked
   * for by name: the filter is cleared (the status bar says so) rather than the reveal doing nothing.
   */
  async revealTask(ref: TaskRef): Promise<void> {
    const task = this.model.task(ref);
    const filter = this.runsTree.taskFilterText;
    if (task && filter && this.runsTree.hidesTask(task)) {
      this.runsTree.setTaskFilter('');
      vscode.window.setStatusBarMessage(`Runboard: task filter "${filter}" cleared to show ${ref.task_id}`, 5000);
    }
    const node = await this.runsTree.taskNode(ref);
    if (node) await this.runsView.reveal(node, { select: true, focus: true, expand: true });
  }

  notify(level: NoticeLevel, message: string, actions: Record<string, () => unknown> = {}): void {
    this.notices.push({ level, message, at: Date.now(), actions });
    if (this.notices.length > MAX_NOTICES) this.notices.shift();
    const show =
      level === 'error'
        ? vscode.window.showErrorMessage
        : level === 'warning'
          ? vscode.window.showWarningMessage
          : vscode.window.showInformationMessage;
    void show(message, ...Object.keys(actions)).then((choice) => {
      if (choice) void Promise.resolve(actions[choice]()).catch((e) => log().error(String(e)));
    });
  }

  notifyServerDown(what: string): void {
    const reason = this.server.stoppedReason ? ` ${this.server.stoppedReason}` : '';
    this.notify('error', `Runboard server is not running — ${what} is unavailable.${reason}`, {
      Restart: () => vscode.commands.executeCommand('runboard.restartServer'),
      'Open Logs': () => vscode.commands.executeCommand('runboard.openLogs'),
    });
  }

  /** Resolves when the server runs and the model has loaded and settled (tests, slow starts). */
  async ready(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.server.state !== 'running' || !this.model.isLoaded()) {
      if (Date.now() > deadline) throw new Error(`Runboard not ready after ${timeoutMs} ms (server ${this.server.state})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.model.whenIdle();
  }

  dispose(): void {
    for (const d of this.disposables.reverse()) {
      try {
        d.dispose();
      } catch (e) {
        log().warn(`dispose: ${(e as Error).message}`);
      }
    }
    this.disposables.length = 0;
  }
}
