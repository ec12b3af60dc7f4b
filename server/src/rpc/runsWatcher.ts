// Watches each root's .runboard/runs with chokidar so lines appended by other processes (the
// CLI, MCP servers, another editor) are folded and delivered within the contract's 500 ms. A
// slow poll backs the watcher up (missed events, torn lines that need a second look).
import chokidar, { FSWatcher } from 'chokidar';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runsDir } from '../store/paths';
import { EVENTS_FILE } from '../../../contract/layout';

export interface RunsWatcherTarget {
  /** Something under runs/<runId> changed in `root`. */
  changed(root: string, runId: string): void;
  /** The periodic look at every loaded run. */
  poll(): void;
}

const POLL_MS = 1000;

export class RunsWatcher {
  private readonly watchers = new Map<string, FSWatcher | undefined>();
  /** Runs with a look scheduled for the next turn of the event loop (root NUL run id). */
  private readonly soon = new Set<string>();
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
      ignored: (p, stats) => stats?.isFile() === true && path.basename(p) !== EVENTS_FILE,
    });
    const onPath = (p: string) => {
      const rel = path.relative(dir, p);
      const runId = rel.split(path.sep)[0];
      if (runId && !runId.startsWith('..')) this.target.changed(root, runId);
    };
    w.on('add', onPath)
      .on('change', onPath)
      .on('addDir', onPath)
      .on('error', () => undefined);
    // chokidar drops a file's change events for 50 ms after it emits one, with no trailing
    // event, so appends in a burst would wait for the 1 s poll. Its raw fs.watch events are not
    // throttled: each one schedules a look at its run (once per turn of the event loop).
    w.on('raw', (_event, evPath, details) => {
      const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
      if (typeof watched !== 'string') return;
      const rel = path.relative(dir, watched);
      const runId = rel === '' ? evPath : rel.split(path.sep)[0];
      if (runId && !runId.startsWith('..') && !path.isAbsolute(runId)) this.lookSoon(root, runId);
    });
    this.watchers.set(root, w);
    // Runs that appeared before the watcher was ready.
    w.on('ready', () => {
      for (const name of fs.readdirSync(dir)) this.target.changed(root, name);
    });
  }

  private lookSoon(root: string, runId: string): void {
    const key = `${root}\0${runId}`;
    if (this.soon.has(key)) return;
    this.soon.add(key);
    setImmediate(() => {
      this.soon.delete(key);
      if (this.watchers.get(root)) this.target.changed(root, runId);
    });
  }

  private tick(): void {
    for (const root of this.watchers.keys()) this.startWhenPresent(root);
    this.target.poll();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.watchers.values()].map((w) => w?.close() ?? Promise.resolve()));
    this.watchers.clear();
  }
}
