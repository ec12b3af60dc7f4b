// A root whose board cannot be opened as its board.json says (a wrong field, credentials in it, a
// database board in an untrusted workspace): the root stays open, every call on it answers with
// why, and the problem is said once as a diagnostic. Nothing falls back to another store, which
// would show — and write — a different board than the one the team shares.
import type { EventRecord } from '../../../contract/schemas/records';
import type { DomainError } from '../engine/errors';
import type { BoardSite, BoardStore, RunLog } from './boardStore';

export class UnusableBoard implements BoardStore {
  readonly shared = false;
  constructor(
    readonly root: string,
    private readonly why: DomainError,
    site: BoardSite,
    file: string,
  ) {
    site.reportOnce(`board:${root}:${why.message}`, { file, message: why.message });
  }

  ready(): Promise<void> {
    return Promise.reject(this.why);
  }

  runIds(): string[] {
    return [];
  }

  openRun(): Promise<RunLog | undefined> {
    return Promise.reject(this.why);
  }

  isLoaded(): boolean {
    return false;
  }

  loadedRuns(): RunLog[] {
    return [];
  }

  createRun(_runId: string, _first: EventRecord[]): Promise<RunLog> {
    return Promise.reject(this.why);
  }

  follow(): { close(): Promise<void> } {
    return { close: async () => undefined };
  }

  close(): void {}
}
