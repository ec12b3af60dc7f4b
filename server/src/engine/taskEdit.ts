// Editing a task (PROTOCOL.md §editTask; runs of format 3): title, description, priority,
// dependencies, max attempts, labels and payload fields, with creation's checks — limits, known
// and acyclic dependencies, the payload contract — and the lease's fence: a leased task needs its
// token, or `force` (a person). The event carries the task as it now is, and what changed.
import { EVENT, runHas } from '../../../contract/events';
import type { ParamsOf } from '../../../contract/schemas/params';
import type { EventRecord, Task } from '../../../contract/schemas/records';
import { DomainError, formatTooOld } from './errors';
import { EventBuilder } from './eventBuilder';
import type { CommandContext } from './ids';
import type { RunState } from './state';
import { normalizeContract } from './taskContract';
import { bump, requireTask } from './taskLifecycle';
import { checkTextLimit, distinctTrimmed } from './text';
import { checkPersonFence } from './transitionChecks';
import { isFinishedTask } from '../../../contract/statuses';
import { isOpenDependency } from '../../../contract/taskRules';

/** Whether `from` reaches `target` through dependencies (an edit that makes it would close a cycle). */
function reaches(state: RunState, from: string, target: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === target) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(state.tasks.get(id)?.depends_on_task_ids ?? []));
  }
  return false;
}

function checkDependencies(state: RunState, task: Task, deps: string[]): void {
  const unknown = deps.filter((d) => !state.tasks.has(d));
  if (unknown.length > 0) {
    throw new DomainError('TASK_DEPENDENCY_UNKNOWN', `Task ${task.id} cannot depend on unknown task(s): ${unknown.join(', ')}.`, {
      task_id: task.id,
      depends_on: unknown,
    });
  }
  if (deps.includes(task.id)) {
    throw new DomainError('TASK_DEPENDENCY_CYCLE', `Task ${task.id} cannot wait for itself.`, { task_id: task.id, depends_on: [task.id] });
  }
  const back = deps.find((d) => reaches(state, d, task.id));
  if (back !== undefined) {
    throw new DomainError('TASK_DEPENDENCY_CYCLE', `Task ${task.id} cannot wait for ${back}: ${back} already waits for ${task.id}.`, {
      task_id: task.id,
      depends_on: [back],
    });
  }
}

/** The task with the edit applied, and the names of the fields that changed. */
function edited(task: Task, p: ParamsOf<'editTask'>): { next: Task; changes: string[] } {
  const next: Task = { ...task };
  // The payload is rebuilt only when the edit names part of it: a task made with none keeps none.
  if (p.title !== undefined || p.description !== undefined || p.payload !== undefined) {
    const payload: Record<string, unknown> = { ...((task.payload ?? {}) as Record<string, unknown>), ...(p.payload ?? {}) };
    if (p.title !== undefined) payload.title = p.title.trim();
    // An empty description is none: a user clears it with `--description ""`.
    if (p.description !== undefined) payload.description = p.description.trim() || null;
    for (const [k, v] of Object.entries(payload)) if (v === null) delete payload[k];
    next.payload = normalizeContract(task.task_type, payload, { task_id: task.id, index: 0 }).payload;
  }
  if (p.priority !== undefined) next.priority = p.priority;
  if (p.max_attempts !== undefined) next.max_attempts = p.max_attempts;
  if (p.depends_on_task_ids !== undefined) next.depends_on_task_ids = distinctTrimmed(p.depends_on_task_ids);
  if (p.labels !== undefined) {
    // No labels is no list: an empty one would read as a change on a task that had none.
    const labels = distinctTrimmed(p.labels);
    if (labels.length > 0) next.labels = labels;
    else delete next.labels;
  }
  const fields = ['payload', 'priority', 'max_attempts', 'depends_on_task_ids', 'labels'] as const;
  const changes = fields.filter((f) => JSON.stringify(task[f] ?? null) !== JSON.stringify(next[f] ?? null));
  return { next, changes };
}

export function decideEditTask(state: RunState, p: ParamsOf<'editTask'>, ctx: CommandContext): EventRecord[] {
  if (!runHas(state.header, 'taskEdits')) throw formatTooOld(state.header, 'taskEdits', 'task edits: its tasks cannot be edited');
  checkTextLimit('title', p.title);
  checkTextLimit('description', p.description);
  const task = requireTask(state, p.task_id);
  checkPersonFence(task, p, ctx.now, 'edit');
  // Attempts never read more than their maximum (a requeue of an exhausted task raises it too): a
  // task that may still be tried (not failed nor finished) keeps room for the try to come.
  const floor = task.status === 'failed' || isFinishedTask(task.status) ? task.attempt : task.attempt + 1;
  if (p.max_attempts !== undefined && p.max_attempts < floor) {
    const used = `Task ${task.id} has used ${task.attempt} attempt${task.attempt === 1 ? '' : 's'}`;
    throw new DomainError(
      'TASK_ATTEMPTS_EXHAUSTED',
      floor > task.attempt
        ? `${used} and is ${task.status}, to be tried again: max_attempts cannot be set below ${floor}.`
        : `${used}: max_attempts cannot be set below ${floor}.`,
      { task_id: task.id, attempt: task.attempt, max_attempts: p.max_attempts },
    );
  }
  const { next, changes } = edited(task, p);
  if (changes.includes('depends_on_task_ids')) {
    // A done task waits on nothing (isOpenDependency): its list would only read as if it did.
    if (task.status === 'done') {
      throw new DomainError(
        'TASK_TRANSITION_INVALID',
        `Task ${task.id} is done: it waits on nothing, so its dependencies are not edited (its title, description, priority and labels still are).`,
        { current_status: task.status },
      );
    }
    checkDependencies(state, task, next.depends_on_task_ids);
    // A task in progress was claimed with its dependencies done: one more to wait on would be
    // finished after it. Released (or requeued) first, it waits as it should.
    const open =
      task.status === 'in_progress'
        ? next.depends_on_task_ids.filter((d) => !task.depends_on_task_ids.includes(d) && isOpenDependency(state.tasks.get(d)))
        : [];
    if (open.length > 0) {
      throw new DomainError(
        'TASK_TRANSITION_INVALID',
        `Task ${task.id} is in progress: it cannot wait on ${open.join(', ')}, not done yet. Release or requeue it first (its holder stops), then edit its dependencies; or wait until ${open.length > 1 ? 'they are' : 'that one is'} done.`,
        { current_status: task.status, depends_on: open },
      );
    }
  }
  if (changes.length === 0) return [];
  const moved = bump(next, ctx.now);
  const b = new EventBuilder(state, ctx);
  b.add({
    type: EVENT.taskEdited,
    status: state.header.status,
    task_id: task.id,
    payload: { task_id: task.id, task_rev: moved.task_rev, changes, ...(p.agent_id?.trim() ? { by: p.agent_id.trim() } : {}), task: moved },
  });
  return b.events;
}
