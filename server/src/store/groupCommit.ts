// Group commit, for any store: commands for one run that arrive while a commit holds the run (its
// lock, or its transaction) wait, then go together — each decided by the shared command steps on
// the state the ones before it left, its events appended — and the store makes the whole group
// durable at once (one fdatasync; one transaction) before anyone is answered. A command's own
// rejection stays its own; a failed write fails the rest of its group.
import type { EventRecord } from '../../../contract/schemas/records';
import type { CommandStamp } from '../engine/commandIndex';
import type { CommandContext } from '../engine/ids';
import type { RunState } from '../engine/state';
import type { CommandOutcome } from './boardStore';
import { commandSteps } from './commandSteps';
import type { WriterClock } from './writerClock';

/** At most this many commands share one commit, so a flood does not hold the run (and the first callers) for long. */
export const MAX_GROUP = 64;

interface QueuedCommand {
  stamp: CommandStamp | undefined;
  decide: (state: RunState, ctx: CommandContext) => EventRecord[];
  result: (applied: EventRecord[], state: RunState, ctx: CommandContext) => unknown;
  resolve: (o: CommandOutcome<unknown>) => void;
  reject: (e: unknown) => void;
}
type GroupOutcome = { outcome: CommandOutcome<unknown> } | { error: unknown };

/**
 * The store's part: `hold` runs `body` while it holds the run, with `append` (events with the next
 * seqs, folded into the state) and `committed` (what listeners hear), and makes what was appended
 * durable before it resolves; when it cannot (the lock, the file, the store) it rejects, and the
 * whole group fails alike. It may run `body` again (on another file): the same group goes again.
 */
export type HoldRun = <R>(body: GroupBody<R>) => Promise<R>;

/**
 * Thrown by `append` when the run changed under the hold in a way that voids this pass (the file
 * store: its log rewritten in place, ignoring the lock): the whole group goes again, not failed.
 */
export class HoldAgain extends Error {}

/** What a group does while its run is held: `append` (events with the next seqs, folded) and `committed` (what listeners hear). */
export type GroupBody<R> = (append: (events: EventRecord[]) => EventRecord[], committed: EventRecord[]) => R;

export class GroupCommit {
  private readonly queued: QueuedCommand[] = [];
  private draining = false;

  constructor(
    private readonly hold: HoldRun,
    private readonly state: () => RunState,
    private readonly clock: WriterClock,
  ) {}

  command<T>(
    stamp: CommandStamp | undefined,
    decide: (state: RunState, ctx: CommandContext) => EventRecord[],
    result: (applied: EventRecord[], state: RunState, ctx: CommandContext) => T,
  ): Promise<CommandOutcome<T>> {
    return new Promise((resolve, reject) => {
      this.queued.push({ stamp, decide, result, resolve, reject } as QueuedCommand);
      if (!this.draining) void this.drain();
    });
  }

  /** Commits the queued commands, a group per hold of the run, until none is left. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queued.length > 0) {
        let group: QueuedCommand[] | undefined;
        let outcomes: GroupOutcome[];
        try {
          outcomes = await this.hold((append, committed) => {
            // Taken once the run is held, so what arrived while it was awaited joins; a second
            // run of the body (on the file now at the path) takes the same group again.
            group ??= this.queued.splice(0, MAX_GROUP);
            return this.commitGroup(group, append, committed);
          });
        } catch (e) {
          for (const c of group ?? this.queued.splice(0, this.queued.length)) c.reject(e);
          continue;
        }
        group!.forEach((c, i) => {
          const o = outcomes[i];
          if ('error' in o) c.reject(o.error);
          else c.resolve(o.outcome);
        });
      }
    } finally {
      this.draining = false;
    }
  }

  private commitGroup(group: QueuedCommand[], append: (events: EventRecord[]) => EventRecord[], committed: EventRecord[]): GroupOutcome[] {
    const out: GroupOutcome[] = [];
    let writeError: unknown;
    const appendOrStop = (events: EventRecord[]) => {
      try {
        return append(events);
      } catch (e) {
        writeError = e;
        throw e;
      }
    };
    for (const c of group) {
      if (writeError !== undefined) {
        out.push({ error: writeError });
        continue;
      }
      try {
        out.push({ outcome: commandSteps(this.state, this.clock, c, appendOrStop, committed) });
      } catch (e) {
        if (e instanceof HoldAgain) throw e;
        out.push({ error: e });
      }
    }
    return out;
  }
}
