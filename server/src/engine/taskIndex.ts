// Indexes over a run's tasks so that claiming and lease expiry never scan the whole board:
// dependency counters, a ready queue in claim order and a lease-expiry queue. Both queues use
// lazy deletion (an entry is valid only while the task still has the rev it was queued with).
import { MinHeap } from './heap';
import { Task } from '../../../contract/schemas/records';
import { isClaimableStatus, type TaskStatus } from '../../../contract/statuses';
import { isOpenDependency, leaseExpiry } from '../../../contract/taskRules';

interface ReadyEntry {
  id: string;
  rev: number;
  priority: number;
  created: number;
  order: number;
}

interface LeaseEntry {
  id: string;
  rev: number;
  expires: number;
}

const readyFirst = (a: ReadyEntry, b: ReadyEntry) =>
  a.priority !== b.priority ? a.priority > b.priority : a.created !== b.created ? a.created < b.created : a.order < b.order;

const expiresFirst = (a: LeaseEntry, b: LeaseEntry) => a.expires < b.expires;

export class TaskIndex {
  private readonly order = new Map<string, number>();
  private readonly unfinishedDeps = new Map<string, number>();
  private readonly dependents = new Map<string, string[]>();
  private ready = new MinHeap<ReadyEntry>(readyFirst);
  private leases = new MinHeap<LeaseEntry>(expiresFirst);
  private readonly byStatus = new Map<TaskStatus, number>();

  constructor(private readonly tasks: ReadonlyMap<string, Task>) {}

  /** How many tasks have this status. */
  count(status: TaskStatus): number {
    return this.byStatus.get(status) ?? 0;
  }

  /** Dependencies of `id` that are missing or not done (a missing one blocks forever). */
  unfinishedDependencyCount(id: string): number {
    return this.unfinishedDeps.get(id) ?? 0;
  }

  /** Call after `tasks` was updated from `prev` to `next`. */
  onUpsert(prev: Task | undefined, next: Task): void {
    if (prev) this.byStatus.set(prev.status, this.count(prev.status) - 1);
    this.byStatus.set(next.status, this.count(next.status) + 1);
    if (!prev) {
      this.order.set(next.id, this.order.size);
      this.registerDependencies(next);
    } else if (!sameList(prev.depends_on_task_ids, next.depends_on_task_ids)) {
      this.unregisterDependencies(prev);
      this.registerDependencies(next);
    }
    const wasDone = prev !== undefined && !isOpenDependency(prev);
    const isDone = !isOpenDependency(next);
    if (wasDone !== isDone) {
      for (const d of this.dependents.get(next.id) ?? []) {
        const n = (this.unfinishedDeps.get(d) ?? 0) + (isDone ? -1 : 1);
        this.unfinishedDeps.set(d, n);
        if (n === 0) this.queueIfReady(d);
      }
    }
    this.queueIfReady(next.id);
    if (next.status === 'in_progress') this.leases.push({ id: next.id, rev: next.task_rev, expires: leaseExpiry(next) });
    this.compactIfBloated();
  }

  /**
   * The first task in claim order (priority desc, created asc, list order) that passes
   * `accept`. Index maintenance only: stale entries are dropped, valid ones stay queued.
   */
  firstReady(accept: (task: Task) => boolean): Task | undefined {
    const skipped: ReadyEntry[] = [];
    let found: Task | undefined;
    for (;;) {
      const entry = this.ready.pop();
      if (!entry) break;
      const task = this.validReady(entry);
      if (!task) continue;
      skipped.push(entry);
      if (accept(task)) {
        found = task;
        break;
      }
    }
    for (const e of skipped) this.ready.push(e);
    return found;
  }

  /** In-progress tasks whose lease ended at or before `now`, earliest first. */
  expiredLeases(now: number): Task[] {
    const out: Task[] = [];
    const keep: LeaseEntry[] = [];
    for (;;) {
      const top = this.leases.peek();
      if (!top || top.expires > now) break;
      this.leases.pop();
      const task = this.validLease(top);
      if (!task) continue;
      keep.push(top);
      out.push(task);
    }
    for (const e of keep) this.leases.push(e);
    return out;
  }

  /** The earliest lease expiry of an in-progress task, if any. */
  nextLeaseExpiry(): number | undefined {
    for (;;) {
      const top = this.leases.peek();
      if (!top) return undefined;
      if (this.validLease(top)) return top.expires;
      this.leases.pop();
    }
  }

  private validReady(e: ReadyEntry): Task | undefined {
    const t = this.tasks.get(e.id);
    return t && t.task_rev === e.rev && isClaimableStatus(t.status) && this.unfinishedDependencyCount(t.id) === 0 ? t : undefined;
  }

  private validLease(e: LeaseEntry): Task | undefined {
    const t = this.tasks.get(e.id);
    return t && t.task_rev === e.rev && t.status === 'in_progress' ? t : undefined;
  }

  private queueIfReady(id: string): void {
    const t = this.tasks.get(id);
    if (!t || !isClaimableStatus(t.status) || this.unfinishedDependencyCount(id) !== 0) return;
    this.ready.push({ id, rev: t.task_rev, priority: t.priority, created: t.created_ts, order: this.order.get(id) ?? 0 });
  }

  private registerDependencies(task: Task): void {
    let unfinished = 0;
    for (const dep of new Set(task.depends_on_task_ids)) {
      const list = this.dependents.get(dep);
      if (list) list.push(task.id);
      else this.dependents.set(dep, [task.id]);
      if (isOpenDependency(this.tasks.get(dep))) unfinished++;
    }
    this.unfinishedDeps.set(task.id, unfinished);
  }

  private unregisterDependencies(task: Task): void {
    for (const dep of new Set(task.depends_on_task_ids)) {
      const list = this.dependents.get(dep);
      if (list)
        this.dependents.set(
          dep,
          list.filter((d) => d !== task.id),
        );
    }
    this.unfinishedDeps.set(task.id, 0);
  }

  /** Stale entries accumulate when queued tasks change without being claimed; rebuild then. */
  private compactIfBloated(): void {
    const limit = 2 * this.tasks.size + 1024;
    if (this.ready.size > limit) {
      const old = this.ready;
      this.ready = new MinHeap<ReadyEntry>(readyFirst);
      for (let e = old.pop(); e; e = old.pop()) if (this.validReady(e)) this.ready.push(e);
    }
    if (this.leases.size > limit) {
      const old = this.leases;
      this.leases = new MinHeap<LeaseEntry>(expiresFirst);
      for (let e = old.pop(); e; e = old.pop()) if (this.validLease(e)) this.leases.push(e);
    }
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
