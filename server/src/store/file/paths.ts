// Where a run lives in the file store: a root's .runboard/runs/<run_id>/ folder, built only from a validated id.
import * as path from 'node:path';
import { RUNBOARD_DIR, RUNS_DIR } from '../../../../contract/layout';
import { assertRunId } from '../../engine/ids';

export function runsDir(root: string): string {
  return path.join(root, RUNBOARD_DIR, RUNS_DIR);
}

export function runDir(root: string, runId: string): string {
  assertRunId(runId);
  return path.join(runsDir(root), runId);
}
