// The store interface: what a storage engine must provide for Runboard to keep a board's runs on
// it. A board is the runs of one root; its store keeps each run as a log of events numbered by
// seq and commits under the run's lock (or in its transaction), so the service above — the
// methods of PROTOCOL.md — is the same whatever keeps the events. The file store (store/file/:
// .runboard/runs/<run_id>/events.jsonl under an OS lock) is the first implementation.
//
// What every implementation guarantees:
// - a commit is atomic and gapless: its events get the next seqs after the run's last, all
//   appended or none, and two writers never commit on the same seq;
// - the state a run serves is the engine's fold of its events (state.ts), caught up with what
//   other processes committed before any command decides;
// - listeners hear of every commit, whoever made it (StoreListener: commits, diagnostics,
//   histories replaced under the process).
import type { Checkpoint, EventRecord, RunRecord, StoredBlackboard } from '../../../contract/schemas/records';
import type { LostEvents } from '../../../contract/attention';
import type { LogDamage, RepairRunResult } from '../../../contract/results';
import type { CommandStamp } from '../engine/commandIndex';
import type { CommandContext } from '../engine/ids';
import type { CommandEntry, RunState } from '../engine/state';
import type { StoreListener, StoreOptions } from './types';
import { DomainError } from '../engine/errors';

/**
 * The lock was closed while this caller waited for it — its run was archived, compacted or
 * restored meanwhile (the handle let go of the log): nothing was done, so the caller may do it
 * again on what is at the path now (RunRegistry.onRun).
 */
export class LockClosedError extends DomainError {
  constructor(file: string) {
    super('STORAGE_ERROR', `The lock ${file} was closed.`);
  }
}

/**
 * The board's store failed as a whole — a database that cannot be reached or used — not one run of
 * it: every run fails alike, so a listing fails too instead of listing each run as unreadable.
 */
export class BoardUnavailableError extends DomainError {
  constructor(message: string, details: Record<string, unknown>) {
    super('STORAGE_ERROR', message, details);
  }
}

/**
 * A value, or a promise of it: the file store reads its files synchronously, a database store
 * asks the database. Callers await every such result.
 */
export type Awaitable<T> = T | Promise<T>;

/** The runs of one root, on one storage engine. */
export interface BoardStore {
  /** The root this board serves (the key in notices and `root` params). */
  readonly root: string;
  /** True for a board that machines share (a database): its runs are bound to the board, not to a path on one machine. */
  readonly shared: boolean;
  /**
   * Resolves when the board is open and has listed its runs: the file store always has (it reads
   * the folder on every look); a database store connects on first use and lists them then. With
   * `list` (a call that lists runs), `runIds` is current: a database store that does not follow the
   * board asks again. STORAGE_ERROR when it cannot (the next call tries again).
   */
  ready(list?: boolean): Promise<void>;
  /** The board's own clock, when it has one (a database's, shared by every machine): new runs are stamped by it. */
  clock?(): Promise<number>;
  /** The ids of the board's runs, as of the last `ready` or notice (a run that cannot be read is listed: opening it says why). */
  runIds(): string[];
  /** A run, loaded on first use and kept from then on; undefined when there is none; STORAGE_ERROR when it cannot be read. */
  openRun(runId: string): Awaitable<RunLog | undefined>;
  /** Whether this process has the run loaded. */
  isLoaded(runId: string): boolean;
  /** The runs this process has loaded (runs found gone are let go). */
  loadedRuns(): RunLog[];
  /**
   * A new run with its first commit, atomically across processes: RUN_EXISTS when the id, or an
   * id that differs from it only in case, is taken. Nothing is left behind when it fails.
   */
  createRun(runId: string, first: EventRecord[]): Promise<RunLog>;
  /**
   * Calls `changed` when a run of the board may have been changed by another process (a file
   * watcher; LISTEN/NOTIFY on a database), and keeps every loaded run caught up while it follows.
   */
  follow(changed: (runId: string) => void): { close(): Promise<void> };
  /** Archived runs (PROTOCOL.md §Archived runs), never loaded until asked for by id; a board that keeps none has none. */
  archivedRunIds?(): Awaitable<string[]>;
  /** An archived run, read-only (every write answers RUN_ARCHIVED); undefined when the run is not archived. */
  openArchived?(runId: string): Awaitable<RunLog | undefined>;
  /** A compacted run (listed in runIds; a write restores it first); undefined when the run is not compacted. */
  openCompacted?(runId: string): Awaitable<RunLog | undefined>;
  /** Archives a live run: under its lock `check` may refuse; the run leaves the board's live runs, whole in its archive. */
  archiveRun?(runId: string, check: (state: RunState) => void, note: ArchiveNote): Promise<void>;
  /** Brings an archived run back, whole; RUN_EXISTS when a live run has its id. */
  restoreRun?(runId: string): Promise<RunLog>;
  close(): void;
}

/** Who archived a run, when and why. */
export interface ArchiveNote {
  at_ms: number;
  by: string;
  reason?: string;
  /** Compact the run instead: it stays the board's, its writes restore it first. */
  compact?: boolean;
}

/** What an archived run's archive says of it (ArchivedRunInfo without what the run record says). */
export interface ArchiveFacts {
  archived_at_ms: number;
  archived_by: string;
  reason?: string;
  archive_bytes: number;
  log_bytes: number;
}

/** What a board's store is given: options, and whom it tells about commits and problems. */
export interface BoardSite {
  options: StoreOptions;
  listener: Required<StoreListener>;
  /** A diagnostic said once per key (an unreadable run or checkpoint is reported once, not on every look). */
  reportOnce(key: string, d: Parameters<Required<StoreListener>['onDiagnostic']>[0]): void;
}

export type CommandOutcome<T> = { result: T } | { repeat: CommandEntry };

/** Where the next page of an in-order read starts (opaque to callers; a byte offset in the file store). */
export type PageCursor = { readonly after: number; readonly at: unknown };

/** A checkpoint as listed: enough to choose one without reading it. */
export interface CheckpointListing {
  checkpoint_id: string;
  seq: number;
  ts_ms: number;
  reason: string;
  unreadable?: true;
  /** Why it is unreadable (for diagnostics; not part of the listing on the wire). */
  problem?: string;
  /** Where it is kept (a file's path in the file store), for diagnostics. */
  file: string;
}

/** One run's events, as this process has read them. */
export interface RunLog {
  readonly root: string;
  readonly runId: string;
  /** The fold of every event read so far: what a fresh load of the run yields. */
  readonly state: RunState;
  /** The seq of the last event folded. */
  readonly lastSeq: number;
  /** True once the run was found deleted under this process: the board lets it go. */
  readonly gone: boolean;
  /** Set on an archived run: what its archive says of it. */
  readonly archive?: ArchiveFacts;
  /** Set on a compacted run: what its sealed segments say of it. */
  readonly compacted?: ArchiveFacts;
  /** What the run takes on disk (its log, caches and checkpoints), when the store can tell. */
  diskBytes?(): Awaitable<number>;
  /** Folds what other processes committed since the last read, without the lock; listeners hear of it. */
  catchUp(): Awaitable<EventRecord[]>;
  /** Events with from ≤ seq ≤ to (each passed to `onEvent` instead of collected, when given). */
  readEvents(from: number, to: number, onEvent?: (e: EventRecord) => void): Awaitable<EventRecord[]>;
  /** For an in-order reader: events from `from` through the commit holding `to`, and where the next page starts. */
  readPage(from: number, to: number, resume?: PageCursor): Awaitable<{ events: EventRecord[]; next: PageCursor | undefined }>;
  /**
   * One command under the run's lock or transaction, on the caught-up state: expired leases are
   * requeued, then `decide` returns the events to commit (or throws a DomainError: nothing is
   * written) and `result` reads the state after the fold. With a stamp, a repeat of a recorded
   * command returns `{repeat}` and writes nothing.
   */
  command<T>(
    stamp: CommandStamp | undefined,
    decide: (state: RunState, ctx: CommandContext) => EventRecord[],
    result: (applied: EventRecord[], state: RunState, ctx: CommandContext) => T,
  ): Promise<CommandOutcome<T>>;
  /** Requeues (or fails) what expired, under the lock. */
  expireLeases(): Promise<void>;
  listCheckpoints(): Awaitable<CheckpointListing[]>;
  readCheckpoint(c: CheckpointListing): Awaitable<Checkpoint>;
  /** Keeps a checkpoint durably (as the store's durability option says). */
  writeCheckpoint(c: Checkpoint): Awaitable<void>;
  /**
   * What the store keeps of the run besides its events (the file store's caches), each part with
   * the seq it was folded to; undefined parts are not kept. Replay compares with it (drift).
   */
  persisted(): Awaitable<{ run?: RunRecord; blackboard?: StoredBlackboard }>;
  /** Writes what the store keeps besides the events, when it is behind them. */
  flush(): void;
  /** Damage found since the last repair (events the store holds but cannot fold): the run is read-only while there is any. */
  damageReport(): LogDamage[];
  /** When the log ends before a seq this store had recorded (an older copy of it put back): both seqs. */
  lostEvents(): LostEvents | undefined;
  /** Looks at the whole log for damage (a read; nothing is written). */
  examineDamage(): Awaitable<Omit<RepairRunResult, 'event'>>;
  /** Records the damage as repaired, restoring what it lost from a kept state when `restore` (RESTORE_UNAVAILABLE when none can). */
  repair(restore: boolean): Promise<RepairRunResult>;
  /** Lets go of what the run holds open while idle (reopened on its next use). */
  releaseFiles(): void;
  close(): void;
}
