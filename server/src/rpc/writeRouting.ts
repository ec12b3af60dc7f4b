// One writer per workspace, for the editor's server too (PROTOCOL.md §Routing, "Which server
// serves"): on a root whose socket another server serves (another editor window, a headless
// `runboard serve --socket`), this server sends its writes for that root to that server, as the
// root's CLI calls do, so that one process decides and group-commits them. Its reads and
// subscriptions stay its own: its store follows the log, which the other server writes. When the
// other server stops, this one takes the socket over (socketKeeper.ts) and writes itself; a
// routed call whose server went away is done here, directly, with its stamped command_id.
import type { StoreResults } from '../../../contract/results';
import { InputOf, StoreMethod, takesCommandId } from '../../../contract/schemas/params';
import { MethodCaller, RoutedCaller } from '../routing/client';
import { RunService, WRITING_METHODS } from '../service/runService';

/** After the other server went away (or none answered), this server writes itself this long before connecting again. */
const RECONNECT_AFTER_MS = 1000;

export class WriteRouting implements MethodCaller {
  private readonly callers = new Map<string, RoutedCaller>();

  constructor(
    private readonly store: RunService,
    /** Whether another server serves the root's socket now. */
    private readonly servedElsewhere: (root: string) => boolean,
    private readonly note?: (line: string) => void,
  ) {}

  async execute<M extends StoreMethod>(method: M, params: InputOf<M>): Promise<StoreResults[M]> {
    const root = WRITING_METHODS.has(method) && !this.store.options.readOnly ? await this.store.rootOfCall(params) : undefined;
    if (root === undefined || !this.servedElsewhere(root)) return this.store.execute(method, params);
    // The socket speaks for its root: the root as this server names it is not sent.
    const { root: _named, ...forSocket } = params as InputOf<M> & { root?: string };
    return this.callerFor(root).execute(method, forSocket as InputOf<M>);
  }

  close(): void {
    for (const c of this.callers.values()) c.close();
    this.callers.clear();
  }

  private callerFor(root: string): RoutedCaller {
    let caller = this.callers.get(root);
    if (!caller) {
      // Done here after all (no answer): with the root named again, as the call was made.
      const direct: MethodCaller = { execute: (m, p) => this.store.execute(m, { ...p, root }) };
      caller = new RoutedCaller(
        { root, durability: this.store.options.durability, retryConnectAfterMs: RECONNECT_AFTER_MS, note: this.note, takesCommandId },
        () => direct,
      );
      this.callers.set(root, caller);
    }
    return caller;
  }
}
