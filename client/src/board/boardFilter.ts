// Which of a run's tasks the board shows under its filter box, and what the box says: "3 of 12
// tasks", how many cards each column hides, or why the text is no filter. A text that is no filter
// hides nothing: an empty board would read as "nothing matches" and hide live changes while the
// person fixes a typo, so every card stays and the error says the filter is not applied.
import type { Task } from '../../../contract/schemas/records';
import type { TaskStatus } from '../../../contract/statuses';
import { isFiltering, showsTask, type TypedTaskFilter } from '../runs/typedTaskFilter';
import type { BoardFilter } from './boardProtocol';

export function filterBoard(tasks: readonly Task[], typed: TypedTaskFilter): { shown: Task[]; filter: BoardFilter } {
  const shown: Task[] = [];
  const hidden: Partial<Record<TaskStatus, number>> = {};
  for (const t of tasks) {
    if (showsTask(typed, t)) shown.push(t);
    else hidden[t.status] = (hidden[t.status] ?? 0) + 1;
  }
  const active = isFiltering(typed);
  const tasksText = `${tasks.length} task${tasks.length === 1 ? '' : 's'}`;
  return {
    shown,
    filter: {
      text: typed.text,
      active,
      shown: shown.length,
      total: tasks.length,
      count: active ? `${shown.length} of ${tasksText}` : typed.error ? `${tasksText}, not filtered` : '',
      hidden,
      ...(typed.error === undefined ? {} : { error: typed.error }),
    },
  };
}
