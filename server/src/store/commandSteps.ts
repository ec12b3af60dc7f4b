// The steps of one command on a run's caught-up state, the same in every store; the store's part
// is to run them under the run's lock or in its transaction, and to commit atomically.
import type { EventRecord } from '../../../contract/schemas/records';
import { CommandStamp, findRepeat, stampEvents } from '../engine/commandIndex';
import { decideExpireLeases } from '../engine/taskLifecycle';
import type { CommandOutcome } from './boardStore';
import type { CommandContext } from '../engine/ids';
import type { RunState } from '../engine/state';
import type { WriterClock } from './writerClock';

/**
 * Expired leases are requeued first (unless this process's clock is behind the log's: it leaves
 * them to others), then a repeat of a recorded command is answered without writing, else the
 * command's events are decided, stamped and committed. `commit` appends events with the next
 * seqs and folds them into the state; `committed` collects everything committed, for listeners.
 */
export function commandSteps<T>(
  state: () => RunState,
  clock: WriterClock,
  command: {
    stamp: CommandStamp | undefined;
    decide: (state: RunState, ctx: CommandContext) => EventRecord[];
    result: (applied: EventRecord[], state: RunState, ctx: CommandContext) => T;
  },
  commit: (events: EventRecord[]) => EventRecord[],
  committed: EventRecord[],
): CommandOutcome<T> {
  const ctx = clock.context(state().header.updated_at_ms);
  if (!clock.behind(ctx)) committed.push(...commit(decideExpireLeases(state(), ctx)));
  if (command.stamp) {
    const repeat = findRepeat(state(), command.stamp);
    if (repeat) return { repeat };
  }
  const applied = commit(stampEvents(command.decide(state(), ctx), command.stamp));
  committed.push(...applied);
  return { result: command.result(applied, state(), ctx) };
}
