// Read-only virtual documents under the `runboard:` scheme: the two sides of a replay diff
// (kept in memory for the window's life, small) and a task's JSON (rendered live from the model,
// so an open details editor follows the task).
import * as vscode from 'vscode';
import type { RunsModel } from '../runs/runsModel';
import { runKey, type TaskRef } from '../runs/refs';
import { stableStringify } from './stableJson';

export const SCHEME = 'runboard';
const MAX_REPLAYS = 20;

export class RunboardDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly replays = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  private readonly openTasks = new Map<string, { uri: vscode.Uri; ref: TaskRef }>();
  private readonly subscription: vscode.Disposable;
  private counter = 0;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly model: RunsModel) {
    this.subscription = model.onDidChangeRun((e) => {
      for (const { uri, ref } of this.openTasks.values()) if (runKey(ref) === runKey(e.ref)) this.emitter.fire(uri);
    });
  }

  /** Stores both sides of a replay and returns their URIs (persisted left, replayed right). */
  addReplay(runId: string, persisted: unknown, replayed: unknown): { left: vscode.Uri; right: vscode.Uri } {
    const id = `${++this.counter}`;
    const base = `/replay/${id}/${encodeURIComponent(runId)}`;
    const left = vscode.Uri.from({ scheme: SCHEME, path: `${base}/persisted.json` });
    const right = vscode.Uri.from({ scheme: SCHEME, path: `${base}/replayed.json` });
    this.replays.set(left.path, stableStringify(persisted));
    this.replays.set(right.path, stableStringify(replayed));
    while (this.replays.size > MAX_REPLAYS * 2) this.replays.delete(this.replays.keys().next().value as string);
    return { left, right };
  }

  taskUri(ref: TaskRef): vscode.Uri {
    const uri = vscode.Uri.from({
      scheme: SCHEME,
      path: `/task/${encodeURIComponent(ref.run_id)}/${encodeURIComponent(ref.task_id)}.json`,
      query: new URLSearchParams({ root: ref.root }).toString(),
    });
    this.openTasks.set(uri.toString(), { uri, ref });
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    if (uri.path.startsWith('/replay/')) {
      return this.replays.get(uri.path) ?? '// This replay is no longer in memory; run the replay again.\n';
    }
    if (uri.path.startsWith('/task/')) {
      const [, , runId, file] = uri.path.split('/');
      const ref: TaskRef = {
        root: new URLSearchParams(uri.query).get('root') ?? '',
        run_id: decodeURIComponent(runId),
        task_id: decodeURIComponent(file.replace(/\.json$/, '')),
      };
      const task = this.model.task(ref);
      return task ? stableStringify(task) : `// Task ${ref.task_id} is not in run ${ref.run_id} (any more).\n`;
    }
    return '';
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
