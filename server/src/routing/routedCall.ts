// What a routed call adds to its params so that doing it again directly — when the server dies
// before it answers — is safe (PROTOCOL.md §Routing), and takes out of the answer again, so the
// caller sees what it would have seen without routing: a `command_id` on every method that takes
// one (unless the caller gave its own), and with it createRun's `run_id` fixed before it is sent
// (its command_id is remembered by the run it makes).
import type { StoreMethod } from '../../../contract/schemas/params';
import { randomUuid } from './randomUuid';

/** The fields a command_id puts on each event it writes (PROTOCOL.md §Idempotency). */
const STAMP_FIELDS = ['command_id', 'command_method', 'command_fingerprint'] as const;

export interface RoutedCall {
  method: StoreMethod;
  params: Record<string, unknown>;
  /** The command_id this client added (the caller gave none). */
  commandId?: string;
  /** The answer as the caller would have had it without the added command_id: no `deduped`, no command fields on its events. */
  unstamp<T>(result: T): T;
}

/**
 * `takesCommandId`: whether `method` takes a command_id (params.ts's rule, passed in so that the
 * CLI's thin path does not load the schemas).
 */
export function routedCall(method: StoreMethod, given: object, takesCommandId: boolean, newId: () => string = randomUuid): RoutedCall {
  const params: Record<string, unknown> = { ...given };
  let commandId: string | undefined;
  if (takesCommandId && params.command_id === undefined) params.command_id = commandId = newId();
  // A caller's own command_id without run_id stays as it came: the method's answer says what is missing.
  if (method === 'createRun' && commandId !== undefined && params.run_id === undefined) params.run_id = `run-${newId()}`;
  return {
    method,
    params,
    commandId,
    unstamp: (result) => (commandId === undefined ? result : withoutStamp(result, commandId)),
  };
}

function withoutStamp<T>(result: T, commandId: string): T {
  if (result === null || typeof result !== 'object') return result;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(result)) {
    if (key === 'deduped') continue;
    out[key] = isStamped(value, commandId) ? withoutFields(value) : value;
  }
  return out as T;
}

function isStamped(value: unknown, commandId: string): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && (value as { command_id?: unknown }).command_id === commandId;
}

function withoutFields(record: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...record };
  for (const f of STAMP_FIELDS) delete copy[f];
  return copy;
}
