// One CLI invocation's view of the world: the global options resolved (root, agent, run,
// durability, command id), and its calls: to the server serving the root's socket when one
// answers (routing/client.ts), else through the RunService opened on the root, directly.
import { InputOf, StoreMethod } from '../../../contract/schemas/params';
import { StoreResults } from '../../../contract/results';
import { debugNotes, RoutedCaller } from '../routing/client';
import { RunService } from '../service/runService';
import { defaultAgentId } from './agentIdentity';
import * as fs from 'node:fs';
import { findRoot } from './rootDiscovery';
import { chooseRun } from './runChoice';
import { UsageError } from './usageError';
import type { Durability } from '../../../contract/limits';

export interface GlobalOptions {
  root?: string;
  json?: boolean;
  agent?: string;
  run?: string;
  durability?: string;
  commandId?: string;
}

export class CliSession {
  readonly root: string;
  readonly json: boolean;
  readonly agent: string;
  readonly durability: Durability;
  readonly commandId: string | undefined;
  /** --agent was given (else the agent id is a default, which `mcp` chooses differently). */
  readonly agentGiven: boolean;
  private readonly explicitRun: string | undefined;
  private opened: RunService | undefined;
  private router: RoutedCaller | undefined;
  private readonly env: NodeJS.ProcessEnv;

  constructor(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()) {
    this.root = opts.root !== undefined ? checkedRoot(opts.root) : findRoot(cwd);
    this.json = opts.json === true;
    this.agent = opts.agent ?? defaultAgentId('cli', env);
    this.agentGiven = opts.agent !== undefined;
    if (opts.durability !== undefined && opts.durability !== 'fsync' && opts.durability !== 'none') {
      throw new UsageError(`--durability must be fsync or none, not ${JSON.stringify(opts.durability)}.`);
    }
    this.durability = opts.durability ?? 'fsync';
    this.commandId = opts.commandId;
    this.explicitRun = opts.run ?? (env.RUNBOARD_RUN?.trim() || undefined);
    this.env = env;
  }

  /** The root's store, opened here (commands that follow the log use it directly; calls that are not routed too). */
  get store(): RunService {
    // A short-lived process: caches are written on close only when far behind (snapshotDelayMs null).
    this.opened ??= new RunService([this.root], { snapshotDelayMs: null, durability: this.durability });
    return this.opened;
  }

  /** Every call goes through the protocol's own entry point, routed or not: same validation, errors and results. */
  execute<M extends StoreMethod>(method: M, params: InputOf<M>): Promise<StoreResults[M]> {
    this.router ??= new RoutedCaller(
      { root: this.root, durability: this.durability, env: this.env, note: debugNotes(this.env) },
      () => this.store,
    );
    return this.router.execute(method, params);
  }

  /** Params plus `command_id` when --command-id was given. */
  withCommandId<T extends object>(params: T): T & { command_id?: string } {
    return this.commandId === undefined ? params : { ...params, command_id: this.commandId };
  }

  /**
   * The run to act on: a positional id, else --run / RUNBOARD_RUN, else the root's only
   * non-terminal run. `leaseToken` breaks a tie: the run holding that lease.
   */
  async runId(positional?: string, leaseToken?: string): Promise<string> {
    const chosen = positional ?? this.explicitRun;
    if (chosen !== undefined) return chosen;
    const { runs } = await this.execute('listRuns', { limit: 1000 });
    const choice = chooseRun(runs, this.root, leaseToken);
    if ('code' in choice) {
      const hint =
        choice.code === 'RUN_REQUIRED' && runs.length === 0 ? ' Create one with `runboard run create "<objective>"`, or pass --root.' : '';
      throw new UsageError(choice.message + hint, choice.code);
    }
    return choice.run_id;
  }

  close(): void {
    this.router?.close();
    this.router = undefined;
    this.opened?.close();
    this.opened = undefined;
  }
}

/** --root names an existing folder: a typo must not make a new one on the first write, nor a file be taken for it. */
function checkedRoot(root: string): string {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(root);
  } catch {
    throw new UsageError(`--root ${root} does not exist: pass an existing workspace folder.`);
  }
  if (!st.isDirectory()) throw new UsageError(`--root ${root} is a file, not a folder: pass the workspace folder.`);
  return root;
}
