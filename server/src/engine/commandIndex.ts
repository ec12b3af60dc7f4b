// Idempotent commands (PROTOCOL.md §Idempotency): a command_id is remembered for the run's
// whole log with its method and a fingerprint of the params as sent; a repeat returns the
// original result, a different request under the same id is a conflict.
import { createHash } from 'node:crypto';
import { DomainError } from './errors';
import { EventRecord } from '../../../contract/schemas/records';
import { CommandEntry, RunState } from './state';

/** JSON with object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** sha256 of the canonical params without `command_id` and `root`. */
export function fingerprintParams(raw: unknown): string {
  const params = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : {};
  delete params.command_id;
  delete params.root;
  // Whether to look at a worktree first, not what to do: a complete sent with it, refused, then
  // without it (worktreeCalls.ts completeTask), and its retries are one command.
  delete params.if_no_worktree;
  return createHash('sha256').update(canonicalJson(params)).digest('hex').slice(0, 32);
}

export interface CommandStamp {
  command_id: string;
  command_method: string;
  command_fingerprint: string;
}

/**
 * The recorded command for this id, when the request repeats it exactly; undefined when the
 * id is new. Throws COMMAND_ID_CONFLICT when the id was used for another method or params.
 */
export function findRepeat(state: RunState, stamp: CommandStamp): CommandEntry | undefined {
  const entry = state.commands.get(stamp.command_id);
  if (!entry) return undefined;
  if (entry.method !== stamp.command_method || entry.fingerprint !== stamp.command_fingerprint) {
    throw new DomainError(
      'COMMAND_ID_CONFLICT',
      `command_id ${JSON.stringify(stamp.command_id)} was already used for a different ${entry.method === stamp.command_method ? 'request' : `method (${entry.method})`}.`,
      { command_id: stamp.command_id },
    );
  }
  return entry;
}

export function stampEvents(events: EventRecord[], stamp: CommandStamp | undefined): EventRecord[] {
  if (!stamp) return events;
  for (const e of events) {
    // Keep the record's key order stable: command fields before the payload.
    const { payload } = e;
    delete (e as Partial<EventRecord>).payload;
    Object.assign(e, stamp, { payload });
  }
  return events;
}
