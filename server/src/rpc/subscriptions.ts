// runboard/subscribe: per subscription and run, the highest seq delivered. Every delivery
// sends exactly the events after it, from the commit notice when it covers them and from
// disk otherwise — so replay and live phases join without gaps or repeats, and runs created
// later (or appended to by other processes) are picked up by the same rule.
//
// Memory stays bounded whatever the logs' size and however slowly a client reads: each
// subscription keeps only the set of runs with something to deliver (and each one's latest
// commit notice), and one pump per subscription sends a page of at most BATCH events at a time,
// read from disk, waiting until the connection has written a page before it reads the next.
import { DomainError } from '../engine/errors';
import { assertRunId } from '../engine/ids';
import { EventRecord } from '../../../contract/schemas/records';
import { clamp } from '../../../contract/schemas/params';
import type { Cursor, DiagnosticNotificationParams, EventsNotificationParams, RunResetNotificationParams } from '../protocol';
import type { PageCursor, RunLog } from '../store/boardStore';
import { RunService } from '../service/runService';
import { fromRunKey, runKey } from '../service/runKey';
import { CommitNotice, ResetNotice } from '../store/types';
import { LIMITS } from '../../../contract/limits';

const BATCH = 1000;

interface Subscription {
  id: string;
  /** Roots covered (normalized). */
  roots: string[];
  /** Named runs (each with its root), or undefined = every run of `roots`, including later ones. */
  named?: Map<string, string>;
  /** run_id → root it is followed in (a run id present in two roots without `root` is left out). */
  runRoot: Map<string, string>;
  excluded: Set<string>;
  delivered: Map<string, number>;
  initialCursor: Map<string, number>;
  tail?: number;
  /** root + run_id of the runs that existed when the replay started (or their root joined): the
   *  only ones `tail` applies to. A run created later is new from its first event on. */
  preexisting: Set<string>;
  /** Subscribed without `root`: roots opened later join it. */
  allRoots: boolean;
  ready: boolean;
  /** Runs with something to deliver (runKey), with the latest commit notice seen for each. */
  dirty: Map<string, CommitNotice | undefined>;
  pumping: boolean;
}

export class SubscriptionHub {
  private readonly subs = new Map<string, Subscription>();
  private counter = 0;

  constructor(
    private readonly store: RunService,
    /** Resolves when the notification was written to the connection (a slow reader slows the pump). */
    private readonly sendEvents: (p: EventsNotificationParams) => Promise<void> | void,
    private readonly sendDiagnostic: (d: DiagnosticNotificationParams) => void,
    private readonly sendReset: (r: RunResetNotificationParams) => void,
  ) {}

  async subscribe(p: { root?: string; run_ids?: string[]; cursor?: Cursor; tail?: number }): Promise<{ subscription_id: string }> {
    const roots = p.root !== undefined ? [this.store.resolveRoot(p.root)] : this.store.rootPaths();
    // A database board lists its runs once connected.
    await this.store.ready();
    let named: Map<string, string> | undefined;
    if (p.run_ids) {
      named = new Map();
      for (const runId of p.run_ids) {
        assertRunId(runId);
        // Looked up, not only listed: a run another machine made a moment ago is found too.
        const where: string[] = [];
        // One that cannot be read is there too (its deliveries say nothing, as for every unreadable run).
        for (const r of roots) {
          if (
            await this.store.runIn(r, runId).then(
              (h) => h !== undefined,
              () => true,
            )
          )
            where.push(r);
        }
        if (where.length === 0) throw new DomainError('RUN_NOT_FOUND', `No run ${runId}.`, { run_id: runId });
        if (where.length > 1) {
          throw new DomainError('ROOT_REQUIRED', `Run ${runId} exists in ${where.length} roots; say which with root.`, { run_id: runId });
        }
        named.set(runId, where[0]);
      }
    }
    const id = `sub-${++this.counter}`;
    const sub: Subscription = {
      id,
      roots,
      named,
      runRoot: new Map(named ?? []),
      excluded: new Set(),
      delivered: new Map(),
      initialCursor: new Map(Object.entries(p.cursor ?? {})),
      tail: p.tail === undefined ? undefined : clamp(p.tail, 0, LIMITS.eventsPerRead, 0),
      preexisting: new Set(),
      allRoots: p.root === undefined,
      ready: false,
      dirty: new Map(),
      pumping: false,
    };
    this.subs.set(id, sub);
    // The replay starts after the response is written (a macrotask after the reply is queued).
    setImmediate(() => this.start(sub));
    return { subscription_id: id };
  }

  unsubscribe(id: string): Record<string, never> {
    this.subs.delete(id);
    return {};
  }

  /** Its connection closed: every subscription ends (a pump stops before its next page). */
  dispose(): void {
    this.subs.clear();
  }

  /** Roots were removed: their runs leave every subscription. */
  dropRoot(root: string): void {
    for (const sub of this.subs.values()) {
      sub.roots = sub.roots.filter((r) => r !== root);
      for (const [runId, r] of sub.runRoot) if (r === root) sub.runRoot.delete(runId);
    }
  }

  /** A root was added: subscriptions over all roots (no `root`) now cover it. */
  addRoot(root: string): void {
    for (const sub of this.subs.values()) {
      if (sub.allRoots && !sub.named && !sub.roots.includes(root)) {
        sub.roots.push(root);
        if (sub.ready) {
          for (const runId of this.store.runIdsIn(root)) {
            sub.preexisting.add(runKey(root, runId));
            this.onCommit({ root, run_id: runId, events: [], last_seq: 0 });
          }
        }
      }
    }
  }

  private start(sub: Subscription): void {
    if (!this.subs.has(sub.id)) return;
    sub.ready = true;
    if (sub.named) {
      for (const [runId, root] of sub.named) {
        sub.preexisting.add(runKey(root, runId));
        this.schedule(sub, root, runId, undefined);
      }
      return;
    }
    const seen = new Map<string, string[]>();
    for (const root of sub.roots) {
      for (const runId of this.store.runIdsIn(root)) {
        sub.preexisting.add(runKey(root, runId));
        seen.set(runId, [...(seen.get(runId) ?? []), root]);
      }
    }
    for (const [runId, roots] of seen) {
      if (roots.length === 1) this.schedule(sub, roots[0], runId, undefined);
      else this.exclude(sub, runId, roots);
    }
  }

  private exclude(sub: Subscription, runId: string, roots: string[]): void {
    if (sub.excluded.has(runId)) return;
    sub.excluded.add(runId);
    sub.runRoot.delete(runId);
    this.sendDiagnostic({
      run_id: runId,
      file: roots.join(', '),
      message: `Run ${runId} exists in ${roots.length} roots; subscription ${sub.id} leaves it out. Subscribe with root to follow one.`,
    });
  }

  onCommit(n: CommitNotice): void {
    for (const sub of this.subs.values()) {
      if (!sub.ready || !sub.roots.includes(n.root) || sub.excluded.has(n.run_id)) continue;
      const followed = sub.runRoot.get(n.run_id);
      if (followed === undefined) {
        if (sub.named) continue;
        const elsewhere = sub.roots.filter((r) => r !== n.root && this.store.runIdsIn(r).includes(n.run_id));
        if (elsewhere.length > 0) {
          this.exclude(sub, n.run_id, [n.root, ...elsewhere]);
          continue;
        }
      } else if (followed !== n.root) continue;
      this.schedule(sub, n.root, n.run_id, n);
    }
  }

  /**
   * A run's history was replaced: every subscription that follows it is told, and goes on from
   * the new log's last seq (what it delivered before may not be in the log any more).
   */
  onReset(n: ResetNotice): void {
    for (const sub of this.subs.values()) {
      if (!sub.ready || sub.runRoot.get(n.run_id) !== n.root) continue;
      sub.delivered.set(n.run_id, n.last_seq);
      this.sendReset({
        subscription_id: sub.id,
        root: n.root,
        run_id: n.run_id,
        last_seq: n.last_seq,
        cursor: Object.fromEntries(sub.delivered),
      });
    }
  }

  /** Marks a run as having something to deliver, and starts the subscription's pump when it is idle. */
  private schedule(sub: Subscription, root: string, runId: string, notice: CommitNotice | undefined): void {
    sub.runRoot.set(runId, root);
    const key = runKey(root, runId);
    sub.dirty.set(key, notice ?? sub.dirty.get(key));
    if (!sub.pumping) void this.pump(sub);
  }

  private async pump(sub: Subscription): Promise<void> {
    sub.pumping = true;
    try {
      while (sub.dirty.size > 0 && this.subs.has(sub.id)) {
        const [key, notice] = sub.dirty.entries().next().value!;
        sub.dirty.delete(key);
        const [root, runId] = fromRunKey(key);
        await this.deliver(sub, root, runId, notice);
      }
    } finally {
      sub.pumping = false;
    }
  }

  /** Sends the run's events after what this subscription has delivered, up to the run's last seq, a page at a time. */
  private async deliver(sub: Subscription, root: string, runId: string, notice: CommitNotice | undefined): Promise<void> {
    if (sub.runRoot.get(runId) !== root) return;
    let last: number;
    let h: RunLog;
    try {
      const found = await this.store.runIn(root, runId);
      if (!found) return;
      h = found;
      last = notice ? Math.max(notice.last_seq, h.lastSeq) : h.lastSeq;
    } catch {
      return;
    }
    if (!sub.delivered.has(runId)) {
      const c = sub.initialCursor.get(runId);
      const tail = sub.preexisting.has(runKey(root, runId)) ? sub.tail : undefined;
      sub.delivered.set(runId, c !== undefined ? c : tail !== undefined ? Math.max(0, last - tail) : 0);
    }
    /** Where the next page starts in the log, while it follows on from the last page sent. */
    let resume: PageCursor | undefined;
    for (;;) {
      // Read again every page: a runboard/runReset may have moved it meanwhile.
      const after = sub.delivered.get(runId)!;
      if (last <= after || !this.subs.has(sub.id)) return;
      const to = Math.min(last, after + BATCH);
      const first = notice?.events[0]?.seq;
      let page: EventRecord[];
      if (notice && first !== undefined && first <= after + 1 && notice.events[notice.events.length - 1].seq >= to) {
        page = notice.events.filter((e) => e.seq > after && e.seq <= to);
      } else {
        try {
          const read = await h.readPage(after + 1, to, resume);
          page = read.events;
          resume = read.next;
        } catch {
          return;
        }
        // A reset, or another delivery, may have moved the cursor while the page was read: read again from it.
        if (sub.delivered.get(runId) !== after) {
          resume = undefined;
          continue;
        }
      }
      if (page.length === 0) return;
      sub.delivered.set(runId, page[page.length - 1].seq);
      await this.sendEvents({ subscription_id: sub.id, events: page, cursor: Object.fromEntries(sub.delivered) });
    }
  }
}
