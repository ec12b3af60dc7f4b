// The Runs tree: folder (multi-root only) → run → Steps / Tasks by status / Checkpoints.
// Nodes are cached by id so `onDidChangeTreeData.fire(node)` refreshes exactly the run that
// changed; `contextValue` (run.<status>[.bound][.mismatch];<action>;… — runActions.ts, task.<status>;<action>;… — taskActions.ts)
// drives the view/item/context menus in package.json. A task filter (Filter Tasks…, read by
// typedTaskFilter.ts) leaves under each run only the tasks that match, and the status groups that
// hold some; a run without any stays, saying so.
import { runStatusText, statusReasonShown } from '../../../contract/runRules';
import * as vscode from 'vscode';
import type { Step, Task } from '../../../contract/schemas/records';
import type { CheckpointSummary } from '../../../contract/results';
import { Requests } from '../../../server/src/protocol';
import type { RunboardServer } from '../server/runboardServer';
import { runIcon, taskIcon } from './icons';
import type { LeaseTokens } from './leaseTokens';
import { runKey, type RunRef, type TaskRef } from './refs';
import type { RunEntry, RunsModel } from './runsModel';
import {
  cancelledText,
  firstLine,
  taskDescription,
  taskTitle,
  TASK_STATUS_ORDER,
  attemptText,
  leaseText,
  formatBytes,
  worktreeText,
} from '../../../contract/taskText';
import { offeredActions, taskContextValue, waitTexts } from './taskActions';
import { runContextValue } from './runActions';
import { isFiltering, NO_TASK_FILTER, readTaskFilter, showsTask, type TypedTaskFilter } from './typedTaskFilter';
import type { AttentionItem } from '../../../contract/attention';
import type { AttentionModel } from '../attention/attentionModel';
import type { DiskUsage } from '../disk/diskUsage';
import { attentionCountText, attentionTreeItem } from '../attention/attentionItems';
import { isFinishedTask, isTerminal, TASK_STATUS_LABEL } from '../../../contract/statuses';
import type { TaskStatus } from '../../../contract/statuses';

export type RunsNode =
  | { kind: 'folder'; id: string; root: string }
  | { kind: 'run'; id: string; ref: RunRef }
  | { kind: 'steps' | 'tasks' | 'checkpoints'; id: string; ref: RunRef; parent: RunsNode }
  | { kind: 'taskStatus'; id: string; ref: RunRef; status: TaskStatus; parent: RunsNode }
  | { kind: 'step'; id: string; ref: RunRef; step: Step; parent: RunsNode }
  | { kind: 'task'; id: string; ref: TaskRef; parent: RunsNode }
  | { kind: 'checkpoint'; id: string; ref: RunRef; checkpoint: CheckpointSummary; parent: RunsNode }
  | { kind: 'message'; id: string; text: string; parent?: RunsNode }
  | { kind: 'attention'; id: string }
  | { kind: 'attentionItem'; id: string; item: AttentionItem; parent: RunsNode };

const COUNTDOWN_TICK_MS = 5000;

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly nodes = new Map<string, RunsNode>();
  private readonly emitter = new vscode.EventEmitter<RunsNode | undefined>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly ticker: NodeJS.Timeout;
  private taskFilter: TypedTaskFilter = NO_TASK_FILTER;
  private readonly filterEmitter = new vscode.EventEmitter<string>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** The task filter changed (its text; empty: none). */
  readonly onDidChangeTaskFilter = this.filterEmitter.event;

  constructor(
    private readonly model: RunsModel,
    private readonly server: RunboardServer,
    private readonly leases: LeaseTokens,
    private readonly attention: AttentionModel,
    private readonly disk: DiskUsage,
  ) {
    this.disposables.push(
      attention.onDidChange(() => this.refresh()),
      model.onDidChangeStructure(() => this.refresh()),
      model.onDidChangeRun((e) => this.refreshRun(e.ref)),
    );
    // Lease countdowns in descriptions: refresh runs that have leased tasks, every few seconds.
    this.ticker = setInterval(() => {
      for (const e of model.allRuns()) if (e.run.tasks.some((t) => t.lease_expires_at_ms !== undefined)) this.refreshRun(e.ref);
    }, COUNTDOWN_TICK_MS);
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  /** Partial refresh: the run's node and its children. */
  refreshRun(ref: RunRef): void {
    const node = this.nodes.get(`run:${runKey(ref)}`);
    if (node) this.emitter.fire(node);
    else this.emitter.fire(undefined);
  }

  /** The task filter's text; empty while the tree shows every task. */
  get taskFilterText(): string {
    return isFiltering(this.taskFilter) ? this.taskFilter.text : '';
  }

  /** Shows only the tasks matching `text` (blank: every task). A text that is no filter throws why, changing nothing. */
  setTaskFilter(text: string): void {
    const typed = readTaskFilter(text.trim());
    if (typed.error !== undefined) throw new Error(typed.error);
    if (typed.text === this.taskFilterText) return;
    this.taskFilter = typed;
    this.filterEmitter.fire(this.taskFilterText);
    this.refresh();
  }

  /** Whether the task filter hides this task. */
  hidesTask(task: Task): boolean {
    return !showsTask(this.taskFilter, task);
  }

  /** The tasks of a run the tree shows. */
  private shownTasks(ref: RunRef): Task[] {
    return (this.model.get(ref)?.run.tasks ?? []).filter((t) => showsTask(this.taskFilter, t));
  }

  /** A task's node, made as the tree would make it on the way down to it (for reveal). */
  async taskNode(ref: TaskRef): Promise<RunsNode | undefined> {
    const top = await this.getChildren();
    const folder = top.find((n) => n.kind === 'folder' && n.root === ref.root);
    const runs = folder ? await this.getChildren(folder) : top;
    const run = runs.find((n) => n.kind === 'run' && n.ref.run_id === ref.run_id && n.ref.root === ref.root);
    const tasks = run && (await this.getChildren(run)).find((n) => n.kind === 'tasks');
    for (const group of tasks ? await this.getChildren(tasks) : []) {
      const found = (await this.getChildren(group)).find((n) => n.kind === 'task' && n.ref.task_id === ref.task_id);
      if (found) return found;
    }
    return undefined;
  }

  /** The cached node of a run (for reveal and tests). */
  runNode(ref: RunRef): RunsNode | undefined {
    return this.nodes.get(`run:${runKey(ref)}`);
  }

  private node<T extends RunsNode>(make: T): T {
    const existing = this.nodes.get(make.id) as T | undefined;
    if (existing) {
      Object.assign(existing, make);
      return existing;
    }
    this.nodes.set(make.id, make);
    return make;
  }

  getParent(n: RunsNode): RunsNode | undefined {
    if (n.kind === 'folder' || n.kind === 'attention') return undefined;
    if (n.kind === 'run') return this.model.folders().length > 1 ? this.nodes.get(`folder:${n.ref.root}`) : undefined;
    return n.parent;
  }

  async getChildren(n?: RunsNode): Promise<RunsNode[]> {
    if (!n) {
      if (this.server.state !== 'running' && this.model.allRuns().length === 0) return [];
      // What needs the person, on top, while anything does.
      const top: RunsNode[] = this.attention.items.length > 0 ? [this.node({ kind: 'attention', id: 'attention' })] : [];
      const folders = this.model.folders();
      if (folders.length > 1)
        return [...top, ...folders.map((f) => this.node({ kind: 'folder', id: `folder:${f.uri.fsPath}`, root: f.uri.fsPath }))];
      return [...top, ...(folders.length === 1 ? this.runsOf(folders[0].uri.fsPath) : [])];
    }
    switch (n.kind) {
      case 'attention':
        return this.attention.items.map((item) => this.node({ kind: 'attentionItem', id: `attention:${item.key}`, item, parent: n }));
      case 'folder':
        return this.runsOf(n.root);
      case 'run':
        return (['steps', 'tasks', 'checkpoints'] as const).map((kind) =>
          this.node({ kind, id: `${kind}:${runKey(n.ref)}`, ref: n.ref, parent: n }),
        );
      case 'steps':
        return (this.model.get(n.ref)?.run.steps ?? []).map((step) =>
          this.node({ kind: 'step', id: `step:${runKey(n.ref)}:${step.step_id}`, ref: n.ref, step, parent: n }),
        );
      case 'tasks': {
        const tasks = this.shownTasks(n.ref);
        return TASK_STATUS_ORDER.filter((s) => tasks.some((t) => t.status === s)).map((status) =>
          this.node({ kind: 'taskStatus', id: `status:${runKey(n.ref)}:${status}`, ref: n.ref, status, parent: n }),
        );
      }
      case 'taskStatus': {
        const tasks = this.shownTasks(n.ref)
          .filter((t) => t.status === n.status)
          .sort((a, b) => b.priority - a.priority || a.created_ts - b.created_ts);
        return tasks.map((t) =>
          this.node({ kind: 'task', id: `task:${runKey(n.ref)}:${t.id}`, ref: { ...n.ref, task_id: t.id }, parent: n }),
        );
      }
      case 'checkpoints': {
        try {
          const { checkpoints } = await this.server.request(Requests.listCheckpoints, { root: n.ref.root, run_id: n.ref.run_id });
          return checkpoints
            .slice()
            .reverse()
            .map((checkpoint) =>
              this.node({
                kind: 'checkpoint',
                id: `checkpoint:${runKey(n.ref)}:${checkpoint.checkpoint_id}`,
                ref: n.ref,
                checkpoint,
                parent: n,
              }),
            );
        } catch (e) {
          return [this.node({ kind: 'message', id: `msg:${n.id}`, text: (e as Error).message, parent: n })];
        }
      }
      default:
        return [];
    }
  }

  private runsOf(root: string): RunsNode[] {
    const err = this.model.rootError(root);
    if (err) return [this.node({ kind: 'message', id: `msg:folder:${root}`, text: err })];
    return this.model.runs(root).map((e) => this.node({ kind: 'run', id: `run:${runKey(e.ref)}`, ref: e.ref }));
  }

  getTreeItem(n: RunsNode): vscode.TreeItem {
    switch (n.kind) {
      case 'folder':
        return this.folderItem(n);
      case 'run':
        return this.runItem(n, this.model.get(n.ref));
      case 'steps':
      case 'tasks':
      case 'checkpoints':
        return this.groupItem(n);
      case 'taskStatus': {
        const count = this.shownTasks(n.ref).filter((t) => t.status === n.status).length;
        const expanded = n.status === 'in_progress' || n.status === 'runnable' || n.status === 'pending';
        const item = new vscode.TreeItem(
          TASK_STATUS_LABEL[n.status],
          expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
        );
        item.id = n.id;
        item.description = String(count);
        item.iconPath = taskIcon(n.status);
        item.contextValue = `taskStatus.${n.status}`;
        return item;
      }
      case 'step': {
        const item = new vscode.TreeItem(n.step.title || n.step.step_id, vscode.TreeItemCollapsibleState.None);
        item.id = n.id;
        item.description = `${n.step.step_id} · ${n.step.status}`;
        item.iconPath = taskIcon(n.step.status);
        item.contextValue = `step.${n.step.status}`;
        return item;
      }
      case 'task':
        return this.taskItem(n, this.model.task(n.ref), Date.now());
      case 'checkpoint':
        return checkpointItem(n);
      case 'attention': {
        const count = this.attention.items.length;
        const item = new vscode.TreeItem('Attention', vscode.TreeItemCollapsibleState.Expanded);
        item.id = n.id;
        item.description = String(count);
        item.tooltip = attentionCountText(count);
        item.iconPath = new vscode.ThemeIcon('bell-dot');
        item.contextValue = 'attention';
        return item;
      }
      case 'attentionItem':
        return attentionTreeItem(n.id, n.item);
      case 'message': {
        const item = new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
        item.id = n.id;
        item.iconPath = new vscode.ThemeIcon('warning');
        return item;
      }
    }
  }

  private folderItem(n: Extract<RunsNode, { kind: 'folder' }>): vscode.TreeItem {
    const folder = this.model.folderOf(n.root);
    const item = new vscode.TreeItem(folder?.name ?? n.root, vscode.TreeItemCollapsibleState.Expanded);
    item.id = n.id;
    item.iconPath = new vscode.ThemeIcon('root-folder');
    const count = this.model.runs(n.root).length;
    item.description = `${count} run${count === 1 ? '' : 's'}`;
    item.tooltip = n.root;
    item.contextValue = 'folder';
    return item;
  }

  /** Steps, Tasks or Checkpoints under a run. */
  private groupItem(n: Extract<RunsNode, { kind: 'steps' | 'tasks' | 'checkpoints' }>): vscode.TreeItem {
    const run = this.model.get(n.ref)?.run;
    const label = n.kind === 'steps' ? 'Steps' : n.kind === 'tasks' ? 'Tasks' : 'Checkpoints';
    const item = new vscode.TreeItem(
      label,
      n.kind === 'tasks' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = n.id;
    item.contextValue = n.kind;
    if (n.kind === 'checkpoints') {
      item.iconPath = new vscode.ThemeIcon('bookmark');
      return item;
    }
    const children: { status: string }[] = (n.kind === 'steps' ? run?.steps : run && this.shownTasks(n.ref)) ?? [];
    item.iconPath = new vscode.ThemeIcon(n.kind === 'steps' ? 'list-ordered' : 'checklist');
    if (!run) item.description = '';
    else if (n.kind === 'tasks' && isFiltering(this.taskFilter)) item.description = `${children.length} of ${run.tasks.length} match`;
    else item.description = `${children.filter((c) => c.status === 'done').length}/${children.length} done`;
    // A group that was empty keeps "not expandable" under its id in VS Code's view state:
    // a different id once children arrive lets it open.
    if (run && children.length === 0) {
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
      item.id = `${n.id}:empty`;
    }
    return item;
  }

  private runItem(n: Extract<RunsNode, { kind: 'run' }>, entry: RunEntry | undefined): vscode.TreeItem {
    if (!entry) return new vscode.TreeItem(n.ref.run_id);
    const run = entry.run;
    // Live runs open with their tasks in view; finished ones stay folded.
    const item = new vscode.TreeItem(
      firstLine(run.objective) || run.run_id,
      isTerminal(run.status) ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded,
    );
    item.id = n.id;
    item.iconPath = runIcon(run.status, !!entry.mismatch);
    // A pause's own reason says more than "Paused by the operator".
    const reason = statusReasonShown(run);
    const why = reason ? firstLine(reason, 80) : run.why_next_step ? firstLine(run.why_next_step, 80) : '';
    const status = runStatusText(run);
    const noMatch = isFiltering(this.taskFilter) && this.shownTasks(n.ref).length === 0 ? 'no task matches · ' : '';
    const bytes = this.disk.bytesOf(n.ref);
    const size = bytes === undefined ? '' : ` · ${formatBytes(bytes)}${this.disk.isCompacted(n.ref) ? ' compacted' : ''}`;
    item.description = noMatch + (entry.mismatch ? `workspace mismatch · ${status}` : why ? `${status} · ${why}` : status) + size;
    const bound = run.workspace.canonical_path !== '';
    item.contextValue = runContextValue(run.status, bound, !!entry.mismatch);
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`$(${runIcon(run.status).id}) **`)
      .appendText(firstLine(run.objective, 200))
      .appendMarkdown('**\n\n');
    md.appendText(`${run.run_id} · ${status} · seq ${run.last_event_seq}\n\n`);
    if (reason) md.appendMarkdown('*Reason:* ').appendText(reason).appendMarkdown('\n\n');
    if (run.why_next_step) md.appendMarkdown('*Next:* ').appendText(run.why_next_step).appendMarkdown('\n\n');
    const open = run.tasks.filter((t) => !isFinishedTask(t.status)).length;
    md.appendText(`${run.tasks.length} tasks, ${open} open · ${run.steps.length} steps\n\n`);
    if (bound) md.appendText(`Workspace: ${run.workspace.canonical_path} (epoch ${run.workspace.lease_epoch})\n\n`);
    if (entry.mismatch) {
      md.appendMarkdown('$(warning) ').appendText(
        `Bound to ${entry.mismatch.expected_path} but open in ${entry.mismatch.actual_path}; the run was paused. `,
      );
      md.appendMarkdown(`[Rebind to this folder](command:runboard.rebindWorkspace?${encodeURIComponent(JSON.stringify([n.ref]))})`);
    }
    md.isTrusted = { enabledCommands: ['runboard.rebindWorkspace'] };
    item.tooltip = md;
    return item;
  }

  private taskItem(n: Extract<RunsNode, { kind: 'task' }>, task: Task | undefined, now: number): vscode.TreeItem {
    if (!task) return new vscode.TreeItem(n.ref.task_id);
    const item = new vscode.TreeItem(taskTitle(task), vscode.TreeItemCollapsibleState.None);
    item.id = n.id;
    item.iconPath = taskIcon(task.status);
    item.description = task.cancelled ? cancelledText(task.cancelled) : taskDescription(task, now);
    const mine = this.leases.holds(n.ref, task);
    const run = this.model.get(n.ref)?.run;
    item.contextValue = taskContextValue(task, run ? offeredActions(run, task, n.ref, this.leases, now) : []);
    const md = new vscode.MarkdownString();
    md.appendMarkdown('**').appendText(taskTitle(task)).appendMarkdown('**\n\n');
    md.appendText(
      `${task.id} · ${task.task_type} · ${TASK_STATUS_LABEL[task.status]} · priority ${task.priority} · ${attemptText(task)}\n\n`,
    );
    if (task.lease_owner) md.appendText(`Leased by ${task.lease_owner}${mine ? ' (this editor)' : ''} · ${leaseText(task, now) ?? ''}\n\n`);
    if (task.cancelled) md.appendText(`${cancelledText(task.cancelled)}\n\n`);
    if (task.depends_on_task_ids.length) md.appendText(`Depends on: ${task.depends_on_task_ids.join(', ')}\n\n`);
    const worktree = worktreeText(task);
    if (worktree) md.appendText(`${worktree}\n\n`);
    // Why an open task waits (a dependency cancelled among them); a leased one shows its holder above.
    const waits = run && !isFinishedTask(task.status) && task.status !== 'in_progress' ? waitTexts(run, task, now) : [];
    if (waits.length) md.appendText(`Waits: ${waits.join('; ')}\n\n`);
    if (task.last_error) md.appendText(`Last error: ${task.last_error}`);
    if (task.result) md.appendText(`${task.last_error ? '\n\n' : ''}Result: ${task.result}`);
    item.tooltip = md;
    item.command = { command: 'runboard.openTaskDetails', title: 'Open Task Details', arguments: [n.ref] };
    return item;
  }

  dispose(): void {
    clearInterval(this.ticker);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
    this.filterEmitter.dispose();
  }
}

function checkpointItem(n: Extract<RunsNode, { kind: 'checkpoint' }>): vscode.TreeItem {
  const c = n.checkpoint;
  const item = new vscode.TreeItem(`#${c.seq} ${firstLine(c.reason || c.checkpoint_id, 60)}`, vscode.TreeItemCollapsibleState.None);
  item.id = n.id;
  item.description = c.unreadable ? 'unreadable' : new Date(c.ts_ms).toLocaleString();
  item.tooltip = `${c.checkpoint_id}\nseq ${c.seq}\n${c.reason}`;
  item.iconPath = new vscode.ThemeIcon(c.unreadable ? 'warning' : 'bookmark');
  item.contextValue = c.unreadable ? 'checkpoint.unreadable' : 'checkpoint';
  return item;
}
