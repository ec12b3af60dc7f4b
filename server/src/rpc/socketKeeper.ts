// The editor's server and its roots' sockets (initializationOptions.serveSocket): each open root
// is served on its socket while this server holds the root's endpoint lock. While another server
// holds it, this one tries again every RETRY_MS and takes over when that one stops (handover);
// meanwhile it sends its writes to that server (writeRouting.ts). A root without .runboard/ is
// not served until it has one: opening a folder in the editor makes nothing in it. Its top folder
// is watched meanwhile, so that the first `runboard init` or run makes it served at once, not at
// the next retry (which still covers a file system that raises no events).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUNBOARD_DIR } from '../../../contract/layout';
import type { RunService } from '../service/runService';
import { errorText } from './rpcErrors';
import { ServedSocket, serveSocket } from './socketServer';

export const RETRY_MS = 2000;

interface RootSocket {
  served?: ServedSocket;
  /** The root's top folder, watched while it has no .runboard/. */
  waitingForFolder?: fs.FSWatcher;
  /** Another server held the endpoint lock at the last attempt. */
  heldElsewhere?: boolean;
  trying: boolean;
  /** What was last said about it (said again only when it changes). */
  said?: string;
}

export class SocketKeeper {
  private readonly roots = new Map<string, RootSocket>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly store: RunService,
    private readonly log: (message: string) => void,
    retryMs = RETRY_MS,
  ) {
    this.timer = setInterval(() => {
      for (const root of this.roots.keys()) void this.attempt(root);
    }, retryMs);
    this.timer.unref();
  }

  /** A root was opened (as the store names it). */
  add(root: string): void {
    if (this.closed || this.roots.has(root)) return;
    this.roots.set(root, { trying: false });
    void this.attempt(root);
  }

  /**
   * A root was closed: its socket is let go at once (another server may take it), before the store
   * lets go of the root; calls in flight on it are done again directly by their clients.
   */
  remove(root: string): void {
    const r = this.roots.get(root);
    this.roots.delete(root);
    r?.waitingForFolder?.close();
    r?.served?.stopNow();
  }

  /** Whether another server serves `root`'s socket (as far as the last attempt, at most RETRY_MS ago, saw). */
  servedElsewhere(root: string): boolean {
    return this.roots.get(root)?.heldElsewhere === true;
  }

  /** Every socket let go, requests in flight answered first. */
  async stop(): Promise<void> {
    this.close();
    await Promise.all([...this.roots.values()].flatMap((r) => (r.served ? [r.served.stop()] : [])));
  }

  /** The same, at once (the process is ending). */
  stopNow(): void {
    this.close();
    for (const r of this.roots.values()) r.served?.stopNow();
  }

  private close(): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const r of this.roots.values()) r.waitingForFolder?.close();
  }

  private async attempt(root: string): Promise<void> {
    const r = this.roots.get(root);
    if (!r || r.served || r.trying || this.closed) return;
    if (!fs.existsSync(path.join(root, RUNBOARD_DIR))) return this.watchForFolder(root, r);
    r.waitingForFolder?.close();
    r.waitingForFolder = undefined;
    r.trying = true;
    try {
      // Its lock file deleted under it: it stopped; the retry takes the root again unless another server has.
      const outcome = await serveSocket(this.store, root, { log: this.log, onLost: () => (r.served = undefined) });
      r.heldElsewhere = 'held' in outcome;
      if ('serving' in outcome) {
        // Closed or removed meanwhile: let it go again at once.
        if (this.closed || this.roots.get(root) !== r) return void (await outcome.serving.stop());
        r.served = outcome.serving;
        this.say(r, `serving the socket of ${root} on ${outcome.serving.endpoint}`);
      } else if ('held' in outcome) {
        this.say(
          r,
          `the socket of ${root} is served by ${outcome.held ? `pid ${outcome.held.pid}` : 'another server'}; this one sends its writes there and takes over when it stops`,
        );
      } else {
        this.say(r, `the socket of ${root} cannot be served here: ${outcome.unavailable}`);
      }
    } catch (e) {
      this.say(r, `serving the socket of ${root}: ${errorText(e)}`);
    } finally {
      r.trying = false;
    }
  }

  /** Watches the root's top folder for .runboard/ to appear; without events (or watches) the retry does it. */
  private watchForFolder(root: string, r: RootSocket): void {
    if (r.waitingForFolder) return;
    try {
      r.waitingForFolder = fs.watch(root, { persistent: false }, (_event, name) => {
        if (name === null || name === RUNBOARD_DIR) void this.attempt(root);
      });
      r.waitingForFolder.on('error', () => {
        r.waitingForFolder?.close();
        r.waitingForFolder = undefined;
      });
    } catch {
      // A root that cannot be watched (gone, no watches left): the retry looks again.
    }
  }

  private say(r: RootSocket, message: string): void {
    if (r.said === message) return;
    r.said = message;
    this.log(message);
  }
}
