// Making a new run: its id and first event decided (a rejected call creates nothing), then made
// on the root's board, which refuses an id already taken.
import type * as R from '../../../contract/results';
import type { ParamsOf } from '../../../contract/schemas/params';
import { assertRunId } from '../engine/ids';
import { decideCreateRun } from '../engine/runDecisions';
import { toRunRecord } from '../engine/state';
import { normalizePath } from './localPaths';
import type { RunRegistry } from './runRegistry';
import type { StoreOptions } from '../store/types';

export async function createRun(registry: RunRegistry, options: StoreOptions, p: ParamsOf<'createRun'>): Promise<R.CreateRunResult> {
  const board = registry.boardForNewRun(p.root);
  const runId = p.run_id ?? options.ids.newId('run');
  assertRunId(runId);
  const bound = p.workspace?.canonical_path?.trim() ? normalizePath(p.workspace.canonical_path, board.root) : undefined;
  const now = board.clock ? await board.clock() : options.clock();
  const events = decideCreateRun(runId, p, bound, { now, ids: options.ids });
  const run = await board.createRun(runId, events);
  return { run: toRunRecord(run.state) };
}
