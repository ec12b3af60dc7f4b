// What the open folders' runs take on disk: each live run (listRuns with sizes) and the archives,
// read again once a minute and soon after runs come and go — sizes grow with every commit, and a
// minute old is close enough to warn by. The Runs tree shows each run's size; DiskWarning warns.
import * as vscode from 'vscode';
import { Requests } from '../../../server/src/protocol';
import { log } from '../log';
import { runKey, type RunRef } from '../runs/refs';
import type { RunsModel } from '../runs/runsModel';
import type { RunboardServer } from '../server/runboardServer';

const EVERY_MS = 60_000;
const AFTER_CHANGE_MS = 2_000;

export class DiskUsage implements vscode.Disposable {
  private bytes = new Map<string, number>();
  private compacted = new Set<string>();
  private archived = 0;
  private timer: NodeJS.Timeout;
  private soon: NodeJS.Timeout | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly server: RunboardServer,
    model: RunsModel,
  ) {
    this.timer = setInterval(() => void this.refresh(), EVERY_MS);
    this.disposables.push(
      model.onDidChangeStructure(() => this.refreshSoon()),
      server.onDidChangeState((s) => s === 'running' && this.refreshSoon()),
    );
  }

  /** What a live run takes, as of the last look. */
  bytesOf(ref: RunRef): number | undefined {
    return this.bytes.get(runKey(ref));
  }

  /** Whether the run is compacted (its log kept as sealed segments until its next change). */
  isCompacted(ref: RunRef): boolean {
    return this.compacted.has(runKey(ref));
  }

  /** Live runs and archives together. */
  get total(): number {
    let n = this.archived;
    for (const b of this.bytes.values()) n += b;
    return n;
  }

  get archivedBytes(): number {
    return this.archived;
  }

  private refreshSoon(): void {
    clearTimeout(this.soon);
    this.soon = setTimeout(() => void this.refresh(), AFTER_CHANGE_MS);
  }

  async refresh(): Promise<void> {
    if (this.server.state !== 'running') return;
    try {
      const { sizes = [], archived = [] } = await this.server.request(Requests.listRuns, { limit: 1000, sizes: true, archived: true });
      const bytes = new Map(sizes.map((s) => [runKey(s), s.bytes]));
      const compacted = new Set(sizes.filter((s) => s.compacted).map((s) => runKey(s)));
      const archivedBytes = archived.reduce((n, a) => n + a.archive_bytes, 0);
      // The Runs tree redraws on a change: a minute's look that finds the same sizes is no change.
      const same =
        archivedBytes === this.archived &&
        bytes.size === this.bytes.size &&
        [...bytes].every(([k, b]) => this.bytes.get(k) === b && compacted.has(k) === this.compacted.has(k));
      this.bytes = bytes;
      this.compacted = compacted;
      this.archived = archivedBytes;
      if (!same) this.emitter.fire();
    } catch (e) {
      log().warn(`Disk use: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}
