// The caches beside the log: run.json (the run record, tasks included), blackboard.json (the
// blackboard without tasks) and index.json (Runboard's own: the command-id index and the log
// offset at its seq, so a load folds only the tail). Each carries its own last_event_seq;
// any of them may be missing, stale or unreadable — the log is the truth.
import * as path from 'node:path';
import { z } from 'zod';
import { BLACKBOARD_FILE, INDEX_FILE, RUN_FILE } from '../../../../contract/layout';
import { RunRecord, RunRecordSchema, StoredBlackboard, StoredBlackboardSchema } from '../../../../contract/schemas/records';
import { compileParse, Parse, UNSURE } from '../../engine/schemaCheck';
import { CommandEntry, RunState, stateFromRecords, toRunRecord } from '../../engine/state';
import { readBytesIfExists, writeFileAtomic } from './atomicFile';
import { sha256 } from './contentDigest';
import type { EventLog } from './eventLog';
import { FileIdentity, sameFile } from './fileIdentity';
import { parseLogLine } from './logLine';

const IndexSchema = z.object({
  format: z.literal(1),
  last_event_seq: z.number().int().nonnegative(),
  log_offset: z.number().int().nonnegative(),
  log_line: z.number().int().nonnegative(),
  // The event_id of the event at last_event_seq, the line ending at log_offset; absent in older caches.
  last_event_id: z.string().optional(),
  // The log file the offset is in (device and inode as decimal strings); absent in older caches.
  log_file: z.object({ dev: z.string(), ino: z.string() }).optional(),
  // What run.json and blackboard.json held when written with this index (sha256 of their bytes); absent in older caches.
  digests: z.object({ run: z.string(), blackboard: z.string() }).optional(),
  commands: z.array(z.tuple([z.string(), z.string(), z.string(), z.number().int(), z.number().int()])),
});

export interface LogIndex {
  last_event_seq: number;
  log_offset: number;
  log_line: number;
  last_event_id?: string;
  log_file?: FileIdentity;
  digests?: CacheDigests;
  commands: Map<string, CommandEntry>;
}

/** sha256 of the bytes of run.json and blackboard.json as Runboard wrote them. */
export interface CacheDigests {
  run: string;
  blackboard: string;
}

/** A cache read: its value and the digest of its bytes (taken when asked: only a check needs it), or why there is none. */
export type Loaded<T> = { value: T; digest: () => string } | { missing: true } | { error: string };

// run.json holds every task: checking it with zod took most of a cold start. Parsers compiled
// from the same schemas return zod's exact output for well-formed files; zod handles the rest.
const parsers = new Map<z.ZodType, Parse | undefined>();

function fastParse(schema: z.ZodType, raw: unknown): unknown {
  if (!parsers.has(schema)) parsers.set(schema, compileParse(schema));
  const parse = parsers.get(schema);
  return parse ? parse(raw) : UNSURE;
}

function load<T>(file: string, schema: z.ZodType<T>): Loaded<T> {
  try {
    const bytes = readBytesIfExists(file);
    if (bytes === undefined) return { missing: true };
    const raw: unknown = JSON.parse(bytes.toString('utf8'));
    const digest = () => sha256(bytes);
    const fast = fastParse(schema, raw);
    if (fast !== UNSURE) return { value: fast as T, digest };
    const r = schema.safeParse(raw);
    if (!r.success) {
      const i = r.error.issues[0];
      return { error: `${i.path.join('.') || 'record'}: ${i.message}` };
    }
    return { value: r.data, digest };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export function readRunSnapshot(dir: string): Loaded<RunRecord> {
  return load(path.join(dir, RUN_FILE), RunRecordSchema);
}

export function readBlackboardSnapshot(dir: string): Loaded<StoredBlackboard> {
  return load(path.join(dir, BLACKBOARD_FILE), StoredBlackboardSchema);
}

export function readLogIndex(dir: string): Loaded<LogIndex> {
  const r = load(path.join(dir, INDEX_FILE), IndexSchema);
  if (!('value' in r)) return r;
  const v = r.value;
  return {
    digest: r.digest,
    value: {
      ...(v.digests ? { digests: v.digests } : {}),
      last_event_seq: v.last_event_seq,
      log_offset: v.log_offset,
      log_line: v.log_line,
      ...(v.last_event_id !== undefined ? { last_event_id: v.last_event_id } : {}),
      ...(v.log_file ? { log_file: { dev: BigInt(v.log_file.dev), ino: BigInt(v.log_file.ino) } } : {}),
      commands: new Map(
        v.commands.map(([id, method, fingerprint, first, last]) => [id, { method, fingerprint, first_seq: first, last_seq: last }]),
      ),
    },
  };
}

/** Writes all three caches at the state's seq (`lastEventId`: the event's there); the index goes last so it never runs ahead of the others. */
export function writeSnapshots(
  dir: string,
  state: RunState,
  log: { offset: number; line: number; identity(): FileIdentity },
  lastEventId: string | undefined,
  fsync: boolean,
): void {
  const run = JSON.stringify(toRunRecord(state), null, 1);
  const blackboard = JSON.stringify(state.blackboard, null, 1);
  writeFileAtomic(path.join(dir, RUN_FILE), run, fsync, 'snapshot-write');
  writeFileAtomic(path.join(dir, BLACKBOARD_FILE), blackboard, fsync);
  const commands = [...state.commands].map(([id, c]) => [id, c.method, c.fingerprint, c.first_seq, c.last_seq]);
  writeFileAtomic(
    path.join(dir, INDEX_FILE),
    JSON.stringify({
      format: 1,
      last_event_seq: state.commandsSeq,
      log_offset: log.offset,
      log_line: log.line,
      ...(lastEventId !== undefined ? { last_event_id: lastEventId } : {}),
      log_file: fileOf(log.identity()),
      digests: { run: sha256(run), blackboard: sha256(blackboard) },
      commands,
    }),
    fsync,
  );
}

function fileOf(id: FileIdentity): { dev: string; ino: string } {
  return { dev: String(id.dev), ino: String(id.ino) };
}

/** Where a load may start instead of the log's first line: the caches' state and the log position of their seq. */
export interface CachedStart {
  state: RunState;
  seq: number;
  /** The event_id at `seq`, when the index says it. */
  eventId?: string;
  offset: number;
  line: number;
}

/**
 * The caches as a starting point, when they agree with each other and describe this log: the file
 * they were written from (one replaced since — an editor's save, a restored copy — may differ
 * anywhere before their offset, so it is folded whole and its damage found), whose line ending at
 * their offset is still their last event. Unreadable caches are reported and not used.
 */
export function startFromCaches(
  dir: string,
  runId: string,
  log: Pick<EventLog, 'identity' | 'lineBefore' | 'size'>,
  maxLineBytes: number,
  report: (message: string, file: string) => void,
  /**
   * Told, used or not, the seq the index was written at and when the run the caches hold was
   * created: a log of that run that ends before the seq lost events Runboard recorded.
   */
  recorded: (seq: number, createdAtMs: number | undefined) => void = () => undefined,
): CachedStart | undefined {
  const run = readRunSnapshot(dir);
  const bb = readBlackboardSnapshot(dir);
  const idx = readLogIndex(dir);
  if ('value' in idx) recorded(idx.value.last_event_seq, 'value' in run ? run.value.created_at_ms : undefined);
  for (const [name, r] of [
    [RUN_FILE, run],
    [BLACKBOARD_FILE, bb],
    [INDEX_FILE, idx],
  ] as const) {
    if ('error' in r) report(`Unreadable snapshot ${name}: ${r.error}; rebuilding from the log.`, path.join(dir, name));
  }
  if (!('value' in run) || !('value' in bb) || !('value' in idx)) return undefined;
  const i = idx.value;
  if (run.value.run_id !== runId) return undefined;
  if (run.value.last_event_seq < i.last_event_seq || bb.value.last_event_seq < i.last_event_seq) return undefined;
  if (i.log_file && !sameFile(i.log_file, log.identity())) return undefined;
  // Not the bytes written with the index: changed by hand (a status edited, a task removed, its seq
  // too), or a newer cache whose index a crash kept from being written. Not trusted — a done task
  // would come back failed — and said so.
  for (const [name, r, written] of [
    [RUN_FILE, run, i.digests?.run],
    [BLACKBOARD_FILE, bb, i.digests?.blackboard],
  ] as const) {
    if (written === undefined || r.digest() === written) continue;
    // Newer than its index while the log holds events after the index's: another writer between
    // writing it and its index (one after the other), or one that stopped there — not worth a word
    // on every call. Anything else was not written by a writer: said.
    if (r.value.last_event_seq > i.last_event_seq && log.size() > i.log_offset) return undefined;
    const why =
      r.value.last_event_seq === i.last_event_seq
        ? `is not what Runboard wrote at seq ${i.last_event_seq} (changed by hand?)`
        : `says seq ${r.value.last_event_seq}, and is not what Runboard wrote with ${INDEX_FILE} at seq ${i.last_event_seq}, which the log ends at (changed by hand?)`;
    report(`${name} ${why}: rebuilding from the log.`, path.join(dir, name));
    return undefined;
  }
  // The same seq is not the same event: an older copy put back in place (the same file), then written
  // on, holds another event at that seq, often at the same offset (lines of an agent's loop are of one length).
  if (i.last_event_seq > 0) {
    const last = eventAtLine(log.lineBefore(i.log_offset, maxLineBytes));
    if (last?.seq !== i.last_event_seq || (i.last_event_id !== undefined && last.event_id !== i.last_event_id)) return undefined;
  }
  return {
    state: stateFromRecords(run.value, bb.value, { seq: i.last_event_seq, entries: i.commands }),
    seq: i.last_event_seq,
    ...(i.last_event_id !== undefined ? { eventId: i.last_event_id } : {}),
    offset: i.log_offset,
    line: i.log_line,
  };
}

/** The seq and event_id of a log line that parses as a record, else undefined. */
function eventAtLine(text: string | undefined): { seq: number; event_id: unknown } | undefined {
  if (text === undefined) return undefined;
  try {
    const record = parseLogLine(text) as { seq?: unknown; event_seq?: unknown; event_id?: unknown } | null;
    const seq = record?.seq ?? record?.event_seq; // upstream logs say event_seq (SPEC.md §1.7)
    return typeof seq === 'number' ? { seq, event_id: record?.event_id } : undefined;
  } catch {
    return undefined;
  }
}
