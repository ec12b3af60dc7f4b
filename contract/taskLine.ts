// A task as people write it in one line — a title and a few options — as the TaskInput of
// createTasks: `runboard tasks add`, MCP add_task and the editor's Add Task build it the same way.
import type { TaskInput } from './schemas/params';
import type { TaskStatus } from './statuses';

/** The type of a task given none that names no file it writes (PROTOCOL.md §createTasks). */
export const DEFAULT_TASK_TYPE = 'work';

/** The type of a task created without one: implementation when its payload names the file it writes, else DEFAULT_TASK_TYPE. */
export function defaultTaskType(payload: unknown): string {
  const target = payload !== null && typeof payload === 'object' ? (payload as { output_target?: unknown }).output_target : undefined;
  return target !== undefined && target !== null ? 'implementation' : DEFAULT_TASK_TYPE;
}

export interface OneLineTask {
  title: string;
  type?: string;
  id?: string;
  description?: string;
  /** The file it writes: payload.output_target.path (an implementation task needs one). */
  target?: string;
  priority?: number;
  /** Task ids it waits for; each entry may hold several, separated by commas or spaces. */
  after?: readonly string[];
  max_attempts?: number;
  status?: TaskStatus;
  /** Labels; each entry may hold several, separated by commas (runs of format 3). */
  labels?: readonly string[];
}

/** Task ids as typed on a command line: each entry may hold several, separated by commas or spaces. */
export function wordsOf(list: readonly string[] | undefined): string[] {
  return (list ?? []).flatMap((a) => a.split(/[\s,]+/)).filter((a) => a !== '');
}

/** Labels as typed: each entry may hold several, separated by commas; a label may hold spaces ("needs review"). */
export function labelsOf(list: readonly string[] | undefined): string[] {
  return (list ?? [])
    .flatMap((a) => a.split(','))
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export function taskInputFromLine(t: OneLineTask): TaskInput {
  const after = wordsOf(t.after);
  const labels = labelsOf(t.labels);
  const target = t.target?.trim() || undefined;
  const description = t.description?.trim() || undefined;
  return {
    ...(t.id?.trim() ? { id: t.id.trim() } : {}),
    // Without a type, createTasks gives it defaultTaskType: one rule for a line and a tasks file.
    ...(t.type?.trim() ? { task_type: t.type.trim() } : {}),
    payload: { title: t.title.trim(), ...(description ? { description } : {}), ...(target ? { output_target: { path: target } } : {}) },
    ...(t.priority !== undefined ? { priority: t.priority } : {}),
    ...(after.length > 0 ? { depends_on_task_ids: [...new Set(after)] } : {}),
    ...(t.max_attempts !== undefined ? { max_attempts: t.max_attempts } : {}),
    ...(t.status !== undefined ? { status: t.status } : {}),
    ...(labels.length > 0 ? { labels: [...new Set(labels)] } : {}),
  };
}
