// How the client names a run and a task: the workspace folder it was listed from (`root`, an
// fsPath, which the server accepts as `root`) plus the ids. Commands take these as arguments,
// so tree nodes, board cards and tests all call them the same way.
export interface RunRef {
  root: string;
  run_id: string;
}
export interface TaskRef extends RunRef {
  task_id: string;
}

export function runKey(r: RunRef): string {
  return `${r.root}\u0000${r.run_id}`;
}
export function taskKey(r: TaskRef): string {
  return `${r.root}\u0000${r.run_id}\u0000${r.task_id}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object';
}

/** A RunRef from a command argument (a tree node, a board message or a plain object), if it names one. */
export function asRunRef(arg: unknown): RunRef | undefined {
  if (!isObject(arg)) return undefined;
  const src = isObject(arg.ref) ? arg.ref : arg;
  if (typeof src.run_id !== 'string' || !src.run_id) return undefined;
  return { root: typeof src.root === 'string' ? src.root : '', run_id: src.run_id };
}

export function asTaskRef(arg: unknown): TaskRef | undefined {
  const run = asRunRef(arg);
  if (!run || !isObject(arg)) return undefined;
  const src = isObject(arg.ref) ? arg.ref : arg;
  return typeof src.task_id === 'string' && src.task_id ? { ...run, task_id: src.task_id } : undefined;
}
