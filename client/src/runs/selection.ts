// The run the Blackboard and the Task board view show: the one selected in the Runs tree, else
// the newest run of the first folder, so the views are useful before anything is clicked.
import * as vscode from 'vscode';
import { runKey, type RunRef } from './refs';
import type { RunsModel } from './runsModel';

export class RunSelection implements vscode.Disposable {
  private explicit: RunRef | undefined;
  private lastKey: string | undefined;
  private readonly emitter = new vscode.EventEmitter<RunRef | undefined>();
  private readonly selectEmitter = new vscode.EventEmitter<RunRef | undefined>();
  private readonly subscription: vscode.Disposable;
  /** The shown run changed (a selection, or runs loading or going away). */
  readonly onDidChange = this.emitter.event;
  /** Someone chose a run (the Runs tree, a command): views that pinned another run follow. */
  readonly onDidSelect = this.selectEmitter.event;

  constructor(private readonly model: RunsModel) {
    this.subscription = model.onDidChangeStructure(() => this.check());
  }

  get current(): RunRef | undefined {
    if (this.explicit && this.model.get(this.explicit)) return this.explicit;
    return this.model.allRuns()[0]?.ref;
  }

  select(ref: RunRef | undefined): void {
    this.explicit = ref;
    this.selectEmitter.fire(ref);
    this.check();
  }

  private check(): void {
    const cur = this.current;
    const key = cur ? runKey(cur) : undefined;
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.emitter.fire(cur);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
    this.selectEmitter.dispose();
  }
}
