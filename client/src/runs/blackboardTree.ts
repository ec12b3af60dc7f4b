// The Blackboard of the selected run: facts, decisions (current or superseded), open and closed
// questions, artifacts (opening their path relative to the run's folder) and the waiting tasks
// with why each one waits. Items carry what they offer (blackboardItems.ts) to the menus.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runHas } from '../../../contract/events';
import type { Artifact, BlackboardItem, Task } from '../../../contract/schemas/records';
import { itemActions, type ItemAction, type ItemList } from '../../../contract/blackboardRules';
import { itemContextValue, itemDescription, itemTooltip } from './blackboardItems';
import { taskIcon } from './icons';
import type { RunRef, TaskRef } from './refs';
import type { RunsModel } from './runsModel';
import type { RunSelection } from './selection';
import type { TaskAction } from '../../../contract/taskRules';
import type { LeaseTokens } from './leaseTokens';
import { offeredActions, taskContextValue, waitTexts } from './taskActions';
import { firstLine, taskTitle, waitingTasks } from '../../../contract/taskText';

type Section = ItemList | 'artifacts' | 'waiting';

export type BlackboardNode =
  | { kind: 'section'; section: Section; ref: RunRef }
  | { kind: 'item'; section: ItemList; item: BlackboardItem; actions: ItemAction[]; ref: RunRef }
  | { kind: 'artifact'; artifact: Artifact; ref: RunRef }
  | { kind: 'waiting'; task: Task; reasons: string[]; actions: TaskAction[]; ref: TaskRef };

const SECTION_LABEL: Record<Section, string> = {
  summary: 'Summary',
  facts: 'Facts',
  decisions: 'Decisions',
  open_questions: 'Open questions',
  closed_questions: 'Closed questions',
  artifacts: 'Artifacts',
  waiting: 'Waiting tasks',
};
const SECTION_ICON: Record<Section, string> = {
  summary: 'note',
  facts: 'info',
  decisions: 'law',
  open_questions: 'question',
  closed_questions: 'check-all',
  artifacts: 'file',
  waiting: 'watch',
};

export class BlackboardTreeProvider implements vscode.TreeDataProvider<BlackboardNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<BlackboardNode | undefined>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly ticker: NodeJS.Timeout;
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(
    private readonly model: RunsModel,
    private readonly selection: RunSelection,
    private readonly leases: LeaseTokens,
  ) {
    // "until …, 12s left" and retry times age: refresh while the shown run has any.
    this.ticker = setInterval(() => {
      const cur = selection.current;
      const tasks = (cur && model.get(cur)?.run.tasks) ?? [];
      const now = Date.now();
      if (tasks.some((t) => t.lease_expires_at_ms !== undefined || (t.next_retry_at_ms ?? 0) > now)) this.emitter.fire(undefined);
    }, 5000);
    this.disposables.push(
      selection.onDidChange(() => this.emitter.fire(undefined)),
      model.onDidChangeRun((e) => {
        const cur = selection.current;
        if (cur && cur.root === e.ref.root && cur.run_id === e.ref.run_id) this.emitter.fire(undefined);
      }),
      model.onDidChangeStructure(() => this.emitter.fire(undefined)),
    );
  }

  /** What the view shows above the tree (the run's objective, or why it is empty). */
  describe(): string | undefined {
    const cur = this.selection.current;
    const e = cur && this.model.get(cur);
    return e ? firstLine(e.run.objective, 80) || e.run.run_id : undefined;
  }

  getChildren(n?: BlackboardNode): BlackboardNode[] {
    const ref = this.selection.current;
    const entry = ref && this.model.get(ref);
    if (!ref || !entry) return [];
    const bb = entry.blackboard;
    if (!n) {
      const sections: Section[] = ['facts', 'decisions', 'open_questions', 'artifacts', 'waiting'];
      // Questions close in runs of format 4 (and only there).
      if (runHas(entry.run, 'closingItems') || bb?.closed_questions.length) sections.splice(3, 0, 'closed_questions');
      if (bb?.summaries.rolling) sections.unshift('summary');
      return sections.map((section) => ({ kind: 'section', section, ref }));
    }
    if (n.kind !== 'section') return [];
    switch (n.section) {
      case 'summary':
        return bb?.summaries.rolling
          ? [{ kind: 'item', section: 'summary', item: { id: 'summary', ts_ms: 0, text: bb.summaries.rolling }, actions: [], ref }]
          : [];
      case 'facts':
      case 'decisions':
      case 'open_questions':
      case 'closed_questions': {
        const section = n.section;
        return (bb?.[section] ?? []).map((item) => ({ kind: 'item', section, item, actions: itemActions(entry.run, section, item), ref }));
      }
      case 'artifacts':
        return (bb?.artifacts ?? []).map((artifact) => ({ kind: 'artifact', artifact, ref }));
      case 'waiting': {
        const run = entry.run;
        const now = Date.now();
        return waitingTasks(run.tasks).map((task) => {
          const taskRef = { ...ref, task_id: task.id };
          return {
            kind: 'waiting',
            task,
            reasons: waitTexts(run, task, now),
            actions: offeredActions(run, task, taskRef, this.leases, now),
            ref: taskRef,
          };
        });
      }
    }
  }

  getTreeItem(n: BlackboardNode): vscode.TreeItem {
    switch (n.kind) {
      case 'section': {
        const count = this.getChildren(n).length;
        const item = new vscode.TreeItem(
          SECTION_LABEL[n.section],
          count ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
        );
        item.id = `bb:${n.section}`;
        item.description = String(count);
        item.iconPath = new vscode.ThemeIcon(SECTION_ICON[n.section]);
        item.contextValue = `blackboard.${n.section}`;
        return item;
      }
      case 'item': {
        const bb = this.model.get(n.ref)?.blackboard;
        const item = new vscode.TreeItem(firstLine(n.item.text), vscode.TreeItemCollapsibleState.None);
        item.id = `bb:${n.section}:${n.item.id}`;
        item.tooltip = itemTooltip(n.item, bb);
        item.description = itemDescription(n.section, n.item, bb);
        item.iconPath = itemIcon(n.section, n.item);
        item.contextValue = itemContextValue(n.section, n.item, n.actions);
        return item;
      }
      case 'artifact': {
        const a = n.artifact;
        const item = new vscode.TreeItem(a.path, vscode.TreeItemCollapsibleState.None);
        item.id = `bb:artifact:${a.id}`;
        item.description = a.artifact_type;
        const uri = vscode.Uri.file(path.resolve(n.ref.root, a.path));
        item.resourceUri = uri;
        item.tooltip = `${uri.fsPath}\n${a.artifact_type}`;
        item.command = { command: 'vscode.open', title: 'Open Artifact', arguments: [uri] };
        item.contextValue = 'blackboard.artifact';
        return item;
      }
      case 'waiting': {
        const item = new vscode.TreeItem(taskTitle(n.task), vscode.TreeItemCollapsibleState.None);
        item.id = `bb:waiting:${n.task.id}`;
        item.iconPath = taskIcon(n.task.status);
        item.description = n.reasons.length ? n.reasons.join('; ') : 'claimable now';
        item.tooltip = `${n.task.id} (${n.task.status})\n${n.reasons.length ? n.reasons.map((r) => `• ${r}`).join('\n') : 'Nothing blocks it: it can be claimed now.'}`;
        item.contextValue = taskContextValue(n.task, n.actions);
        item.command = { command: 'runboard.openTaskDetails', title: 'Open Task Details', arguments: [n.ref] };
        return item;
      }
    }
  }

  dispose(): void {
    clearInterval(this.ticker);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}

/** Closed and superseded items are greyed out: they are history, kept for reference. */
function itemIcon(section: ItemList, item: BlackboardItem): vscode.ThemeIcon | undefined {
  const grey = new vscode.ThemeColor('disabledForeground');
  switch (section) {
    case 'decisions':
      return item.superseded_by ? new vscode.ThemeIcon('law', grey) : new vscode.ThemeIcon('law');
    case 'open_questions':
      return new vscode.ThemeIcon('question');
    case 'closed_questions':
      return new vscode.ThemeIcon(item.question_status === 'resolved' ? 'check' : 'pass', grey);
    default:
      return undefined;
  }
}
