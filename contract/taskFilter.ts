// The task filter every view and the CLI read (`runboard tasks list --filter`, the board's and the
// tree's filter box): words separated by spaces, each `key:value` or plain text —
//   status:failed   type:research   agent:bob   label:backend   id:deploy   text
// A task matches when it matches every word. Keys match case-insensitively, values as a prefix
// (status:in matches in_progress); `agent` is the agent the views name (taskText.ts taskAgent); plain text
// is found, ignoring case, in its id, title, description, type, labels or last error. Quote a value
// with spaces: label:"needs review". A key may repeat: status:failed status:blocked matches either.
import type { Task } from './schemas/records';
import { taskAgent, taskTitle } from './taskText';
import { TASK_STATUSES } from './statuses';

export const FILTER_KEYS = ['status', 'type', 'agent', 'label', 'id'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

const FILTER_EXAMPLE: Record<FilterKey, string> = { status: 'failed', type: 'research', agent: 'bob', label: 'backend', id: 'deploy' };

export interface TaskFilter {
  /** Per key, the values any of which the task must match. */
  keys: Partial<Record<FilterKey, string[]>>;
  /** Words the task's text must all hold. */
  text: string[];
}

/** Reads a filter; an unknown `key:` is an error naming the keys there are. */
export function parseTaskFilter(input: string): TaskFilter {
  const filter: TaskFilter = { keys: {}, text: [] };
  // An unclosed quote would be read as part of a word, and the filter match nothing: "No tasks."
  if ((input.match(/"/g) ?? []).length % 2 === 1)
    throw new Error(`A quote is not closed: ${input.trim()} — close it ("…") or leave the quotes out.`);
  const words = input.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  for (const word of words) {
    const m = /^([A-Za-z_]+):(.*)$/.exec(word);
    const unquote = (s: string) => folded(s.replace(/"/g, ''));
    // Read as text, `-status:done` would match no task: "No tasks." — a filter keeps, it does not exclude.
    const negated = /^-([A-Za-z_]+):/.exec(word);
    if (negated && (FILTER_KEYS as readonly string[]).includes(negated[1].toLowerCase())) {
      throw new Error(
        `A filter keeps what matches; it cannot exclude (${word}): name what to keep instead (status:failed status:blocked …).`,
      );
    }
    if (!m) {
      filter.text.push(unquote(word));
      continue;
    }
    const key = m[1].toLowerCase() as FilterKey;
    if (!(FILTER_KEYS as readonly string[]).includes(key)) {
      throw new Error(
        `Unknown filter key "${m[1]}:" — use ${FILTER_KEYS.map((k) => `${k}:`).join(', ')} or plain words (text with a colon goes in quotes: "${word}").`,
      );
    }
    const value = unquote(m[2]);
    // `status:` alone would match every task.
    if (value === '') throw new Error(`${m[1]}: needs a value (${key}:${FILTER_EXAMPLE[key]}).`);
    // A status is a word of a few; one that starts none of them is a typo, not a filter that matches nothing.
    if (key === 'status' && !TASK_STATUSES.some((s) => s.startsWith(value))) {
      throw new Error(`No status starts with "${value}" — use ${TASK_STATUSES.join(', ')}.`);
    }
    (filter.keys[key] ??= []).push(value);
  }
  return filter;
}

export function matchesTaskFilter(task: Task, filter: TaskFilter): boolean {
  const field: Record<FilterKey, string[]> = {
    status: [task.status],
    type: [task.task_type],
    // The agent the views name (taskAgent): a filter never keeps a task whose AGENT column is blank.
    agent: [taskAgent(task)].filter((a): a is string => a !== undefined),
    label: task.labels ?? [],
    id: [task.id],
  };
  for (const key of FILTER_KEYS) {
    const wanted = filter.keys[key];
    if (wanted && !wanted.some((w) => field[key].some((v) => folded(v).startsWith(w)))) return false;
  }
  if (filter.text.length === 0) return true;
  const description = (task.payload as { description?: unknown } | null)?.description;
  const haystack = [
    task.id,
    taskTitle(task),
    typeof description === 'string' ? description : '',
    task.task_type,
    ...(task.labels ?? []),
    task.last_error ?? '',
  ].join('\n');
  const text = folded(haystack);
  return filter.text.every((w) => text.includes(w));
}

/**
 * Text as a filter compares it: case ignored, and one Unicode form — "é" typed as one character
 * matches "é" written as "e" and a combining accent (as macOS often stores text).
 */
function folded(s: string): string {
  return s.normalize('NFC').toLowerCase();
}
