// A root's socket (PROTOCOL.md §Routing): while this process holds the root's endpoint lock, it
// listens on the root's endpoint and serves each connection with the same handlers as the
// editor's connection (requests.ts) and subscriptions of its own. A connection needs no
// `initialize`: it speaks for the socket's root, which fills params that name none. Listening
// comes before the announcement (server.json), and withdrawing it before closing.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createMessageConnection, StreamMessageReader } from 'vscode-languageserver/node';
import { version } from '../../../package.json';
import { RUNBOARD_DIR, SERVER_LOCK_FILE } from '../../../contract/layout';
import { Notifications, PROTOCOL_VERSION } from '../protocol';
import { announce, readAnnouncement, withdrawAnnouncement } from '../routing/announcement';
import { Announcement, endpointFor } from '../routing/endpoint';
import { takeEndpointLock } from '../routing/endpointLock';
import type { HeldFile } from '../store/boards';
import { currentHost, currentUid } from '../routing/host';
import { ensureSocketFolder, removeStaleSocket } from '../routing/socketFolder';
import type { RunService } from '../service/runService';
import { errorText } from './rpcErrors';
import { serveRequests, ServedRequests } from './requests';
import { SocketMessageWriter } from './socketMessageWriter';
import { SubscriptionHub } from './subscriptions';

/** How long stopping waits for requests in flight to be answered before it cuts their connections. */
const DRAIN_MS = 5000;

export interface SocketOptions {
  log: (message: string) => void;
  /** Told the number of open connections whenever it changes (the headless server's idle timer). */
  onConnections?: (open: number) => void;
  /** Told that it stopped serving on its own: its lock file was deleted or replaced, so another server may serve the root. */
  onLost?: (why: string) => void;
}

/** How often a server looks whether its socket and its lock file are still the ones at their paths (a /tmp cleaner, a person). */
export const FILES_CHECK_MS = 2000;

export interface ServedSocket {
  readonly root: string;
  readonly endpoint: string;
  /**
   * Stops: no new connections, the announcement and the socket withdrawn, requests in flight
   * answered (a few seconds at most), the connections closed, then the lock let go.
   */
  stop(): Promise<void>;
  /** Stops at once, synchronously (the process is ending): the files withdrawn, the connections cut, the lock let go. */
  stopNow(): void;
}

export type SocketOutcome =
  | { serving: ServedSocket }
  /** Another server holds the endpoint lock (and says so in its announcement, unless it is still starting or was killed). */
  | { held: Announcement | undefined }
  /** This root cannot be served here (the socket path too long, a socket folder not safe to use, files that cannot be written). */
  | { unavailable: string };

/** Serves `root` (a root `store` has open, as it names it) on its socket when this process can take the endpoint lock. */
export async function serveSocket(store: RunService, root: string, o: SocketOptions): Promise<SocketOutcome> {
  const realRoot = fs.realpathSync.native(root);
  let lock;
  try {
    lock = takeEndpointLock(realRoot);
  } catch (e) {
    return { unavailable: (e as Error).message };
  }
  if (!lock) {
    const read = readAnnouncement(realRoot);
    return { held: 'announcement' in read ? read.announcement : undefined };
  }
  let listening: { server: net.Server; endpoint: string } | undefined;
  try {
    const host = currentHost();
    const endpoint = endpointFor(realRoot, host);
    if (endpoint === undefined)
      throw new Error(`its socket path in ${host.runtimeDir} would be too long; set XDG_RUNTIME_DIR to a shorter folder`);
    if (host.platform !== 'win32') {
      ensureSocketFolder(path.dirname(endpoint), currentUid());
      removeStaleSocket(endpoint, currentUid());
    }
    const server = await listenOn(endpoint);
    listening = { server, endpoint };
    // The socket file this server made: told apart from another server's at the same path when it stops.
    const socketFile = host.platform !== 'win32' ? socketInode(endpoint) : undefined;
    const secret = randomBytes(32).toString('hex');
    const served = new Served(store, root, realRoot, endpoint, server, lock, o, socketFile, secret);
    announce(realRoot, {
      protocol: PROTOCOL_VERSION,
      endpoint,
      pid: process.pid,
      root: realRoot,
      started_at_ms: Date.now(),
      version,
      durability: store.options.durability,
      secret,
    });
    return { serving: served };
  } catch (e) {
    // Announcing failed (a full disk, server.json a folder): the socket made for it goes too, or the process would live on for it.
    if (listening) {
      listening.server.close();
      if (process.platform !== 'win32') fs.rmSync(listening.endpoint, { force: true });
    }
    lock.release(true);
    return { unavailable: (e as Error).message };
  }
}

interface Connection {
  requests: ServedRequests;
  close: () => void;
}

class Served implements ServedSocket {
  private readonly connections = new Set<Connection>();
  private stopped = false;
  private readonly filesCheck: NodeJS.Timeout;
  private relistening = false;
  private relistenFailure: string | undefined;

  constructor(
    private readonly store: RunService,
    readonly root: string,
    private readonly realRoot: string,
    readonly endpoint: string,
    private server: net.Server,
    private readonly lock: HeldFile,
    private readonly o: SocketOptions,
    private socketFile: bigint | undefined,
    /** The announcement's secret: a client that asks (runboard/hello) is shown this server knows it. */
    private readonly secret: string,
  ) {
    this.attend(server);
    this.filesCheck = setInterval(() => void this.checkFiles(), FILES_CHECK_MS);
    this.filesCheck.unref();
  }

  private attend(server: net.Server): void {
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (e) => this.o.log(`socket ${this.endpoint}: ${errorText(e)}`));
  }

  /**
   * A long-lived process notices when the files it holds are no longer the files at their paths:
   * a socket deleted (a /tmp cleaner) is made again — calls went direct meanwhile, for good with no
   * idle timeout; a lock file deleted or replaced lets another server take the root, so this one
   * stops serving it (the editor's keeper tries again; the headless server ends).
   */
  private async checkFiles(): Promise<void> {
    if (this.stopped || this.relistening) return;
    if (!this.lock.stillThere()) {
      const why = `${path.join(this.realRoot, RUNBOARD_DIR, SERVER_LOCK_FILE)} was deleted or replaced, so another server may serve ${this.root}`;
      this.o.log(`stopped serving the socket of ${this.root}: ${why}`);
      this.stopNow();
      this.o.onLost?.(why);
      return;
    }
    if (this.socketFile === undefined || socketInode(this.endpoint) === this.socketFile) return;
    this.relistening = true;
    try {
      await this.listenAgain();
      this.relistenFailure = undefined;
    } catch (e) {
      // Said once (its message, not a stack), not every FILES_CHECK_MS while it lasts.
      const failure = `socket ${this.endpoint} was removed and cannot be made again: ${(e as Error).message}`;
      if (failure !== this.relistenFailure) this.o.log(failure);
      this.relistenFailure = failure;
    } finally {
      this.relistening = false;
    }
  }

  private async listenAgain(): Promise<void> {
    // The lock is this server's: whatever is at the path now is no other server's socket.
    fs.rmSync(this.endpoint, { force: true });
    const next = await listenOn(this.endpoint);
    if (this.stopped) return void next.close();
    // The old listener's close would unlink the path, now the new socket's: closeListenerKeepingPath moves it aside meanwhile.
    this.closeListenerKeepingPath();
    this.server = next;
    this.socketFile = socketInode(this.endpoint);
    this.attend(next);
    this.o.log(`socket ${this.endpoint} was removed; listening on it again`);
  }

  private accept(socket: net.Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const conn = createMessageConnection(new StreamMessageReader(socket), new SocketMessageWriter(socket));
    const hub = new SubscriptionHub(
      this.store,
      (p) => conn.sendNotification(Notifications.events, p).catch(() => undefined),
      (d) => void conn.sendNotification(Notifications.diagnostic, d).catch(() => undefined),
      (r) => void conn.sendNotification(Notifications.runReset, r).catch(() => undefined),
    );
    const stopListening = this.store.on({ onCommit: (n) => hub.onCommit(n), onReset: (n) => hub.onReset(n) });
    const requests = serveRequests(conn, this.store, hub, this.o.log, this.root, this.secret);
    let closed = false;
    const entry: Connection = {
      requests,
      close: () => {
        if (closed) return;
        closed = true;
        stopListening();
        hub.dispose();
        conn.dispose();
        socket.destroy();
        this.connections.delete(entry);
        this.o.onConnections?.(this.connections.size);
      },
    };
    this.connections.add(entry);
    this.o.onConnections?.(this.connections.size);
    conn.onClose(entry.close);
    socket.on('close', entry.close);
    socket.on('error', () => entry.close());
    conn.listen();
  }

  async stop(): Promise<void> {
    if (!this.withdraw()) return;
    const drained = Promise.all([...this.connections].map((c) => c.requests.drained()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_MS)))]);
    clearTimeout(timer);
    this.finish();
  }

  stopNow(): void {
    if (this.withdraw()) this.finish();
  }

  /**
   * No new connections, and nobody is sent here any more; false when it was stopped already. When
   * the lock file was deleted meanwhile (another server may hold a new one and have replaced both
   * files), the files are that server's: left alone.
   */
  private withdraw(): boolean {
    if (this.stopped) return false;
    this.stopped = true;
    clearInterval(this.filesCheck);
    if (!this.lock.stillThere()) {
      this.closeListenerKeepingPath();
      return true;
    }
    this.server.close();
    const unlinkSocket = () => process.platform !== 'win32' && fs.rmSync(this.endpoint, { force: true });
    for (const undo of [() => withdrawAnnouncement(this.realRoot), unlinkSocket]) {
      try {
        undo();
      } catch (e) {
        this.o.log(`stopping the socket of ${this.root}: ${errorText(e)}`);
      }
    }
    return true;
  }

  /**
   * Closes the listener when the endpoint may be another server's now (this one's lock file was
   * deleted: `.runboard/` removed and made again, and a new server serves). libuv unlinks a Unix
   * socket's path as its listener closes, which would take the new server's socket: it is moved
   * aside for that moment (a client connecting just then goes direct, as with no server); this
   * server's own socket, still there, goes with its listener.
   */
  private closeListenerKeepingPath(): void {
    const aside = `${this.endpoint}.${process.pid}.aside`;
    let moved = false;
    try {
      if (this.socketFile !== undefined && fs.lstatSync(this.endpoint, { bigint: true }).ino !== this.socketFile) {
        fs.renameSync(this.endpoint, aside);
        moved = true;
      }
    } catch {
      // Nothing at the path: nothing to keep.
    }
    this.server.close();
    if (!moved) return;
    try {
      fs.renameSync(aside, this.endpoint);
    } catch (e) {
      this.o.log(`stopping the socket of ${this.root}: ${errorText(e)}`);
    }
  }

  private finish(): void {
    for (const c of [...this.connections]) c.close();
    // Nothing of the server stays in the workspace: the announcement is withdrawn, the lock file goes.
    this.lock.release(true);
  }
}

/** A server listening on `endpoint`, once it does. */
async function listenOn(endpoint: string): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(endpoint, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** The inode of the socket file at `endpoint`, or undefined when there is none. */
function socketInode(endpoint: string): bigint | undefined {
  try {
    return fs.lstatSync(endpoint, { bigint: true }).ino;
  } catch {
    return undefined;
  }
}
