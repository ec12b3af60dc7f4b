// Where things live: a root's .runboard/runs/<run_id>/ folder (built only from a validated id)
// and path normalization for roots and workspace bindings (absolute, resolved, real path when
// it exists).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNBOARD_DIR, RUNS_DIR } from '../../../contract/layout';
import { assertRunId } from '../engine/ids';

export function runsDir(root: string): string {
  return path.join(root, RUNBOARD_DIR, RUNS_DIR);
}

export function runDir(root: string, runId: string): string {
  assertRunId(runId);
  return path.join(runsDir(root), runId);
}

/** A `file://` URI or a path, resolved against `base`, through symlinks where it exists. */
export function normalizePath(input: string, base: string): string {
  let p = input.trim();
  if (/^file:\/\//i.test(p)) p = fileURLToPath(p);
  p = path.resolve(base, p);
  try {
    p = fs.realpathSync.native(p);
  } catch {
    // A path that does not exist (yet) is compared as resolved.
  }
  if (process.platform === 'win32') p = p.toLowerCase();
  return p;
}
