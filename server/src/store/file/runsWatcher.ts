// Watches a root's .runboard/runs with chokidar so lines appended by other processes (the CLI,
// MCP servers, another editor) are folded and delivered within the contract's 500 ms. A slow
// poll backs the watcher up: missed events, torn lines that need a second look, and run folders
// it never reported — file systems whose changes raise no events here (a network share, a folder
// of the Windows side under WSL), or inotify's limits reached (chokidar's error is all we get).
import chokidar, { FSWatcher } from 'chokidar';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EVENTS_FILE } from '../../../../contract/layout';
import { runIdProblem } from '../../engine/ids';

export interface RunsWatcherTarget {
  /** Something under runs/<runId> changed. */
  changed(runId: string): void;
  /** The periodic look at every loaded run. */
  poll(): void;
}

const POLL_MS = 1000;
/**
 * While there is no runs/ to watch yet, or a run folder waits for its log, it is looked for this
 * often: the first run of a root, made by another process (or by this one), reaches subscribers
 * within the contract's 500 ms, not at the next slow poll (until this change: up to a second).
 */
const APPEARING_POLL_MS = 150;

export class RunsWatcher {
  private watcher: FSWatcher | undefined;
  private closed = false;
  /** Runs whose log is watched, and run folders seen before their log was written. */
  private readonly logs = new Set<string>();
  private readonly awaitingLog = new Set<string>();
  /** Runs with a look scheduled for the next turn of the event loop. */
  private readonly soon = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  /** The quick look, while something is looked for (see APPEARING_POLL_MS); none otherwise. */
  private appearing: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly target: RunsWatcherTarget,
    /** chokidar's watch (tests hand in one that misses everything). */
    private readonly watch: typeof chokidar.watch = chokidar.watch,
  ) {
    this.timer = setInterval(() => this.tick(), POLL_MS);
    this.timer.unref();
    this.startWhenPresent();
    if (!this.watcher) this.lookForAppearing();
  }

  /** Looks quickly until runs/ is watched and no run folder waits for its log, then stops (an idle editor is not woken for nothing). */
  private lookForAppearing(): void {
    if (this.appearing || this.closed) return;
    this.appearing = setInterval(() => {
      this.startWhenPresent();
      this.settleAwaitedLogs();
      if (this.watcher && this.awaitingLog.size === 0) {
        clearInterval(this.appearing);
        this.appearing = undefined;
      }
    }, APPEARING_POLL_MS);
    this.appearing.unref();
  }

  private startWhenPresent(): void {
    const dir = this.dir;
    // Opening a folder must not write into it, so an absent .runboard/runs is polled for, not created.
    if (this.closed || this.watcher || !fs.existsSync(dir)) return;
    // runs/ itself (runs appearing and going), and each run's log as a file of its own: chokidar
    // reads a watched folder again on every event in it, and a log appended to hundreds of times
    // a second would have it list the run folder (and lstat each entry) as often.
    const w = this.watch(dir, {
      depth: 0,
      ignoreInitial: true,
      // Only the logs matter; snapshots, checkpoints and locks change for other reasons.
      ignored: (p, stats) => stats?.isFile() === true && path.basename(p) !== EVENTS_FILE,
    });
    const onPath = (p: string) => {
      const rel = path.relative(dir, p);
      const runId = rel.split(path.sep)[0];
      if (!runId || runId.startsWith('..')) return;
      this.watchLog(runId);
      this.target.changed(runId);
    };
    w.on('add', onPath)
      .on('change', onPath)
      .on('addDir', onPath)
      .on('unlinkDir', (p) => {
        const runId = path.relative(dir, p).split(path.sep)[0];
        this.awaitingLog.delete(runId);
        if (this.logs.delete(runId)) void w.unwatch(this.logOf(runId));
        this.target.changed(runId);
      })
      .on('error', () => undefined);
    // chokidar drops a file's change events for 50 ms after it emits one, with no trailing
    // event, so appends in a burst would wait for the 1 s poll. Its raw fs.watch events are not
    // throttled: each one schedules a look at its run (once per turn of the event loop).
    w.on('raw', (_event, evPath, details) => {
      const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
      if (typeof watched !== 'string') return;
      const rel = path.relative(dir, watched);
      const runId = rel === '' ? evPath : rel.split(path.sep)[0];
      if (runId && !runId.startsWith('..') && !path.isAbsolute(runId)) this.lookSoon(runId);
    });
    this.watcher = w;
    // Runs that appeared before the watcher was ready.
    w.on('ready', () => this.lookForUnreportedRuns());
  }

  private lookSoon(runId: string): void {
    if (this.soon.has(runId)) return;
    this.soon.add(runId);
    setImmediate(() => {
      this.soon.delete(runId);
      if (!this.closed) this.target.changed(runId);
    });
  }

  /** Watches the run's log as a file; a run folder whose log is not written yet waits for the poll to see it. */
  private watchLog(runId: string): void {
    if (!this.watcher || this.logs.has(runId)) return;
    if (!fs.existsSync(this.logOf(runId))) {
      this.awaitingLog.add(runId);
      this.lookForAppearing();
      return;
    }
    this.logs.add(runId);
    this.watcher.add(this.logOf(runId));
  }

  private logOf(runId: string): string {
    return path.join(this.dir, runId, EVENTS_FILE);
  }

  private tick(): void {
    this.startWhenPresent();
    this.lookForUnreportedRuns();
    this.settleAwaitedLogs();
    this.target.poll();
  }

  /** Run folders seen before their log was written: watched, and looked at, once it is. */
  private settleAwaitedLogs(): void {
    for (const runId of [...this.awaitingLog]) {
      if (!fs.existsSync(this.logOf(runId))) continue;
      this.awaitingLog.delete(runId);
      this.watchLog(runId);
      this.target.changed(runId);
    }
  }

  /** Run folders the watcher has not reported: one listing of runs/ a second. */
  private lookForUnreportedRuns(): void {
    if (!this.watcher) return;
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    // runs/ also holds what is no run (the creation lock, .creating).
    for (const name of names) {
      if (runIdProblem(name) || this.logs.has(name) || this.awaitingLog.has(name)) continue;
      this.watchLog(name);
      this.target.changed(name);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    clearInterval(this.appearing);
    await this.watcher?.close();
    this.watcher = undefined;
  }
}
