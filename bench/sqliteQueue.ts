// The SQLite side of row 7: a task queue written the way one would write it well — WAL, an index
// on (status, priority desc, created), one IMMEDIATE transaction per operation, UPDATE …
// RETURNING — with a lease token and expiry checked on heartbeat and complete like Runboard's.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { taskInputs } from './workload';

export type SqliteSync = 'FULL' | 'NORMAL';

const LEASE_MS = 30_000;

export interface ClaimedRow {
  id: string;
  lease_token: string;
  rev: number;
}

function open(file: string, sync: SqliteSync): Database.Database {
  const db = new Database(file, { timeout: 30_000 });
  // WAL is persistent: set once by the seeding connection. Four workers each asking for it as
  // they open together could meet SQLITE_BUSY outside the busy handler on a loaded machine.
  if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync}`);
  return db;
}

/** Creates the table and index and inserts `tasks` pending tasks. */
export function seedSqliteQueue(file: string, tasks: number): void {
  const db = open(file, 'NORMAL');
  try {
    db.exec(`
      CREATE TABLE tasks (
        id TEXT PRIMARY KEY, task_type TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL,
        priority INTEGER NOT NULL, created INTEGER NOT NULL, agent TEXT, lease_token TEXT, lease_expires INTEGER,
        attempt INTEGER NOT NULL DEFAULT 0, rev INTEGER NOT NULL DEFAULT 1, updated INTEGER NOT NULL
      );
      CREATE INDEX tasks_ready ON tasks (status, priority DESC, created);
    `);
    const insert = db.prepare(
      `INSERT INTO tasks (id, task_type, payload, status, priority, created, updated) VALUES (?, ?, ?, 'pending', ?, ?, ?)`,
    );
    const now = Date.now();
    db.transaction(() => {
      taskInputs(tasks).forEach((t, i) =>
        insert.run(`task-${randomUUID()}`, t.task_type, JSON.stringify(t.payload), t.priority ?? 0, now + i, now),
      );
    })();
  } finally {
    db.close();
  }
}

export class SqliteQueue {
  private readonly db: Database.Database;
  private readonly claimStmt: Database.Statement;
  private readonly heartbeatStmt: Database.Statement;
  private readonly completeStmt: Database.Statement;
  readonly claim: (agent: string) => ClaimedRow | undefined;
  readonly heartbeat: (id: string, token: string) => boolean;
  readonly complete: (id: string, token: string) => boolean;

  constructor(file: string, sync: SqliteSync) {
    this.db = open(file, sync);
    this.claimStmt = this.db.prepare(`
      UPDATE tasks SET status = 'in_progress', agent = @agent, lease_token = @token, lease_expires = @expires, rev = rev + 1, updated = @now
      WHERE id = (SELECT id FROM tasks WHERE status = 'pending' ORDER BY priority DESC, created LIMIT 1)
      RETURNING id, lease_token, rev`);
    this.heartbeatStmt = this.db.prepare(`
      UPDATE tasks SET lease_expires = @expires, rev = rev + 1, updated = @now
      WHERE id = @id AND status = 'in_progress' AND lease_token = @token AND lease_expires > @now
      RETURNING rev`);
    this.completeStmt = this.db.prepare(`
      UPDATE tasks SET status = 'done', lease_token = NULL, lease_expires = NULL, rev = rev + 1, updated = @now
      WHERE id = @id AND status = 'in_progress' AND lease_token = @token AND lease_expires > @now
      RETURNING rev`);
    // better-sqlite3's transaction functions are plain functions: taking .immediate is meant.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    this.claim = this.db.transaction((agent: string) => {
      const now = Date.now();
      return this.claimStmt.get({ agent, token: `lease-${randomUUID()}`, expires: now + LEASE_MS, now }) as ClaimedRow | undefined;
    }).immediate;
    // eslint-disable-next-line @typescript-eslint/unbound-method
    this.heartbeat = this.db.transaction((id: string, token: string) => {
      const now = Date.now();
      return this.heartbeatStmt.get({ id, token, expires: now + LEASE_MS, now }) !== undefined;
    }).immediate;
    // eslint-disable-next-line @typescript-eslint/unbound-method
    this.complete = this.db.transaction(
      (id: string, token: string) => this.completeStmt.get({ id, token, now: Date.now() }) !== undefined,
    ).immediate;
  }

  countDone(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM tasks WHERE status = 'done'`).get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
