// A run's tasks as a dependency graph, and its longest remaining chain: the most tasks that must
// still be finished one after another (each waits for the one before it), which bounds how soon
// the run can end however many agents work. Finished tasks (done, cancelled) are not part of a
// chain. Pure: the graph view and the tests read it.
import type { Task } from './schemas/records';
import { isFinishedTask } from './statuses';

export interface DependencyEdge {
  /** The task depended on. */
  from: string;
  /** The task that waits for it. */
  to: string;
}

export interface DependencyGraph {
  edges: DependencyEdge[];
  /** Ids a task depends on that the run does not have (shown as such, never as an unknown task). */
  missing: string[];
  /** The longest remaining chain, first to be done first; empty when every task is finished. */
  chain: string[];
}

export function dependencyGraph(tasks: readonly Pick<Task, 'id' | 'status' | 'depends_on_task_ids'>[]): DependencyGraph {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const edges: DependencyEdge[] = [];
  const missing = new Set<string>();
  for (const t of tasks) {
    for (const dep of t.depends_on_task_ids) {
      edges.push({ from: dep, to: t.id });
      if (!byId.has(dep)) missing.add(dep);
    }
  }
  // Longest path in a DAG over the unfinished tasks, in topological order (Kahn): iterative, so a
  // chain of any length fits; tasks on a cycle (which the engine refuses to create) are left out.
  const open = tasks.filter((t) => !isFinishedTask(t.status));
  const isOpen = new Set(open.map((t) => t.id));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const t of open) {
    const deps = new Set(t.depends_on_task_ids.filter((d) => isOpen.has(d)));
    waiting.set(t.id, deps.size);
    for (const d of deps) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(t.id);
  }
  const length = new Map<string, number>();
  const previous = new Map<string, string>();
  const ready = open.filter((t) => waiting.get(t.id) === 0).map((t) => t.id);
  let last: string | undefined;
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i];
    const len = (length.get(id) ?? 0) + 1;
    length.set(id, len);
    if (last === undefined || len > length.get(last)!) last = id;
    for (const next of dependents.get(id) ?? []) {
      if (len > (length.get(next) ?? 0)) {
        length.set(next, len);
        previous.set(next, id);
      }
      const left = waiting.get(next)! - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  const chain: string[] = [];
  for (let id = last; id !== undefined; id = previous.get(id)) chain.push(id);
  chain.reverse();
  return { edges, missing: [...missing].sort(), chain };
}
