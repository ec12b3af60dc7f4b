// Archived runs (PROTOCOL.md §Archived runs): archiving a run — a finished one, or with `force`
// any, its leases requeued first —, restoring it, and listing the archives. The board keeps the
// files (or rows); this says when a run may go and what a caller is told.
import type * as R from '../../../contract/results';
import type { ParamsOf } from '../../../contract/schemas/params';
import type { Task } from '../../../contract/schemas/records';
import { isFinishedTask, isTerminal } from '../../../contract/statuses';
import { worktreeOpen } from '../../../contract/taskRules';
import { DomainError } from '../engine/errors';
import { listedAsUnreadable } from './unreadableRuns';
import { type RunState, toRunRecord } from '../engine/state';
import { decideRequeue } from '../engine/taskLifecycle';
import { checkTextLimit } from '../engine/text';
import type { ArchiveNote, BoardStore, RunLog } from '../store/boardStore';
import type { RunRegistry } from './runRegistry';
import { archivedError } from '../../../contract/writeRefusals';

const ARCHIVED_BY_DEFAULT = 'runboard';

export class RunArchives {
  constructor(
    private readonly registry: RunRegistry,
    private readonly clock: () => number,
  ) {}

  /** Archives a run; one another process moves meanwhile (archives, compacts, restores it) is followed (RunRegistry.onCurrentRun). */
  async archiveRun(p: ParamsOf<'archiveRun'>): Promise<R.ArchiveRunResult> {
    checkTextLimit('reason', p.reason);
    return this.registry.onCurrentRun(p, async (h) => {
      // Archived already (a repeat): the archive as it is.
      if (h.archive) return { archived: archivedInfo(h), requeued: [], already_archived: true };
      const board = this.registry.board(h.root);
      if (!board.archiveRun) throw notKept(h.root);
      // A compacted run is restored first: an archive is made of a live run.
      if (h.compacted) h = await board.restoreRun!(h.runId);
      const by = p.by?.trim() || ARCHIVED_BY_DEFAULT;
      const requeued = p.force ? await this.requeueLeases(h, by, p.reason) : [];
      const note = { at_ms: this.clock(), by, ...(p.reason?.trim() ? { reason: p.reason.trim() } : {}) };
      // What a forced archive leaves on disk, said: no list shows it after.
      const { info, open } = await this.hold(board, h.runId, p.force === true, note);
      return { archived: info, requeued, ...(open.length > 0 ? { worktrees_left: open.map(worktreeLeft) } : {}) };
    });
  }

  /** Compacts a finished run in place: as archiveRun without force, but the run stays the board's. */
  async compactRun(p: ParamsOf<'compactRun'>): Promise<R.CompactRunResult> {
    return this.registry.onCurrentRun(p, async (h) => {
      if (h.compacted) return { compacted: archivedInfo(h) };
      if (h.archive) throw archivedError(h.runId);
      const board = this.registry.board(h.root);
      if (!board.archiveRun) throw notKept(h.root);
      return {
        compacted: (await this.hold(board, h.runId, false, { at_ms: this.clock(), by: p.by?.trim() || ARCHIVED_BY_DEFAULT, compact: true }))
          .info,
      };
    });
  }

  /**
   * Archives (or, with `note.compact`, compacts) a live run — only a finished one unless `force` —
   * and answers it as it is held now, with the tasks whose worktrees it left on disk (an archive's).
   */
  private async hold(
    board: BoardStore,
    runId: string,
    force: boolean,
    note: ArchiveNote,
  ): Promise<{ info: R.ArchivedRunInfo; open: Task[] }> {
    let open: Task[] = [];
    await board.archiveRun!(runId, (state) => (open = assertArchivable(state, force, note.compact === true)), note);
    const held = await (note.compact ? board.openCompacted?.(runId) : board.openArchived?.(runId));
    if (held) return { info: archivedInfo(held), open };
    // A write restored the compacted run at once: RUN_NOT_FOUND on a handle gone, so compactRun looks again (onRun) and compacts it anew.
    if (note.compact)
      throw new DomainError('RUN_NOT_FOUND', `Run ${runId} was restored by a write as it was compacted.`, { run_id: runId });
    throw new DomainError('STORAGE_ERROR', `Run ${runId} was archived and then went missing.`, { run_id: runId });
  }

  /** Restores a run; one another process moves meanwhile (compacts it again, say) is followed (RunRegistry.onCurrentRun). */
  async restoreRun(p: ParamsOf<'restoreRun'>): Promise<R.RestoreRunResult> {
    return this.registry.onCurrentRun(p, async (h) => {
      const board = this.registry.board(h.root);
      // Live already (a repeat, or never archived): the run as it is (the board tidies a leftover archive).
      const live = !h.archive && !h.compacted ? ({ already_live: true } as const) : {};
      if (!board.restoreRun) {
        if (live.already_live) return { run: toRunRecord(h.state), ...live };
        throw notKept(h.root);
      }
      const restored = await board.restoreRun(h.runId);
      return { run: toRunRecord(restored.state), ...live };
    });
  }

  /**
   * The archived runs of `root` (or every open root), newest archive first. One that cannot be read
   * goes to `unreadable`, as listRuns does with live runs: it does not hide the others.
   */
  async listArchived(root: string | undefined, unreadable: R.UnreadableRun[]): Promise<R.ArchivedRunInfo[]> {
    const out: R.ArchivedRunInfo[] = [];
    for (const r of root !== undefined ? [this.registry.resolveRoot(root)] : this.registry.rootPaths()) {
      const board = this.registry.board(r);
      for (const id of (await board.archivedRunIds?.()) ?? []) {
        try {
          const a = await board.openArchived?.(id);
          if (a?.archive) out.push(archivedInfo(a));
        } catch (e) {
          if (!listedAsUnreadable(e)) throw e;
          unreadable.push({ root: r, run_id: id, message: e.message });
        }
      }
    }
    return out.sort((a, b) => b.archived_at_ms - a.archived_at_ms || (a.run_id < b.run_id ? -1 : 1));
  }

  /** Takes back every live lease (one command per task: each a requeue as a person's would be). */
  private async requeueLeases(h: RunLog, by: string, reason: string | undefined): Promise<string[]> {
    const held = [...h.state.tasks.values()].filter((t) => t.status === 'in_progress').map((t) => t.id);
    for (const task_id of held) {
      await h.command(
        undefined,
        (st, ctx) =>
          st.tasks.get(task_id)?.status === 'in_progress'
            ? decideRequeue(st, { task_id, force: true, agent_id: by, reason: reason?.trim() || 'the run is being archived' }, ctx)
            : [],
        () => undefined,
      );
    }
    return held;
  }
}

/**
 * Under the run's lock: only a finished run goes (compacted: never forced), never with a task in
 * progress, and — archived, unless forced — never with a task's worktree still on disk: an archived
 * run lists nothing, so a kept worktree's uncommitted changes would be forgotten. Returns the tasks
 * whose worktrees are still on disk (none for a compaction, which keeps the run listed).
 */
function assertArchivable(state: RunState, force: boolean, compact: boolean): Task[] {
  const { run_id, status } = state.header;
  const open = compact ? [] : [...state.tasks.values()].filter(worktreeOpen);
  // Said with the first refusal too: a person who archives anyway then knows what goes out of sight.
  const worktrees = open.length > 0 ? `task worktrees still on disk (${open.map((t) => `${t.id}: ${t.worktree!.state}`).join(', ')})` : '';
  if (!force && !isTerminal(status)) {
    throw new DomainError(
      'RUN_NOT_FINISHED',
      compact
        ? `Run ${run_id} is ${status}: only finished runs are compacted. Finish it first (complete, fail or cancel).`
        : `Run ${run_id} is ${status}: only finished runs are archived. Finish it, or archive it anyway with force (its leases are requeued first${worktrees ? `; its ${worktrees} would no longer be listed` : ''}).`,
      { run_id, status },
    );
  }
  const held = [...state.tasks.values()].filter((t) => t.status === 'in_progress').map((t) => t.id);
  if (held.length > 0) {
    throw new DomainError(
      'TASKS_IN_PROGRESS',
      compact
        ? `Run ${run_id} has tasks in progress (${held.join(', ')}): a run is compacted with none. Requeue them (with force) or let their holders finish, then compact it.`
        : `Run ${run_id} has tasks in progress (${held.join(', ')}); archive it with force to requeue them first.`,
      {
        run_id,
        task_ids: held,
      },
    );
  }
  if (!force && open.length > 0) {
    throw new DomainError(
      'WORKTREES_OPEN',
      `Run ${run_id} has ${worktrees}; archived, it would no longer list them. Settle them first (${howToSettle(run_id, open)}), or archive it anyway with force.`,
      { run_id, task_ids: open.map((t) => t.id) },
    );
  }
  return open;
}

/** A task's worktree still on disk (worktree.state active or kept), as an archive's result names it. */
function worktreeLeft(t: Task): NonNullable<R.ArchiveRunResult['worktrees_left']>[number] {
  const wt = t.worktree!;
  return { task_id: t.id, path: wt.path, branch: wt.branch, state: wt.state as 'active' | 'kept' };
}

/**
 * What settles the worktrees still on disk: `worktree prune` those of finished tasks; a task not
 * finished (a finished run's leftover, or one an archive with force requeued) keeps its worktree
 * until it is cancelled (or done), which settles it — prune leaves it alone.
 */
function howToSettle(runId: string, open: readonly Task[]): string {
  const unfinished = open.filter((t) => !isFinishedTask(t.status)).map((t) => t.id);
  const ways: string[] = [];
  if (unfinished.length === 1) {
    ways.push(
      `task ${unfinished[0]} is not finished: cancel it (\`runboard --run ${runId} tasks cancel ${unfinished[0]}\`), which settles its worktree`,
    );
  } else if (unfinished.length > 1) {
    ways.push(
      `tasks ${unfinished.join(', ')} are not finished: cancel them (\`runboard --run ${runId} tasks cancel <task_id>\`), which settles their worktrees`,
    );
  }
  if (unfinished.length < open.length)
    ways.push(
      '`runboard worktree prune` settles those of finished tasks; a kept one holds uncommitted changes: commit or discard them there',
    );
  return ways.join('; ');
}

/** An archived (or compacted) run as listed. */
export function archivedInfo(h: RunLog): R.ArchivedRunInfo {
  const { run_id, objective, status } = h.state.header;
  return { root: h.root, run_id, objective, status, last_seq: h.lastSeq, ...(h.archive ?? h.compacted)! };
}

function notKept(root: string): DomainError {
  return new DomainError('STORAGE_ERROR', `The board of ${root} keeps no archive yet (a database board): its runs stay live.`, { root });
}
