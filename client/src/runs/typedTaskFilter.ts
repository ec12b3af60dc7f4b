// A task filter as a person types it — the task board's filter box, the Runs tree's Filter Tasks… —
// read with contract/taskFilter.ts: the text, its filter, or why the text is no filter. Views ask
// `showsTask` and never read the syntax themselves.
import type { Task } from '../../../contract/schemas/records';
import { matchesTaskFilter, parseTaskFilter, type TaskFilter } from '../../../contract/taskFilter';

export interface TypedTaskFilter {
  /** As typed (blank: no filter). */
  text: string;
  /** The filter of a text that is one; undefined for a blank text or an error. */
  filter?: TaskFilter;
  /** Why the text is no filter (an unknown key), in words a person can act on. */
  error?: string;
}

export const NO_TASK_FILTER: TypedTaskFilter = { text: '' };

export function readTaskFilter(text: string): TypedTaskFilter {
  if (text.trim() === '') return { text };
  try {
    return { text, filter: parseTaskFilter(text) };
  } catch (e) {
    return { text, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Whether a filter is in force: a text that is no filter filters nothing (its error says so). */
export function isFiltering(typed: TypedTaskFilter): boolean {
  return typed.filter !== undefined;
}

export function showsTask(typed: TypedTaskFilter, task: Task): boolean {
  return typed.filter === undefined || matchesTaskFilter(task, typed.filter);
}
