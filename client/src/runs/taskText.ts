// How tasks and runs read in the UI: titles, lease countdowns, attempts and why a task waits.
// Pure functions (no vscode import) shared by the trees and the task board, unit-tested.
import type { RunStatus, Task, TaskStatus } from '../../../server/src/engine/model';

export const TASK_STATUS_ORDER: readonly TaskStatus[] = ['in_progress', 'runnable', 'pending', 'blocked', 'failed', 'done'];
/** Board columns, in the order work flows. */
export const BOARD_COLUMNS: readonly TaskStatus[] = ['pending', 'runnable', 'in_progress', 'blocked', 'done', 'failed'];

export const TASK_STATUS_LABEL: Record<TaskStatus, string> = {
  pending: 'Pending',
  runnable: 'Runnable',
  in_progress: 'In progress',
  blocked: 'Blocked',
  done: 'Done',
  failed: 'Failed',
};

const TERMINAL_RUN: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);
export function isTerminalRun(status: RunStatus | string): boolean {
  return TERMINAL_RUN.has(status);
}
/** Runs that still want work: not terminal and not paused. */
export function isActiveRun(status: RunStatus | string): boolean {
  return !isTerminalRun(status) && status !== 'paused';
}

function field(payload: unknown, key: string): string | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const v = (payload as Record<string, unknown>)[key];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** payload.title, else payload.description, else "<task_type> <id>" — as plain text. */
export function taskTitle(task: Pick<Task, 'payload' | 'task_type' | 'id'>): string {
  return firstLine(field(task.payload, 'title') ?? field(task.payload, 'description') ?? `${task.task_type} ${task.id}`);
}

export function firstLine(text: string, max = 120): string {
  const line = text.split(/\r?\n/, 1)[0].trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** "12s", "4m 05s", "1h 02m" — a duration for countdowns. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export function leaseRemainingMs(task: Pick<Task, 'lease_expires_at_ms'>, now: number): number | undefined {
  return task.lease_expires_at_ms === undefined ? undefined : task.lease_expires_at_ms - now;
}

/** "lease 23s" / "lease expired" for a leased task, else undefined. */
export function leaseText(task: Pick<Task, 'lease_expires_at_ms' | 'lease_owner'>, now: number): string | undefined {
  const left = leaseRemainingMs(task, now);
  if (left === undefined) return undefined;
  return left > 0 ? `lease ${formatDuration(left)}` : 'lease expired';
}

export function attemptText(task: Pick<Task, 'attempt' | 'max_attempts'>): string {
  return `attempt ${task.attempt}/${task.max_attempts}`;
}

/** The tree's description of a task: owner, lease countdown, attempt/max. */
export function taskDescription(task: Task, now: number): string {
  const parts: string[] = [];
  if (task.lease_owner) parts.push(task.lease_owner);
  const lease = leaseText(task, now);
  if (lease) parts.push(lease);
  parts.push(attemptText(task));
  return parts.join(' · ');
}

export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString();
}

/**
 * Why a task that is not done is not being worked on by someone right now (or who works on it):
 * unfinished dependencies, a retry time in the future, a lease held by someone until when, a
 * blocked or failed status. An empty list means it can be claimed now.
 */
export function waitReasons(task: Task, tasksById: ReadonlyMap<string, Task>, now: number): string[] {
  const reasons: string[] = [];
  if (task.status === 'in_progress') {
    if (task.lease_owner) {
      const until = task.lease_expires_at_ms;
      reasons.push(
        until === undefined
          ? `lease held by ${task.lease_owner}`
          : until > now
            ? `lease held by ${task.lease_owner} until ${clockTime(until)} (${formatDuration(until - now)} left)`
            : `lease held by ${task.lease_owner} expired at ${clockTime(until)}; it will be requeued`,
      );
    }
    return reasons;
  }
  if (task.status === 'blocked') reasons.push(task.last_error ? `blocked: ${firstLine(task.last_error)}` : 'blocked');
  if (task.status === 'failed') {
    reasons.push(
      task.attempt >= task.max_attempts
        ? `failed, attempts exhausted (${task.attempt}/${task.max_attempts})`
        : `failed (${attemptText(task)}); retry it to run again`,
    );
  }
  const open = task.depends_on_task_ids
    .map((id) => ({ id, dep: tasksById.get(id) }))
    .filter(({ dep }) => dep?.status !== 'done');
  if (open.length > 0) {
    reasons.push(`waits for ${open.map(({ id, dep }) => `${id} (${dep ? TASK_STATUS_LABEL[dep.status].toLowerCase() : 'missing'})`).join(', ')}`);
  }
  if (task.next_retry_at_ms !== undefined && task.next_retry_at_ms > now && (task.status === 'pending' || task.status === 'runnable')) {
    reasons.push(`retry at ${clockTime(task.next_retry_at_ms)} (in ${formatDuration(task.next_retry_at_ms - now)})`);
  }
  return reasons;
}

/** Tasks whose status is not done (the "waiting" list of the blackboard), claimable ones last. */
export function waitingTasks(tasks: readonly Task[]): Task[] {
  return tasks.filter((t) => t.status !== 'done');
}
