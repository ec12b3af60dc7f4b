// The global options of a CLI invocation, resolved: the root, the agent, the durability, the run
// it names — one reading for the full CLI's session (session.ts) and the thin path (thin/).
import type { Durability } from '../../../contract/limits';
import { defaultAgentId } from './agentIdentity';
import { rootOf } from './rootDiscovery';
import { UsageError } from './usageError';

/** As commander hands them over (GLOBAL_OPTIONS in agentLoopOptions.ts). */
export interface GlobalOptions {
  root?: string;
  json?: boolean;
  agent?: string;
  run?: string;
  durability?: string;
  commandId?: string;
}

export interface ResolvedGlobals {
  root: string;
  json: boolean;
  agent: string;
  /** --agent was given (else the agent id is a default, which `mcp` chooses differently). */
  agentGiven: boolean;
  durability: Durability;
  commandId: string | undefined;
  /** --run, else RUNBOARD_RUN; undefined: the root's only open run (runChoice.ts). */
  run: string | undefined;
}

export function resolveGlobals(opts: GlobalOptions, env: NodeJS.ProcessEnv, cwd: string): ResolvedGlobals {
  const root = rootOf(opts.root, env, cwd);
  if (opts.durability !== undefined && opts.durability !== 'fsync' && opts.durability !== 'none') {
    throw new UsageError(`--durability must be fsync or none, not ${JSON.stringify(opts.durability)}.`);
  }
  return {
    root,
    json: opts.json === true,
    agent: opts.agent ?? defaultAgentId('cli', env),
    agentGiven: opts.agent !== undefined,
    durability: opts.durability ?? 'fsync',
    commandId: opts.commandId,
    run: opts.run ?? (env.RUNBOARD_RUN?.trim() || undefined),
  };
}
