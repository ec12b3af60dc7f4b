// A run's past: checkpoints (made, listed, read), the state right after any seq (the original
// result of a repeated command), and replay — the state at a seq folded from a checkpoint or
// from scratch, compared with what a fresh load yields (drift).
import type * as R from '../../../contract/results';
import type { ParamsOf } from '../../../contract/schemas/params';
import type { ReplayFinding } from '../../../contract/attention';
import { replayFindings } from '../../../contract/replayText';
import type { Checkpoint } from '../../../contract/schemas/records';
import { DomainError } from '../engine/errors';
import { compareCheckpoints, computeDrift } from '../engine/replay';
import { applyEvent, emptyRunState, RunState, stateFromRecords, toBlackboard, toRunRecord } from '../engine/state';
import { checkTextLimit } from '../engine/text';
import type { CheckpointListing, RunLog } from '../store/boardStore';
import type { RunRegistry } from './runRegistry';

export class RunHistory {
  /** Each run's last replay of its whole log: what it found (listAttention's drift). */
  private readonly lastReplays = new WeakMap<RunLog, ReplayFinding>();

  constructor(
    private readonly registry: RunRegistry,
    private readonly clock: () => number,
  ) {}

  /** The run's last replay of its whole log in this process, until the next. */
  lastReplay(h: RunLog): ReplayFinding | undefined {
    return this.lastReplays.get(h);
  }

  async checkpointsOf(h: RunLog): Promise<CheckpointListing[]> {
    const list = await h.listCheckpoints();
    for (const c of list) {
      if (c.unreadable)
        this.registry.reportOnce(`cp:${c.file}`, { run_id: h.runId, file: c.file, message: `Unreadable checkpoint: ${c.problem}` });
    }
    return list;
  }

  async createCheckpoint(p: ParamsOf<'createCheckpoint'>): Promise<R.CreateCheckpointResult> {
    checkTextLimit('reason', p.reason);
    return this.registry.onRun(p, (h) => this.checkpointOf(h, p.reason));
  }

  private async checkpointOf(h: RunLog, reason: string): Promise<R.CreateCheckpointResult> {
    const outcome = await h.command(
      undefined,
      () => [],
      (_a, st, ctx) => ({
        checkpoint_id: ctx.ids.newId('cp'),
        run_id: st.header.run_id,
        seq: st.header.last_event_seq,
        ts_ms: ctx.now,
        reason,
        run: toRunRecord(st),
        blackboard: toBlackboard(st),
      }),
    );
    const checkpoint = (outcome as { result: R.CreateCheckpointResult['checkpoint'] }).result;
    await h.writeCheckpoint(checkpoint);
    return { checkpoint };
  }

  /** Folds events (after, upto] of the log into `state`. */
  private async foldInto(h: RunLog, state: RunState, after: number, upto: number): Promise<number> {
    let n = 0;
    await h.readEvents(after + 1, upto, (e) => {
      applyEvent(state, e);
      n++;
    });
    return n;
  }

  /** The base for a replay up to `upto`: a named checkpoint, the latest readable one at or below it, or nothing. */
  private async replayBase(h: RunLog, upto: number, fromCheckpoint: boolean, checkpointId?: string): Promise<Checkpoint | undefined> {
    if (checkpointId !== undefined) {
      const c = (await this.checkpointsOf(h)).find((x) => x.checkpoint_id === checkpointId);
      if (!c)
        throw new DomainError('CHECKPOINT_NOT_FOUND', `Run ${h.runId} has no checkpoint ${checkpointId}.`, { checkpoint_id: checkpointId });
      if (c.unreadable) {
        throw new DomainError('CHECKPOINT_UNREADABLE', `Checkpoint ${checkpointId} cannot be read: ${c.problem}`, {
          checkpoint_id: checkpointId,
        });
      }
      if (upto < c.seq) {
        throw new DomainError('REPLAY_RANGE_INVALID', `upto_seq ${upto} is before checkpoint ${checkpointId} (seq ${c.seq}).`, {
          checkpoint_seq: c.seq,
          last_seq: h.lastSeq,
        });
      }
      return h.readCheckpoint(c);
    }
    if (!fromCheckpoint) return undefined;
    const usable = (await this.checkpointsOf(h)).filter((c) => !c.unreadable && c.seq <= upto).sort(compareCheckpoints);
    for (let i = usable.length - 1; i >= 0; i--) {
      try {
        return await h.readCheckpoint(usable[i]);
      } catch (e) {
        // The run moved while it was read (ArchivedRun): no checkpoint is at fault; the caller reads it again.
        if (h.gone) throw e;
        this.registry.reportOnce(`cp:${usable[i].file}`, {
          run_id: h.runId,
          file: usable[i].file,
          message: `Unreadable checkpoint: ${(e as Error).message}`,
        });
      }
    }
    return undefined;
  }

  /** The run and blackboard right after `seq` (for repeated commands' original results). */
  async stateAt(h: RunLog, seq: number): Promise<RunState> {
    if (seq === h.lastSeq) return h.state;
    const base = await this.replayBase(h, seq, true);
    const state = base ? stateFromRecords(base.run, base.blackboard) : emptyRunState(h.runId);
    await this.foldInto(h, state, base?.seq ?? 0, seq);
    return state;
  }

  /** What a fresh load yields: what the store keeps besides the events, caught up from the log. */
  private async persistedState(h: RunLog): Promise<RunState> {
    const kept = await h.persisted();
    const empty = emptyRunState(h.runId);
    const state = stateFromRecords(kept.run ?? toRunRecord(empty), kept.blackboard ?? empty.blackboard);
    const from = Math.min(state.header.last_event_seq, state.blackboard.last_event_seq);
    state.commandsSeq = h.lastSeq; // the command index is not compared
    await this.foldInto(h, state, from, h.lastSeq);
    return state;
  }

  /** Followed when another process moves the run while it is read (RunRegistry.onCurrentRun). */
  replay(p: ParamsOf<'replay'>): Promise<R.ReplayResult> {
    return this.registry.onCurrentRun(p, (h) => this.replayOf(h, p));
  }

  private async replayOf(h: RunLog, p: ParamsOf<'replay'>): Promise<R.ReplayResult> {
    const last = h.lastSeq;
    const upto = p.upto_seq ?? last;
    if (upto < 1 || upto > last) {
      throw new DomainError('REPLAY_RANGE_INVALID', `upto_seq must be within 1..${last}.`, { last_seq: last });
    }
    const base = await this.replayBase(h, upto, p.from_checkpoint ?? true, p.checkpoint_id);
    const state = base ? stateFromRecords(base.run, base.blackboard) : emptyRunState(h.runId);
    state.commandsSeq = last;
    const applied = await this.foldInto(h, state, base?.seq ?? 0, upto);
    const persisted = await this.persistedState(h);
    const replay = toRunRecord(state);
    const replayBlackboard = toBlackboard(state);
    const persistedRun = toRunRecord(persisted);
    const persistedBlackboard = toBlackboard(persisted);
    const drift = computeDrift(replay, replayBlackboard, persistedRun, persistedBlackboard);
    // A replay of the whole log is the run's last word on drift until the next one.
    if (upto === last)
      this.lastReplays.set(h, {
        seq: last,
        at_ms: this.clock(),
        flags: replayFindings({ drift, replay, persisted: persistedRun }).flags,
      });
    return {
      run_id: h.runId,
      from_checkpoint: base !== undefined,
      checkpoint_seq: base ? base.seq : null,
      events_applied: applied,
      replay,
      replay_blackboard: replayBlackboard,
      persisted: persistedRun,
      persisted_blackboard: persistedBlackboard,
      drift,
    };
  }
}
