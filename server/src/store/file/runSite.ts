// What a run's handle in the file store is given: where the run lives and whom it tells.
import type { Diagnostic } from '../../../../contract/diagnostic';
import type { CommitNotice, ResetNotice, StoreOptions } from '../types';
import type { RunReader } from './runReader';

/** Where a run lives and whom it tells about commits and problems. */
export interface RunSite {
  root: string;
  runId: string;
  dir: string;
  opts: StoreOptions;
  emitCommit: (n: CommitNotice) => void;
  emitDiagnostic: (d: Diagnostic) => void;
  /** The run's history was replaced under this process: what listeners had is no longer the log. */
  emitReset?: (n: ResetNotice) => void;
  /** This run is about to use its files: the store keeps the number of runs with open descriptors bounded. */
  touched?: (run: RunReader) => void;
}

/** An event of the log, by seq and event_id (seq 0: before the first). */
export interface LogPoint {
  seq: number;
  id: string | undefined;
}
