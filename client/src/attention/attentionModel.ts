// What needs the person now (PROTOCOL.md §Attention), as the server says it: read again when a run
// changes (a commit may resolve an item or make one) and, while leases run, every few seconds
// (they run out with time alone). Views and notifications take it from here; none of them decides what needs a person.
import * as vscode from 'vscode';
import type { AttentionItem } from '../../../contract/attention';
import { Requests } from '../../../server/src/protocol';
import type { RunsModel } from '../runs/runsModel';
import type { RunboardServer } from '../server/runboardServer';

const TICK_MS = 5000;
/** Commits come in bursts: one read after the burst. */
const SETTLE_MS = 150;

export class AttentionModel implements vscode.Disposable {
  private current: AttentionItem[] = [];
  private readonly emitter = new vscode.EventEmitter<AttentionItem[]>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly ticker: NodeJS.Timeout;
  private pending: NodeJS.Timeout | undefined;
  private reading = false;
  private again = false;
  /** Fires with the items after every read that changed them. */
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly server: RunboardServer,
    model: RunsModel,
  ) {
    const soon = () => this.refreshSoon();
    // A diagnostic may be damage found in a run's log (no event comes of it): the run is read-only now.
    this.disposables.push(model.onDidChangeRun(soon), model.onDidChangeStructure(soon), server.onDidStart(soon), server.onDiagnostic(soon));
    // Time alone changes the list only while a lease runs: then it is read again every few seconds.
    this.ticker = setInterval(() => {
      if (model.allRuns().some((e) => e.run.tasks.some((t) => t.lease_expires_at_ms !== undefined))) soon();
    }, TICK_MS);
  }

  get items(): readonly AttentionItem[] {
    return this.current;
  }

  refreshSoon(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.refresh();
    }, SETTLE_MS);
  }

  /** Reads the items now (a read already under way is followed by one more). */
  async refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.again = false;
        if (this.server.state !== 'running') return;
        const { items } = await this.server.request(Requests.listAttention, {}).catch(() => ({ items: this.current }));
        const changed =
          items.length !== this.current.length || items.some((i, n) => i.key !== this.current[n].key || i.title !== this.current[n].title);
        this.current = items;
        if (changed) this.emitter.fire(items);
      } while (this.again);
    } finally {
      this.reading = false;
    }
  }

  dispose(): void {
    clearInterval(this.ticker);
    clearTimeout(this.pending);
    this.emitter.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
