// Batch task creation (SPEC.md §6 with PROTOCOL.md's fixes): the whole batch is validated
// first — ids, contract, status, duplicates, dependencies known and acyclic — then written
// as one event per task in batch order.
import { DomainError, formatTooOld } from './errors';
import { EventBuilder } from './eventBuilder';
import { CommandContext, taskIdProblem } from './ids';
import { Task } from '../../../contract/schemas/records';
import { TaskInput } from '../../../contract/schemas/params';
import { RunState } from './state';
import { normalizeContract } from './taskContract';
import { defaultTaskType } from '../../../contract/taskLine';
import { checkTextLimit, distinctTrimmed, setTrimmedFields } from './text';
import { EVENT, runHas } from '../../../contract/events';
import { isTerminal } from '../../../contract/statuses';
import { LIMITS } from '../../../contract/limits';
import { CREATABLE_TASK_STATUSES } from '../../../contract/statuses';

const CREATABLE: ReadonlySet<string> = new Set(CREATABLE_TASK_STATUSES);

/** How a refusal names the task: by its place in a batch of several (as a field path: tasks[0]), by its id when it is the only one. */
type TaskNamer = (index: number, id?: string) => string;

function taskNamer(count: number): TaskNamer {
  return (index, id) => (count === 1 ? (id ? `Task ${id}` : 'The task') : `tasks[${index}]${id ? ` (${id})` : ''}`);
}

function buildTask(input: TaskInput, index: number, ctx: CommandContext, name: TaskNamer): Task {
  const rawId = input.id?.trim();
  const id = rawId ? rawId : ctx.ids.newId('task');
  const problem = taskIdProblem(id);
  if (problem) {
    throw new DomainError('TASK_ID_INVALID', `${name(index)}: invalid id ${JSON.stringify(id)}: ${problem}.`, { task_id: id, index });
  }
  const status = input.status ?? 'pending';
  if (!CREATABLE.has(status)) {
    throw new DomainError('TASK_STATUS_INVALID', `${name(index, id)}: a new task starts as pending, runnable or blocked, not ${status}.`, {
      task_id: id,
      index,
    });
  }
  const { task_type, payload } = contractOf(input, { task_id: id, index }, name(index, id));
  const p = payload as Record<string, unknown> | null;
  if (p) for (const key of ['title', 'description']) checkTextLimit(`tasks[${index}].payload.${key}`, p[key]);
  const task: Task = {
    id,
    task_type,
    payload,
    status,
    depends_on_task_ids: (input.depends_on_task_ids ?? []).map((d) => d.trim()).filter((d) => d !== ''),
    decision_ids: input.decision_ids ?? [],
    artifact_ids: input.artifact_ids ?? [],
    priority: input.priority ?? 0,
    attempt: 0,
    max_attempts: input.max_attempts ?? 3,
    ...(input.labels?.length ? { labels: distinctTrimmed(input.labels) } : {}),
    task_rev: 1,
    created_ts: ctx.now,
    updated_ts: ctx.now,
  };
  setTrimmedFields(task, {
    workflow_id: input.workflow_id,
    workflow_node_id: input.workflow_node_id,
    parent_task_id: input.parent_task_id,
  });
  return task;
}

/** Ids on a dependency cycle among the new tasks, or undefined (existing tasks cannot point at new ones). */
function findCycle(batch: Map<string, Task>): string[] | undefined {
  const state = new Map<string, 1 | 2>(); // 1 = on the current path, 2 = finished
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 1);
    path.push(id);
    for (const dep of batch.get(id)?.depends_on_task_ids ?? []) {
      if (!batch.has(dep)) continue;
      const s = state.get(dep);
      if (s === 1) return path.slice(path.indexOf(dep));
      if (s === undefined) {
        const cycle = visit(dep);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(id, 2);
    return undefined;
  };
  for (const id of batch.keys()) {
    if (!state.has(id)) {
      const cycle = visit(id);
      if (cycle) return cycle;
    }
  }
  return undefined;
}

export function decideCreateTasks(
  state: RunState,
  inputs: TaskInput[],
  ctx: CommandContext,
): { events: ReturnType<EventBuilder['add']>[]; tasks: Task[] } {
  if (inputs.length > LIMITS.batchTasks) {
    throw new DomainError('LIMIT_EXCEEDED', `A batch holds at most ${LIMITS.batchTasks} tasks (got ${inputs.length}).`, {
      limit: 'batch_tasks',
      max: LIMITS.batchTasks,
    });
  }
  if (state.tasks.size + inputs.length > LIMITS.runTasks) {
    throw new DomainError('LIMIT_EXCEEDED', `A run holds at most ${LIMITS.runTasks} tasks.`, {
      limit: 'run_tasks',
      max: LIMITS.runTasks,
    });
  }
  if (isTerminal(state.header.status)) {
    throw new DomainError('RUN_TERMINAL', `Run ${state.header.run_id} is ${state.header.status}: it takes no new tasks. Reopen it first.`, {
      status: state.header.status,
    });
  }
  if (!runHas(state.header, 'labels') && inputs.some((i) => i.labels?.length)) throw formatTooOld(state.header, 'labels', 'task labels');
  const batch = new Map<string, Task>();
  const name = taskNamer(inputs.length);
  inputs.forEach((input, index) => {
    const task = buildTask(input, index, ctx, name);
    if (state.tasks.has(task.id) || batch.has(task.id)) {
      const where = state.tasks.has(task.id) ? 'this run' : 'this batch';
      throw new DomainError('TASK_DUPLICATE_ID', `${name(index)} takes id ${task.id}, which ${where} already has.`, {
        task_id: task.id,
        index,
      });
    }
    batch.set(task.id, task);
  });
  let index = 0;
  for (const task of batch.values()) {
    const unknown = task.depends_on_task_ids.filter((d) => !state.tasks.has(d) && !batch.has(d));
    if (unknown.length > 0) {
      // Named by the id the caller gave: one made up here would name a task nobody knows (and none was made).
      const given = inputs[index].id?.trim() || undefined;
      throw new DomainError('TASK_DEPENDENCY_UNKNOWN', `${name(index, given)} depends on unknown task(s): ${unknown.join(', ')}.`, {
        task_id: task.id,
        index,
        depends_on: unknown,
      });
    }
    index++;
  }
  const cycle = findCycle(batch);
  if (cycle) {
    throw new DomainError('TASK_DEPENDENCY_CYCLE', `Dependency cycle: ${[...cycle, cycle[0]].join(' → ')}.`, {
      task_id: cycle[0],
      index: [...batch.keys()].indexOf(cycle[0]),
      depends_on: cycle,
    });
  }
  const b = new EventBuilder(state, ctx);
  for (const task of batch.values()) {
    b.add({
      type: EVENT.taskCreated,
      status: state.header.status,
      task_id: task.id,
      payload: {
        task_id: task.id,
        task_type: task.task_type,
        task_rev: 1,
        ...(task.workflow_id ? { workflow_id: task.workflow_id } : {}),
        task,
      },
    });
  }
  return { events: b.events, tasks: [...batch.values()] };
}

/**
 * The task's type and payload checked (normalizeContract); a type left out is defaultTaskType's,
 * and a refusal of one so inferred says where it came from.
 */
function contractOf(input: TaskInput, where: { task_id: string; index: number }, name: string) {
  if (input.task_type !== undefined) return normalizeContract(input.task_type, input.payload, where, name);
  try {
    return normalizeContract(defaultTaskType(input.payload), input.payload, where, name);
  } catch (e) {
    if (!(e instanceof DomainError) || e.code !== 'TASK_OUTPUT_TARGET_REQUIRED') throw e;
    throw new DomainError(
      e.code,
      `${name}: it has payload.output_target, so without a task_type it is an implementation task, which needs output_target to be {"path": "<file>"} (or give it another task_type).`,
      e.details,
    );
  }
}
