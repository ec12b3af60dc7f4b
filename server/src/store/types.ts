// What the store reports and how it is configured.
import { IdSource } from '../engine/ids';
import { EventRecord } from '../../../contract/schemas/records';
import type { Diagnostic } from '../../../contract/diagnostic';
import type { Durability } from '../../../contract/limits';

export interface StoreOptions {
  /** fsync every commit (default) or leave it to the OS (benchmarks, throwaway runs). */
  durability: Durability;
  clock: () => number;
  ids: IdSource;
  /** Lease length when a claim or heartbeat names none (clamped to PROTOCOL.md's range). */
  defaultLeaseMs: number;
  /**
   * How long after a change the run.json/blackboard.json/index.json caches are written;
   * `null` = only on close, and then only when the log has run ahead of them (short-lived CLI).
   */
  snapshotDelayMs: number | null;
  /** On close with `snapshotDelayMs: null`, write caches only when this many events are not in them. */
  snapshotLagEvents: number;
  lockTimeoutMs: number;
  /** A line longer than this is skipped as malformed instead of being parsed. */
  maxLineBytes: number;
  /**
   * fdatasync on libuv's thread pool rather than inline: a server's callers keep arriving during
   * a sync and go together in the next group (group commit); for a lone caller (a CLI call) the
   * hand-off to the pool costs more than the sync itself (bench rows 3 and 7c).
   */
  syncOffLoop: boolean;
  /** A final line without newline is reported as torn after this long (PROTOCOL.md: 2 s). */
  tornReportMs: number;
  /** A lock holder mends or cuts a torn tail only once the file has been still this long (another program may be writing it). */
  tornSettleMs: number;
  /**
   * Writes nothing at all — no commands, caches, checkpoints, repairs or clean-ups (an untrusted
   * workspace): every mutating method answers READ_ONLY.
   */
  readOnly: boolean;
}

export interface CommitNotice {
  root: string;
  run_id: string;
  /** Newly folded events, ascending; may be empty when a run was first seen (read it from disk). */
  events: EventRecord[];
  /** The run's last seq after this notice: a listener that sees a gap reads the rest from disk. */
  last_seq: number;
}

/**
 * A run's history was replaced under this process (its log replaced by another program, or the run
 * deleted — then `last_seq` is 0 — or deleted and created again): events delivered before may no
 * longer be in the log. Listeners drop what they hold of the run and read it again.
 */
export interface ResetNotice {
  root: string;
  run_id: string;
  last_seq: number;
}

export interface StoreListener {
  onCommit?(notice: CommitNotice): void;
  onDiagnostic?(d: Diagnostic): void;
  onReset?(notice: ResetNotice): void;
}
