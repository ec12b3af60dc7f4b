// The reads that span a run's log or many runs: listing runs (one that cannot be read is listed as
// such, never hiding the others), events by seq in pages, and the blackboard's patch rows.
import { LIMITS } from '../../../contract/limits';
import type * as R from '../../../contract/results';
import { clamp, ParamsOf } from '../../../contract/schemas/params';
import type { RunRecord } from '../../../contract/schemas/records';
import { patchRowFor } from '../engine/patches';
import { toBlackboard, toRunRecord } from '../engine/state';
import { attentionOf, newestFirst } from '../../../contract/attention';
import { FlowFold } from '../engine/flowMetrics';
import type { RunHistory } from './runHistory';
import { normalizePath, samePath } from './localPaths';
import type { RunLog } from '../store/boardStore';
import type { RunRegistry } from './runRegistry';
import type { RunArchives } from './runArchives';
import { listedAsUnreadable } from './unreadableRuns';

/** Time slices of runStats when the call names none. */
const DEFAULT_SLICES = 20;

export class RunReads {
  /** Each run's flow fold, kept at the seq it reached: a call folds only the events after it. */
  private readonly flows = new WeakMap<RunLog, FlowFold>();

  constructor(
    private readonly registry: RunRegistry,
    private readonly history: RunHistory,
    private readonly archives: RunArchives,
    private readonly clock: () => number,
  ) {}

  /** What needs a person in one run, or in every run of the roots (one that cannot be read is left out: listRuns lists it apart). */
  async listAttention(p: ParamsOf<'listAttention'>): Promise<R.ListAttentionResult> {
    const now = this.clock();
    const runs =
      p.run_id !== undefined ? [await this.registry.current({ root: p.root, run_id: p.run_id })] : await this.caughtUpRuns(p.root);
    // An archived run needs no one: nothing in it can be changed until it is restored (`--run` may name one).
    const items = runs
      .filter((h) => !h.archive)
      .flatMap((h) =>
        attentionOf(
          h.root,
          { ...toRunRecord(h.state), damage: h.damageReport(), lost_events: h.lostEvents() },
          toBlackboard(h.state),
          now,
          this.history.lastReplay(h),
          p.lease_warning_ms,
        ),
      );
    return { items: items.sort(newestFirst), now_ms: now };
  }

  async listRuns(p: ParamsOf<'listRuns'>): Promise<R.ListRunsResult> {
    const limit = clamp(p.limit, 1, 1000, 100);
    const runType = p.run_type?.trim().toLowerCase();
    const source = p.source?.trim().toLowerCase();
    const out: RunRecord[] = [];
    const logs = new Map<RunRecord, RunLog>();
    const unreadable: R.UnreadableRun[] = [];
    // A relative `workspace` resolves against each root (once per root: it may be a real path to look up).
    const workspaces = new Map<string, string | undefined>();
    const workspaceIn = (root: string) => {
      if (!workspaces.has(root)) workspaces.set(root, p.workspace?.trim() ? normalizePath(p.workspace, root) : undefined);
      return workspaces.get(root);
    };
    for (const h of await this.caughtUpRuns(p.root, unreadable)) {
      const run = h.state.header;
      const workspace = workspaceIn(h.root);
      if (workspace !== undefined && !samePath(run.workspace.canonical_path.trim(), workspace)) continue;
      if (runType && run.run_type.trim().toLowerCase() !== runType) continue;
      if (source && run.source_client?.trim().toLowerCase() !== source) continue;
      if (p.status !== undefined && run.status !== p.status) continue;
      const record = toRunRecord(h.state);
      logs.set(record, h);
      out.push(record);
    }
    out.sort((a, b) => b.updated_at_ms - a.updated_at_ms || (a.run_id < b.run_id ? 1 : -1));
    const runs = out.slice(0, limit);
    const sizes = p.sizes ? await this.sizesOf(runs.map((r) => logs.get(r)!)) : undefined;
    const archived = p.archived ? await this.archives.listArchived(p.root, unreadable) : undefined;
    return {
      runs,
      ...(sizes ? { sizes } : {}),
      ...(unreadable.length > 0 ? { unreadable } : {}),
      ...(archived ? { archived } : {}),
    };
  }

  private async sizesOf(runs: RunLog[]): Promise<NonNullable<R.ListRunsResult['sizes']>> {
    const out: NonNullable<R.ListRunsResult['sizes']> = [];
    for (const h of runs) {
      const bytes = await h.diskBytes?.();
      if (bytes !== undefined) out.push({ root: h.root, run_id: h.runId, bytes, ...(h.compacted ? { compacted: true as const } : {}) });
    }
    return out;
  }

  /**
   * Every run of `root` (or of all open roots), loaded and caught up. One that cannot be read (its
   * files, or a newer Runboard's events) does not hide the others: it goes to `unreadable`.
   */
  private async caughtUpRuns(root: string | undefined, unreadable: R.UnreadableRun[] = []): Promise<RunLog[]> {
    const out: RunLog[] = [];
    for (const r of root !== undefined ? [this.registry.resolveRoot(root)] : this.registry.rootPaths()) {
      for (const id of this.registry.runIdsIn(r)) {
        try {
          const h = await this.registry.runIn(r, id);
          await h?.catchUp();
          if (h) out.push(h);
        } catch (e) {
          if (!listedAsUnreadable(e)) throw e;
          unreadable.push({ root: r, run_id: id, message: e.message });
        }
      }
    }
    return out;
  }

  /** Flow metrics of the run, folded from its events on demand (nothing is computed on a commit). */
  // The reads of a run's history follow it when another process moves it while they read (a
  // compacted run restored and compacted anew: RunRegistry.onCurrentRun), read again from the start.

  runStats(p: ParamsOf<'runStats'>): Promise<R.RunStatsResult> {
    return this.registry.onCurrentRun(p, async (h) => {
      let fold = this.flows.get(h);
      // A history replaced under this process (shorter now) is folded again from its start.
      if (!fold || fold.seq > h.lastSeq) this.flows.set(h, (fold = new FlowFold()));
      const into = fold;
      if (into.seq < h.lastSeq) await h.readEvents(into.seq + 1, h.lastSeq, (e) => into.apply(e));
      return into.result(p.slices ?? DEFAULT_SLICES);
    });
  }

  listEvents(p: ParamsOf<'listEvents'>): Promise<R.ListEventsResult> {
    return this.registry.onCurrentRun(p, async (h) => {
      const last = h.lastSeq;
      let from = (p.since_seq ?? 0) + 1;
      if (p.tail !== undefined) from = Math.max(from, last - clamp(p.tail, 0, LIMITS.eventsPerRead, 0) + 1);
      const limit = clamp(p.limit, 1, LIMITS.eventsPerRead, LIMITS.eventsPerRead);
      const to = Math.min(last, from + limit - 1);
      const events = await h.readEvents(from, to);
      return to < last && events.length > 0 ? { events, next_since_seq: to } : { events };
    });
  }

  listPatches(p: ParamsOf<'listPatches'>): Promise<R.ListPatchesResult> {
    return this.registry.onCurrentRun(p, async (h) => {
      const tail = p.tail === undefined ? Infinity : clamp(p.tail, 0, LIMITS.eventsPerRead, 0);
      const rows: R.ListPatchesResult['patches'] = [];
      if (tail === 0) return { patches: rows };
      await h.readEvents((p.since_seq ?? 0) + 1, h.lastSeq, (e) => {
        const row = patchRowFor(e);
        if (!row) return;
        rows.push(row);
        if (rows.length > tail) rows.shift();
      });
      return { patches: rows };
    });
  }
}
