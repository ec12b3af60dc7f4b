// One webview page showing one run: it waits for the page's `ready`, then posts the model the
// subclass builds — again whenever the run changes or the server starts or stops —, reveals the
// task a page asks for in the Runs tree.
import * as vscode from 'vscode';
import { runKey, type RunRef, type TaskRef } from '../runs/refs';
import type { RunsModel } from '../runs/runsModel';
import type { RunboardServer } from '../server/runboardServer';
import { log } from '../log';
import { runStatusText } from '../../../contract/runRules';
import { firstLine } from '../../../contract/taskText';
import type { RunRecord } from '../../../contract/schemas/records';
import type { FromRunPage, RunHead } from './pageProtocol';

export interface RunPageDeps {
  model: RunsModel;
  server: RunboardServer;
  /** Shows a task in the Runs tree (a page's node or row clicked). */
  revealTask(ref: TaskRef): Promise<void>;
}

/** The run as a page's header says it (every webview that shows one run: the board, stats, graph). */
export function runHeadOf(ref: RunRef, run: RunRecord): RunHead {
  return { root: ref.root, run_id: run.run_id, objective: firstLine(run.objective, 200), status_text: runStatusText(run) };
}

export abstract class RunPageSession<To> implements vscode.Disposable {
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  /** The last model posted (tests read it). */
  last: To | undefined;

  constructor(
    readonly webview: vscode.Webview,
    protected readonly deps: RunPageDeps,
    readonly ref: RunRef | undefined,
  ) {
    this.disposables.push(
      webview.onDidReceiveMessage((m: FromRunPage) => {
        if (m.type === 'ready') {
          this.ready = true;
          this.update();
        } else if (m.type === 'reveal' && ref && typeof m.task_id === 'string')
          void deps.revealTask({ ...ref, task_id: m.task_id }).catch((e: Error) => log().warn(`reveal: ${e.message}`));
      }),
      deps.model.onDidChangeRun((e) => {
        if (ref && runKey(ref) === runKey(e.ref)) this.update();
      }),
      deps.model.onDidChangeStructure(() => this.update()),
      deps.server.onDidChangeState(() => this.update()),
    );
  }

  /** Builds the model and posts it, once the page listens. */
  update(): void {
    if (!this.ready) return;
    void Promise.resolve(this.build())
      .then((model) => {
        if (model === undefined) return;
        this.last = model;
        return this.webview.postMessage(model);
      })
      .catch((e: Error) => log().warn(`webview update: ${e.message}`));
  }

  /** The model for the page; undefined posts nothing (a newer update is on its way). */
  protected abstract build(): To | undefined | Promise<To | undefined>;
  /** The run as the page's header says it, and the run itself; undefined when it is not open. */
  protected openRun(): { head: RunHead; run: RunRecord } | undefined {
    const entry = this.ref && this.deps.model.get(this.ref);
    if (!this.ref || !entry) return undefined;
    const { run } = entry;
    return { run, head: runHeadOf(this.ref, run) };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
