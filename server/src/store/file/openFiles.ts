// The bound on open descriptors across every board of the file store: each run in use holds two
// or three, so the least recently used runs beyond OPEN_RUNS close theirs (reopened on their next
// use) and thousands of runs work under a limit of 1,024 open files.
import type { RunReader } from './runReader';

/** At most this many runs keep descriptors open. */
const OPEN_RUNS = 128;

export class OpenFiles {
  /** Runs that may hold open descriptors, least recently used first (Map order). */
  private readonly withFiles = new Map<RunReader, true>();

  /** A run is about to use its files: it becomes the most recent. */
  readonly touched = (h: RunReader): void => {
    this.withFiles.delete(h);
    this.withFiles.set(h, true);
    if (this.withFiles.size <= OPEN_RUNS) return;
    for (const old of this.withFiles.keys()) {
      if (this.withFiles.size <= OPEN_RUNS) break;
      this.withFiles.delete(old);
      old.releaseFiles();
    }
  };

  /** A run closed for good. */
  forget(h: RunReader): void {
    this.withFiles.delete(h);
  }
}
