// Watches each root's .runboard/runs with chokidar so lines appended by other processes (the
// CLI, MCP servers, another editor) are folded and delivered within the contract's 500 ms. A
// slow poll backs the watcher up (missed events, torn lines that need a second look).
import chokidar, { FSWatcher } from 'chokidar';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runsDir } from '../store/paths';

export interface RunsWatcherTarget {
  /** Something under runs/<runId> changed in `root`. */
  changed(root: string, runId: string): void;
  /** The periodic look at every loaded run. */
  poll(): void;
}

const POLL_MS = 1000;

export class RunsWatcher {
  private readonly watchers = new Map<string, FSWatcher | undefined>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly target: RunsWatcherTarget) {
    this.timer = setInterval(() => this.tick(), POLL_MS);
    this.timer.unref();
  }

  add(root: string): void {
    if (this.watchers.has(root)) return;
    this.watchers.set(root, undefined);
    this.startWhenPresent(root);
  }

  async remove(root: string): Promise<void> {
    const w = this.watchers.get(root);
    this.watchers.delete(root);
    await w?.close();
  }

  private startWhenPresent(root: string): void {
    const dir = runsDir(root);
    // Opening a folder must not write into it, so an absent .runboard/runs is polled for, not created.
    if (!fs.existsSync(dir) || this.watchers.get(root) !== undefined || !this.watchers.has(root)) return;
    const w = chokidar.watch(dir, {
      depth: 1,
      ignoreInitial: true,
      // Only the logs matter; snapshots, checkpoints and locks change for other reasons.
      ignored: (p, stats) => stats?.isFile() === true && path.basename(p) !== 'events.jsonl',
    });
    const onPath = (p: string) => {
      const rel = path.relative(dir, p);
      const runId = rel.split(path.sep)[0];
      if (runId && !runId.startsWith('..')) this.target.changed(root, runId);
    };
    w.on('add', onPath).on('change', onPath).on('addDir', onPath).on('error', () => undefined);
    this.watchers.set(root, w);
    // Runs that appeared before the watcher was ready.
    w.on('ready', () => {
      for (const name of fs.readdirSync(dir)) this.target.changed(root, name);
    });
  }

  private tick(): void {
    for (const root of this.watchers.keys()) this.startWhenPresent(root);
    this.target.poll();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.watchers.values()].map((w) => w?.close()));
    this.watchers.clear();
  }
}
