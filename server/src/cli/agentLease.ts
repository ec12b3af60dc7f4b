// The lease length an agent's claims ask for when they name none: RUNBOARD_LEASE_MS (the editor sets
// it for its terminals and MCP servers from runboard.defaultLeaseMs), else the contract's default for
// agents. A heartbeat naming none asks for nothing: the lease keeps its own length (the claim's).
// The server clamps it to the protocol's bounds. A value that is no length is refused, naming the
// variable: ignored, every claim silently got the default.
import { LEASE, LEASE_ENV } from '../../../contract/limits';
import { UsageError } from './usageError';
import { parseInteger } from './agentLoopOptions';

export function agentLeaseMs(env: NodeJS.ProcessEnv = process.env): number {
  const set = env[LEASE_ENV]?.trim();
  if (!set) return LEASE.agentDefaultMs;
  const v = parseInteger(set);
  if (v === undefined || v <= 0) {
    throw new UsageError(
      `${LEASE_ENV} is ${JSON.stringify(env[LEASE_ENV])}: it must be a lease length in milliseconds, a whole number above 0 (for example ${LEASE.agentDefaultMs}), or unset.`,
      'LEASE_ENV_INVALID',
    );
  }
  return v;
}
