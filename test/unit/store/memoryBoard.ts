// A second implementation of the store interface, in memory, for the conformance suite: if the
// service runs every method through it, nothing above the interface depends on files. Commits
// are serialised per run by a promise chain (its "lock"); each is checked to take the next seqs.
import type { Checkpoint, EventRecord } from '../../../contract/schemas/records';
import { DomainError } from '../../../server/src/engine/errors';
import { applyEvent, emptyRunState, RunState, toBlackboard, toRunRecord } from '../../../server/src/engine/state';
import type { BoardSite, BoardStore, CheckpointListing, CommandOutcome, RunLog } from '../../../server/src/store/boardStore';
import { commandSteps } from '../../../server/src/store/commandSteps';
import { WriterClock } from '../../../server/src/store/writerClock';

class MemoryRun implements RunLog {
  readonly state: RunState;
  readonly gone = false;
  private readonly events: EventRecord[] = [];
  private readonly checkpoints: Checkpoint[] = [];
  private readonly clock: WriterClock;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly root: string,
    readonly runId: string,
    private readonly site: BoardSite,
  ) {
    this.state = emptyRunState(runId);
    this.clock = new WriterClock(site.options, (message) => site.listener.onDiagnostic({ run_id: runId, file: 'memory', message }));
  }

  get lastSeq(): number {
    return this.events.length;
  }

  /** Appends with the seq check every store makes: the events take the next seqs, or nothing is kept. */
  commit(events: EventRecord[]): EventRecord[] {
    events.forEach((e, i) => {
      if (e.seq !== this.lastSeq + 1 + i) throw new Error(`seq ${e.seq} does not follow ${this.lastSeq + i}`);
    });
    for (const e of events) {
      const copy = structuredClone(e);
      applyEvent(this.state, copy);
      this.events.push(copy);
    }
    return events;
  }

  catchUp(): EventRecord[] {
    return [];
  }

  readEvents(from: number, to: number, onEvent?: (e: EventRecord) => void): EventRecord[] {
    const slice = this.events.slice(Math.max(0, from - 1), Math.max(0, to)).map((e) => structuredClone(e));
    if (!onEvent) return slice;
    slice.forEach(onEvent);
    return [];
  }

  readPage(from: number, to: number): { events: EventRecord[]; next: undefined } {
    return { events: this.readEvents(from, to), next: undefined };
  }

  command<T>(
    stamp: Parameters<RunLog['command']>[0],
    decide: Parameters<RunLog['command']>[1],
    result: Parameters<RunLog['command']>[2],
  ): Promise<CommandOutcome<T>> {
    const run = this.queue.then(() => {
      const committed: EventRecord[] = [];
      try {
        return commandSteps(
          () => this.state,
          this.clock,
          { stamp, decide, result: result as (...a: Parameters<typeof result>) => T },
          (e) => this.commit(e),
          committed,
        );
      } finally {
        if (committed.length > 0) {
          this.site.listener.onCommit({ root: this.root, run_id: this.runId, events: committed, last_seq: this.lastSeq });
        }
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async expireLeases(): Promise<void> {
    await this.command(
      undefined,
      () => [],
      () => undefined,
    );
  }

  listCheckpoints(): CheckpointListing[] {
    return this.checkpoints.map((c) => ({ checkpoint_id: c.checkpoint_id, seq: c.seq, ts_ms: c.ts_ms, reason: c.reason, file: 'memory' }));
  }

  readCheckpoint(c: CheckpointListing): Checkpoint {
    return structuredClone(this.checkpoints.find((x) => x.checkpoint_id === c.checkpoint_id)!);
  }

  writeCheckpoint(c: Checkpoint): void {
    this.checkpoints.push(structuredClone(c));
  }

  /** Everything is kept as folded: nothing can drift. */
  persisted(): Awaited<ReturnType<RunLog['persisted']>> {
    const { tasks: _tasks, ...blackboard } = toBlackboard(this.state);
    return { run: toRunRecord(this.state), blackboard };
  }

  flush(): void {}

  lostEvents(): undefined {
    return undefined;
  }

  damageReport(): [] {
    return [];
  }

  examineDamage(): { damage: []; restore: null } {
    return { damage: [], restore: null };
  }

  async repair(): Promise<{ damage: []; restore: null; event: null }> {
    return { damage: [], restore: null, event: null };
  }

  releaseFiles(): void {}

  close(): void {}
}

export class MemoryBoard implements BoardStore {
  readonly shared = false;
  private readonly runs = new Map<string, MemoryRun>();

  constructor(
    readonly root: string,
    private readonly site: BoardSite,
  ) {}

  async ready(): Promise<void> {}

  runIds(): string[] {
    return [...this.runs.keys()];
  }

  openRun(runId: string): RunLog | undefined {
    return this.runs.get(runId);
  }

  isLoaded(runId: string): boolean {
    return this.runs.has(runId);
  }

  loadedRuns(): RunLog[] {
    return [...this.runs.values()];
  }

  async createRun(runId: string, first: EventRecord[]): Promise<RunLog> {
    const taken = [...this.runs.keys()].find((id) => id.toLowerCase() === runId.toLowerCase());
    if (taken === runId) throw new DomainError('RUN_EXISTS', `Run ${taken} already exists.`, { run_id: runId });
    if (taken) {
      throw new DomainError('RUN_EXISTS', `Run ${taken} exists and differs from ${runId} only in case.`, {
        run_id: runId,
        existing_run_id: taken,
      });
    }
    const run = new MemoryRun(this.root, runId, this.site);
    run.commit(first);
    this.runs.set(runId, run);
    this.site.listener.onCommit({ root: this.root, run_id: runId, events: first, last_seq: run.lastSeq });
    return run;
  }

  follow(): { close(): Promise<void> } {
    return { close: async () => undefined };
  }

  close(): void {}
}
