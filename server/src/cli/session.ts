// One CLI invocation's view of the world: the global options resolved (root, agent, run,
// durability, command id), and its calls: to the server serving the root's socket when one
// answers (routing/client.ts), else through the RunService opened on the root, directly.
import { InputOf, StoreMethod, takesCommandId } from '../../../contract/schemas/params';
import { StoreResults } from '../../../contract/results';
import { debugNotes, RoutedCaller } from '../routing/client';
import { RunService } from '../service/runService';
import { GlobalOptions, resolveGlobals } from './globalOptions';
import { runOfRoot } from './runChoice';
import { runsPlace } from './runsPlace';
import { takeHandOver } from './handOff';
import type { Durability } from '../../../contract/limits';
import type { Diagnostic } from '../../../contract/diagnostic';
import { eachDiagnosticOnce } from '../service/diagnosticText';
import { OutageRetry, type RideOut, sayOutage } from './outageRetry';

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
  private calls: OutageRetry | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** The store's diagnostics of this call (a damaged line, a cache rebuilt), each once, said when it ends. */
  readonly diagnostics: Diagnostic[] = [];
  /** Where diagnostics go: kept for the end of the call, unless a long command (watch) says them as they come. */
  onDiagnostic: (d: Diagnostic) => void = (d) => this.diagnostics.push(d);

  constructor(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()) {
    const g = resolveGlobals(opts, env, cwd);
    this.root = g.root;
    this.json = g.json;
    this.agent = g.agent;
    this.agentGiven = g.agentGiven;
    this.durability = g.durability;
    this.commandId = g.commandId;
    this.explicitRun = g.run;
    this.env = env;
  }

  /** The run --run (or RUNBOARD_RUN) names, when one does. */
  get namedRun(): string | undefined {
    return this.explicitRun;
  }

  /** The root's store, opened here (commands that follow the log use it directly; calls that are not routed too). */
  get store(): RunService {
    // A short-lived process: caches are written on close only when far behind (snapshotDelayMs null).
    if (!this.opened) {
      this.opened = new RunService([this.root], { snapshotDelayMs: null, durability: this.durability });
      // A damaged line or an unreadable cache is seen only by whoever reads the files: a routed call's server, or this process.
      this.opened.on({ onDiagnostic: eachDiagnosticOnce((d) => this.onDiagnostic(d)) });
    }
    return this.opened;
  }

  /**
   * Every call goes through the protocol's own entry point, routed or not: same validation, errors
   * and results; one the board cannot take for a moment is made again for a while (outageRetry.ts).
   */
  execute<M extends StoreMethod>(method: M, params: InputOf<M>, ride?: RideOut): Promise<StoreResults[M]> {
    if (!this.calls) {
      const handedOver = takeHandOver();
      this.router = new RoutedCaller(
        { root: this.root, durability: this.durability, env: this.env, note: debugNotes(this.env), takesCommandId, handedOver },
        () => this.store,
      );
      this.calls = new OutageRetry(this.router, { takesCommandId, env: this.env, say: sayOutage, handedOverId: handedOver?.commandId });
    }
    return this.calls.execute(method, params, ride);
  }

  /** Forgets the diagnostics the command's own output says already (a run's damage in `run show`, its own archiving). */
  forgetDiagnostics(said: (d: Diagnostic) => boolean): void {
    const kept = this.diagnostics.filter((d) => !said(d));
    this.diagnostics.splice(0, this.diagnostics.length, ...kept);
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
    return runOfRoot(this, () => runsPlace(this.root), leaseToken);
  }

  close(): void {
    this.router?.close();
    this.router = undefined;
    this.calls = undefined;
    this.opened?.close();
    this.opened = undefined;
  }
}
