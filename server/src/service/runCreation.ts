// Making a new run: its id and first event decided (a rejected call creates nothing), then made
// on the root's board, which refuses an id already taken — unless the run is this very call's, made
// by an earlier attempt under the same command_id (a repeat, answered as the first time).
import type * as R from '../../../contract/results';
import type { ParamsOf } from '../../../contract/schemas/params';
import { CommandStamp, findRepeat, stampEvents } from '../engine/commandIndex';
import { DomainError } from '../engine/errors';
import { isTransient } from '../../../contract/domainError';
import { assertRunId } from '../engine/ids';
import { decideCreateRun } from '../engine/runDecisions';
import { toRunRecord } from '../engine/state';
import { normalizePath } from './localPaths';
import type { RunHistory } from './runHistory';
import type { RunRegistry } from './runRegistry';
import type { StoreOptions } from '../store/types';

export async function createRun(
  registry: RunRegistry,
  history: RunHistory,
  options: StoreOptions,
  p: ParamsOf<'createRun'>,
  stamp: CommandStamp | undefined,
): Promise<R.Deduped<R.CreateRunResult>> {
  const board = registry.boardForNewRun(p.root);
  const runId = p.run_id ?? options.ids.newId('run');
  assertRunId(runId);
  const bound = p.workspace?.canonical_path?.trim() ? normalizePath(p.workspace.canonical_path, board.root) : undefined;
  const now = board.clock ? await board.clock() : options.clock();
  const events = stampEvents(decideCreateRun(runId, p, bound, { now, ids: options.ids }), stamp);
  try {
    const run = await board.createRun(runId, events);
    return { run: toRunRecord(run.state) };
  } catch (e) {
    const repeat = stamp && e instanceof DomainError && e.code === 'RUN_EXISTS' ? await madeBy(stamp) : undefined;
    if (repeat) return repeat;
    throw e;
  }

  /** The run as its creation left it, when a call under `stamp` created it; COMMAND_ID_CONFLICT when the id went to another request. */
  async function madeBy(s: CommandStamp): Promise<R.Deduped<R.CreateRunResult> | undefined> {
    // A run that cannot be read is no repeat to answer; a board that cannot be reached now is said
    // as that (an outage: the caller tries again), not as RUN_EXISTS for the run this call made.
    const h = await registry.current({ root: board.root, run_id: runId }).catch((e: unknown) => {
      if (isTransient(e)) throw e;
      return undefined;
    });
    const entry = h && findRepeat(h.state, s);
    if (!h || !entry) return undefined;
    return { run: toRunRecord(await history.stateAt(h, entry.last_seq)), deduped: true };
  }
}
