// Flow metrics (PROTOCOL.md §runStats): how work went, as a pure fold of a run's events — the same
// numbers from a live fold and from a replay. Per task: wait (from when it became claimable — a
// claimable status with every dependency done — to its first claim), work (the time it spent in
// progress under a live lease, every attempt's, until done), attempts (its claims), and the agent that finished it. Per run: tasks done per time slice, tasks by
// status at the end of each slice, and the mean and p90 cycle time (claimable → done) per task type
// and per agent. The fold keeps what it needs from one event to the next, so a caller that keeps it
// applies only the events after its seq.
import type { RunStatsResult, TaskFlow } from '../../../contract/results';
import type { EventRecord, Task } from '../../../contract/schemas/records';
import { isClaimableStatus, TASK_STATUSES, type TaskStatus } from '../../../contract/statuses';
import { EVENT } from '../../../contract/events';

interface TaskTrack {
  type: string;
  status: TaskStatus;
  deps: readonly string[];
  claimableAt?: number;
  firstClaimAt?: number;
  doneAt?: number;
  /** Time spent in progress so far, and since when it is in progress now. */
  workMs: number;
  inProgressSince?: number;
  /** When the lease of the attempt in progress ends, as its last event said. */
  leaseEndsAt?: number;
  attempts: number;
  agent?: string;
}

export class FlowFold {
  seq = 0;
  private readonly tasks = new Map<string, TaskTrack>();
  /** Which tasks wait on each task (a task's dependencies are checked when one of them is done, not on every event). */
  private readonly dependents = new Map<string, Set<string>>();
  /** Status changes, in order: when, which task, from what to what (for tasks by status over time). */
  private readonly changes: { at: number; from?: TaskStatus; to: TaskStatus }[] = [];
  private first: number | undefined;
  private last: number | undefined;

  apply(e: EventRecord): void {
    // Two readers catching the same fold up may hand it the same events: each is folded once.
    if (e.seq <= this.seq) return;
    this.seq = e.seq;
    this.first ??= e.ts_ms;
    this.last = e.ts_ms;
    const task = e.type.startsWith('context.task.') ? (e.payload as { task?: Task } | null)?.task : undefined;
    if (!task) return;
    const t = this.tasks.get(task.id) ?? { type: task.task_type, status: task.status, deps: [], attempts: 0, workMs: 0 };
    const before = this.tasks.has(task.id) ? t.status : undefined;
    this.tasks.set(task.id, t);
    t.type = task.task_type;
    // An edit may change the dependencies: the index follows the task's latest list.
    for (const d of t.deps) this.dependents.get(d)?.delete(task.id);
    for (const d of task.depends_on_task_ids) this.dependents.set(d, (this.dependents.get(d) ?? new Set()).add(task.id));
    t.deps = task.depends_on_task_ids;
    t.status = task.status;
    if (before !== task.status) this.changes.push({ at: e.ts_ms, from: before, to: task.status });
    // Work is the time in progress under a live lease: not the days a failed task waited for someone
    // to retry it, nor the hours after its holder's lease ran out before the board took it back.
    const leaseRanOut = t.leaseEndsAt !== undefined && t.leaseEndsAt < e.ts_ms;
    if (t.inProgressSince !== undefined && (task.status !== 'in_progress' || leaseRanOut)) {
      t.workMs += Math.max(0, (leaseRanOut ? t.leaseEndsAt! : e.ts_ms) - t.inProgressSince);
      t.inProgressSince = undefined;
    }
    const live = task.status === 'in_progress' && (task.lease_expires_at_ms === undefined || task.lease_expires_at_ms >= e.ts_ms);
    if (t.inProgressSince === undefined && live) t.inProgressSince = e.ts_ms;
    t.leaseEndsAt = live ? task.lease_expires_at_ms : undefined;
    if (e.type === EVENT.taskClaimed) {
      t.firstClaimAt ??= e.ts_ms;
      t.attempts++;
    }
    if (task.status === 'done' && t.doneAt === undefined) {
      t.doneAt = e.ts_ms;
      t.agent = task.assigned_agent ?? task.lease_owner;
    }
    // This task may have become claimable, and — when it is done — so may the tasks waiting on it.
    this.markClaimable(task.id, e.ts_ms);
    if (task.status === 'done' && before !== 'done') for (const id of this.dependents.get(task.id) ?? []) this.markClaimable(id, e.ts_ms);
  }

  private markClaimable(id: string, at: number): void {
    const t = this.tasks.get(id);
    if (!t || t.claimableAt !== undefined || !isClaimableStatus(t.status)) return;
    if (t.deps.every((d) => this.tasks.get(d)?.status === 'done')) t.claimableAt = at;
  }

  result(slices: number): RunStatsResult {
    const tasks: TaskFlow[] = [];
    for (const [id, t] of this.tasks) {
      tasks.push({
        task_id: id,
        task_type: t.type,
        status: t.status,
        attempts: t.attempts,
        ...(t.agent !== undefined ? { agent: t.agent } : {}),
        ...(t.claimableAt !== undefined && t.firstClaimAt !== undefined ? { wait_ms: Math.max(0, t.firstClaimAt - t.claimableAt) } : {}),
        ...(t.doneAt !== undefined && t.firstClaimAt !== undefined ? { work_ms: t.workMs } : {}),
        ...(t.claimableAt !== undefined && t.doneAt !== undefined ? { cycle_ms: Math.max(0, t.doneAt - t.claimableAt) } : {}),
      });
    }
    return {
      seq: this.seq,
      tasks,
      over_time: this.overTime(slices),
      cycle_by_type: cycleBy(tasks, (t) => t.task_type),
      cycle_by_agent: cycleBy(tasks, (t) => t.agent),
    };
  }

  /** `slices` equal slices of the run's time: tasks done in each, and tasks by status at its end. */
  private overTime(slices: number): RunStatsResult['over_time'] {
    if (this.first === undefined || this.last === undefined || slices < 1) return [];
    const span = Math.max(1, this.last - this.first);
    const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
    const out: RunStatsResult['over_time'] = [];
    let c = 0;
    for (let i = 1; i <= slices; i++) {
      const end = this.first + Math.ceil((span * i) / slices);
      let done = 0;
      for (; c < this.changes.length && (this.changes[c].at <= end || i === slices); c++) {
        const ch = this.changes[c];
        if (ch.from) counts[ch.from]--;
        counts[ch.to]++;
        if (ch.to === 'done') done++;
      }
      out.push({ end_ms: end, done, by_status: { ...counts } });
    }
    return out;
  }
}

function cycleBy(tasks: TaskFlow[], key: (t: TaskFlow) => string | undefined): RunStatsResult['cycle_by_type'] {
  const groups = new Map<string, number[]>();
  for (const t of tasks) {
    const k = key(t);
    if (t.cycle_ms === undefined || k === undefined) continue;
    groups.set(k, [...(groups.get(k) ?? []), t.cycle_ms]);
  }
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, ms]) => ({ key: k, tasks: ms.length, mean_ms: Math.round(ms.reduce((a, b) => a + b, 0) / ms.length), p90_ms: p90(ms) }));
}

/** The nearest-rank 90th percentile. */
function p90(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(0.9 * sorted.length) - 1)];
}
