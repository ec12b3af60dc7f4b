// What every run page's messages share (the stats panel, the dependency graph). Types only.

/** What a page saves (vscode.setState) so its panel comes back after a reload. */
export interface RunPageState {
  root?: string;
  run_id?: string;
}

/** The run a page shows, as its header says it. */
export interface RunHead {
  root: string;
  run_id: string;
  objective: string;
  /** contract runStatusText: "queued · 2 in progress". */
  status_text: string;
}

/** Every page may ask for a task to be revealed in the Runs tree. */
export type FromRunPage = { type: 'ready'; state?: RunPageState } | { type: 'reveal'; task_id: string };
