// The lease length an agent's claims and heartbeats ask for when they name none: RUNBOARD_LEASE_MS
// (the editor sets it for its terminals and MCP servers from runboard.defaultLeaseMs), else the
// contract's default for agents. The server clamps it to the protocol's bounds.
import { LEASE, LEASE_ENV } from '../../../contract/limits';

export function agentLeaseMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env[LEASE_ENV]?.trim());
  return Number.isInteger(v) && v > 0 ? v : LEASE.agentDefaultMs;
}
