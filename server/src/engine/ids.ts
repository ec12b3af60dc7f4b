// Identifier rules (PROTOCOL.md §Locating a run) and injected id generation: the engine never
// reads randomness itself, so tests and replays are deterministic.
import { DomainError } from './errors';
import { WINDOWS_DEVICE } from '../../../contract/fileNames';

const ID_CHARS = /^[A-Za-z0-9._-]{1,128}$/;

export function runIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return 'must be a string';
  if (!ID_CHARS.test(id)) return 'must be 1–128 characters of A-Z a-z 0-9 . _ -';
  if (id.startsWith('.')) return 'must not start with "."';
  // Windows drops a trailing dot from folder names: "a." would be the folder of run "a".
  if (id.endsWith('.')) return 'must not end with "."';
  if (WINDOWS_DEVICE.test(id)) return 'must not be a Windows device name';
  return undefined;
}

export function assertRunId(id: unknown): asserts id is string {
  const problem = runIdProblem(id);
  if (problem) {
    throw new DomainError('RUN_ID_INVALID', `Invalid run_id ${JSON.stringify(id)}: ${problem}.`, { run_id: id });
  }
}

export function taskIdProblem(id: string): string | undefined {
  if (!ID_CHARS.test(id)) return 'must be 1–128 characters of A-Z a-z 0-9 . _ -';
  if (id.startsWith('.')) return 'must not start with "."';
  return undefined;
}

/** Makes `<prefix>-<uuid v4>` ids; injected so the engine stays free of randomness. */
export interface IdSource {
  newId(prefix: string): string;
}

/** What a command needs from the outside world: the time, read once, and fresh ids. */
export interface CommandContext {
  now: number;
  ids: IdSource;
}

/** `evt-<uuid>` → `bbp-<uuid>`: a patch row's id is derived from its event, so it is stable. */
export function patchIdForEvent(eventId: string): string {
  return eventId.startsWith('evt-') ? `bbp-${eventId.slice(4)}` : `bbp-${eventId}`;
}
