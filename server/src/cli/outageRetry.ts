// A call the board could not take for a moment — STORAGE_ERROR with `transient`: a database
// restarting or unreachable, a log another program is writing — is made again, every second, for
// a while, by the process that made it: an agent's `complete` must not be lost to a database
// restart (PROTOCOL.md §Boards). Each call that takes a command_id carries one, stamped here once
// (the caller's own, the thin path's, else a new one), above routing: every attempt — routed, done
// directly after the server went away, made again after an outage — is the same command, carried
// out once. A method without one is made again only when nothing was written.
import type { StoreResults } from '../../../contract/results';
import type { InputOf, StoreMethod } from '../../../contract/schemas/params';
import { DomainError, isTransient } from '../../../contract/domainError';
import type { MethodCaller } from '../routing/client';
import { routedCall } from '../routing/routedCall';
import { parseInteger } from './agentLoopOptions';
import { UsageError } from './usageError';

/** How long a call rides out an outage by default (RUNBOARD_OUTAGE_RETRY_MS sets another; 0: not at all). */
export const OUTAGE_RETRY_MS = 30_000;
const EVERY_MS = 1_000;

export interface OutageRetryOptions {
  takesCommandId(method: StoreMethod): boolean;
  env?: NodeJS.ProcessEnv;
  /** The command_id the thin path sent this command with (handOff.ts): the first call that takes one carries it. */
  handedOverId?: string;
  /** Said once per call that waits: the error, and for how long it is tried again ("for up to 30 s"). */
  say?(e: DomainError, howLong: string): void;
  /** How long between attempts (default a second). */
  everyMs?: number;
}

/** How long one call rides out an outage: until `until` (ms since the epoch; Infinity: for as long as its caller waits) instead of the window. */
export interface RideOut {
  until?: number;
}

const OUTAGE_ENV = 'RUNBOARD_OUTAGE_RETRY_MS';

/** The window from RUNBOARD_OUTAGE_RETRY_MS, else the default; a value that is no length is refused, naming it (as RUNBOARD_LEASE_MS is). */
export function outageRetryMs(env: NodeJS.ProcessEnv = process.env): number {
  const set = env[OUTAGE_ENV]?.trim();
  if (!set) return OUTAGE_RETRY_MS;
  const v = parseInteger(set);
  if (v === undefined || v < 0) {
    throw new UsageError(
      `${OUTAGE_ENV} is ${JSON.stringify(env[OUTAGE_ENV])}: it must be a number of milliseconds, 0 or more (0: calls are not made again), or unset.`,
      'OUTAGE_ENV_INVALID',
    );
  }
  return v;
}

/** How a CLI or MCP process says it waits (on stderr: an MCP client keeps it as the server's log). */
export function sayOutage(e: DomainError, howLong: string): void {
  process.stderr.write(`runboard: ${e.message.replace(/\.$/, '')}; trying again every second ${howLong}.\n`);
}

/** Whether a call that failed with `e` may be made again: the board could not take it for a moment, and a repeat cannot do it twice. */
export function mayRepeat(e: unknown, params: object): e is DomainError {
  return isTransient(e) && (e.details.maybe_written !== true || (params as { command_id?: unknown }).command_id !== undefined);
}

export class OutageRetry implements MethodCaller {
  private handedOver: string | undefined;

  constructor(
    private readonly calls: MethodCaller,
    private readonly o: OutageRetryOptions,
  ) {
    this.handedOver = o.handedOverId;
  }

  async execute<M extends StoreMethod>(method: M, params: InputOf<M>, ride: RideOut = {}): Promise<StoreResults[M]> {
    const takes = this.o.takesCommandId(method);
    const handed = takes ? this.handedOver : undefined;
    if (handed !== undefined) this.handedOver = undefined;
    const call = routedCall(method, params, takes, handed !== undefined ? () => handed : undefined);
    const sent = call.params as InputOf<M>;
    // Read per call: a value that is no length fails the call (an MCP tool's, as RUNBOARD_LEASE_MS does), not the process.
    const windowMs = outageRetryMs(this.o.env);
    const deadline = ride.until ?? Date.now() + windowMs;
    let said = false;
    for (;;) {
      try {
        return call.unstamp(await this.calls.execute(method, sent));
      } catch (e) {
        const every = this.o.everyMs ?? EVERY_MS;
        if (!mayRepeat(e, sent) || Date.now() + every > deadline) throw e;
        if (!said) this.o.say?.(e, howLong(ride, windowMs));
        said = true;
        await new Promise((resolve) => setTimeout(resolve, every));
      }
    }
  }
}

function howLong(ride: RideOut, windowMs: number): string {
  if (ride.until === undefined) return `for up to ${Math.round(windowMs / 1000)} s`;
  return ride.until === Infinity ? 'while it waits' : 'until its --timeout';
}
