// The commit notifications of a board (pgEventLog.ts's EVENTS_CHANNEL), for a process that
// follows it: one dedicated connection LISTENs. When it drops (the database restarted, the
// connection was cut) the listener connects again, every `retryMs` until it can, and then says
// `resync`: notifications sent meanwhile are lost, the events are not — its owner catches up by
// seq. A first connection that cannot be made is tried again the same way. Payloads of other
// boards, or that are not ours, are ignored.
import type { Client, ClientConfig, Notification } from 'pg';
import { pgDriver } from './pgDriver';
import { EVENTS_CHANNEL } from './pgEventLog';

export interface BoardNotices {
  /** A commit on the board made the run's last seq `seq`. */
  commit(runId: string, seq: number): void;
  /** The run was archived or restored (by any machine). */
  archived(runId: string, archived: boolean): void;
  /** The connection was lost and is back: catch every run up by seq. */
  resync(): void;
  /** A connection could not be made (it is tried again every `retryMs`). */
  unreachable(e: Error): void;
}

export class PgListener {
  private client: Client | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  private constructor(
    private readonly config: ClientConfig,
    private readonly board: string,
    private readonly notices: BoardNotices,
    private readonly retryMs: number,
  ) {}

  /**
   * Listening once this resolves with its first connection made — or, when that cannot be made
   * (the database down), trying again every `retryMs`, with a `resync` once it is.
   */
  static async start(config: ClientConfig, board: string, notices: BoardNotices, retryMs = 1000): Promise<PgListener> {
    const l = new PgListener(config, board, notices, retryMs);
    await l.connect().catch((e: Error) => {
      notices.unreachable(e);
      l.again();
    });
    return l;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const c = new (pgDriver().Client)(this.config);
    c.on('notification', (n) => this.heard(n));
    c.on('error', () => this.lost(c));
    c.on('end', () => this.lost(c));
    await c.connect();
    await c.query(`LISTEN ${EVENTS_CHANNEL}`);
    if (this.closed) return void (await c.end().catch(() => undefined));
    this.client = c;
  }

  private heard(n: Notification): void {
    if (n.channel !== EVENTS_CHANNEL || n.payload === undefined) return;
    let p: { board?: unknown; run_id?: unknown; seq?: unknown; archived?: unknown; restored?: unknown };
    try {
      p = JSON.parse(n.payload) as typeof p;
    } catch {
      return;
    }
    if (p.board !== this.board || typeof p.run_id !== 'string') return;
    if (p.archived === true || p.restored === true) this.notices.archived(p.run_id, p.archived === true);
    else if (Number.isInteger(p.seq)) this.notices.commit(p.run_id, p.seq as number);
  }

  private lost(c: Client): void {
    if (this.client !== c) return;
    this.client = undefined;
    c.end().catch(() => undefined);
    this.again();
  }

  private again(): void {
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.connect().then(
        () => !this.closed && this.notices.resync(),
        (e: Error) => {
          this.notices.unreachable(e);
          this.again();
        },
      );
    }, this.retryMs);
    this.retry.unref();
  }
}
