// Which store keeps a root's board: .runboard/board.json (PROTOCOL.md §Boards). Absent, the
// board is the files under .runboard/runs. With `"store": "postgres"` it is the board of that
// name in a PostgreSQL database, shared by every clone whose file names it. The file is meant to
// be committed, so it holds no credentials: a password comes from a connection URL in an
// environment variable the file names (`url_env`), else from PGPASSWORD or ~/.pgpass (pg/pgDriver.ts).
import * as path from 'node:path';
import type { PoolConfig } from 'pg';
import { z } from 'zod';
import { BOARD_CONFIG_FILE, RUNBOARD_DIR } from '../../../contract/layout';
import { DomainError } from '../engine/errors';
import { withoutByteOrderMark } from '../../../contract/byteOrderMark';
import { nearestName } from '../../../contract/nearestName';
import { readRegularFile } from './atomicFiles';

/** A board's name: its runs' key in the database, the same on every machine. */
const BOARD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const PostgresSchema = z
  .object({
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    /** `require`: TLS without checking the certificate; `verify-full`: TLS, the certificate checked. */
    ssl: z.enum(['disable', 'require', 'verify-full']).optional(),
    /** An environment variable holding a connection URL (postgres://…): it wins over the fields above. */
    url_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional(),
  })
  .strict();

const BoardConfigSchema = z.discriminatedUnion('store', [
  z.object({ store: z.literal('files') }).strict(),
  z
    .object({
      store: z.literal('postgres'),
      board: z.string().regex(BOARD_NAME, 'letters, digits, ".", "_" or "-", starting with a letter or digit, at most 100'),
      postgres: PostgresSchema.default({}),
    })
    .strict(),
]);

export type BoardConfig = { store: 'files' } | { store: 'postgres'; board: string; pool: PoolConfig };

/** Names people write for the fields of `postgres` (libpq's and URLs' words). */
const POSTGRES_ALIASES: Readonly<Record<string, string>> = {
  hostname: 'host',
  dbname: 'database',
  db: 'database',
  username: 'user',
  sslmode: 'ssl',
};

/** What an unknown key is told: the fields there are where it is, and the one meant when it is near one. */
function unknownField(holder: unknown, key: string, inPostgres: boolean): string {
  if (inPostgres) {
    const fields = Object.keys(PostgresSchema.shape);
    const meant = POSTGRES_ALIASES[key.toLowerCase()] ?? nearestName(key, fields);
    return `not a field of postgres (it has ${fields.join(', ')})${meant ? `; did you mean "${meant}"?` : ''}`;
  }
  if ((holder as { store?: unknown }).store === 'files') {
    return `not a field of a files board (it has only store; "store": "postgres" names a database board)`;
  }
  const fields = ['store', 'board', 'postgres'];
  const meant = nearestName(key, fields);
  return `not a field of ${BOARD_CONFIG_FILE} (it has ${fields.join(', ')})${meant ? `; did you mean "${meant}"?` : ''}`;
}

/** Keys that would be credentials: refused by name, with where they go instead. */
const CREDENTIAL_KEYS = ['password', 'passfile', 'connection_string', 'url'];

export function boardConfigFile(root: string): string {
  return path.join(root, RUNBOARD_DIR, BOARD_CONFIG_FILE);
}

/**
 * The root's board config; `{store: 'files'}` when there is no board.json. BOARD_CONFIG_INVALID
 * names the field that is wrong and how to fix it.
 */
export function readBoardConfig(root: string, env: NodeJS.ProcessEnv = process.env): BoardConfig {
  const file = boardConfigFile(root);
  let text: string;
  try {
    text = readRegularFile(file).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { store: 'files' };
    throw invalid(file, `cannot be read: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(withoutByteOrderMark(text));
  } catch (e) {
    throw invalid(file, `is not JSON: ${(e as Error).message}`);
  }
  refuseCredentials(file, raw);
  const r = BoardConfigSchema.safeParse(raw);
  if (!r.success) {
    // A misspelt key first: its absence under the right name ("board" missing) follows from it.
    const i = r.error.issues.find((x) => x.code === 'unrecognized_keys') ?? r.error.issues[0];
    // An unknown key is named by its own path (zod puts the issue on the object that holds it).
    if (i.code === 'unrecognized_keys') {
      const field = [...i.path, i.keys[0]].join('.');
      throw invalid(
        file,
        `${field}: ${unknownField(i.path.length === 0 ? raw : (raw as { postgres: unknown }).postgres, i.keys[0], i.path.length > 0)}`,
        field,
      );
    }
    const field = i.path.join('.') || 'store';
    throw invalid(file, `${field}: ${field === 'store' ? 'say "files" or "postgres"' : i.message}`, field);
  }
  if (r.data.store === 'files') return { store: 'files' };
  return { store: 'postgres', board: r.data.board, pool: poolConfig(file, r.data.postgres, env) };
}

function poolConfig(file: string, p: z.infer<typeof PostgresSchema>, env: NodeJS.ProcessEnv): PoolConfig {
  const ssl = p.ssl === undefined || p.ssl === 'disable' ? undefined : { rejectUnauthorized: p.ssl === 'verify-full' };
  if (p.url_env !== undefined) {
    const url = env[p.url_env];
    if (!url)
      throw invalid(
        file,
        `postgres.url_env: the environment variable ${p.url_env} is not set (it should hold postgres://…)`,
        'postgres.url_env',
      );
    return { ...(ssl ? { ssl } : {}), ...urlFields(file, p.url_env, url) };
  }
  // Fields left out fall back to PGHOST, PGPORT, PGDATABASE, PGUSER (pg reads them).
  return {
    ...(p.host !== undefined ? { host: p.host } : {}),
    ...(p.port !== undefined ? { port: p.port } : {}),
    ...(p.database !== undefined ? { database: p.database } : {}),
    ...(p.user !== undefined ? { user: p.user } : {}),
    ...(ssl ? { ssl } : {}),
  };
}

/**
 * A connection URL as pg's fields (pg's own parser), so that a URL without a password takes one
 * the way the fields do (pg/pgDriver.ts: the editor's secret, PGPASSWORD, ~/.pgpass) — given as a
 * connectionString, pg read its empty password as the one to send. Anything but a postgres:// URL
 * is refused naming the variable, never its value (it may hold a password).
 */
function urlFields(file: string, name: string, url: string): PoolConfig {
  let scheme: string | undefined;
  try {
    scheme = new URL(url).protocol;
  } catch {
    scheme = undefined;
  }
  if (scheme !== 'postgres:' && scheme !== 'postgresql:') {
    throw invalid(
      file,
      `postgres.url_env: the environment variable ${name} does not hold a postgres:// URL (${scheme ? `it is a ${scheme.slice(0, -1)}: URL` : 'it is no URL'}); set it to postgres://user@host:port/database`,
      'postgres.url_env',
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse, toClientConfig } = require('pg-connection-string') as typeof import('pg-connection-string');
  let parsed: ReturnType<typeof toClientConfig>;
  try {
    // sslmode as libpq means it (`require`: TLS, the certificate not checked — as the file's `ssl`
    // says it), not as pg 8 does (`require` checks it, and every process prints a warning saying so).
    // A URL that says uselibpqcompat itself is taken at its word (pg refuses it given twice).
    const libpq = !new URL(url).searchParams.has('uselibpqcompat');
    parsed = toClientConfig(parse(url, { useLibpqCompat: libpq }));
  } catch (e) {
    // pg's parser keeps the URL out of its messages ("Invalid port: …" names the part).
    throw invalid(file, `postgres.url_env: the URL in ${name} cannot be read: ${(e as Error).message}`, 'postgres.url_env');
  }
  const { password, ...fields } = parsed;
  return { ...(fields as PoolConfig), ...(password ? { password } : {}) };
}

function refuseCredentials(file: string, raw: unknown): void {
  const pg = (raw as { postgres?: unknown } | null)?.postgres;
  const keys = [...Object.keys(raw ?? {}), ...(pg && typeof pg === 'object' ? Object.keys(pg).map((k) => `postgres.${k}`) : [])];
  const found = keys.find((k) => CREDENTIAL_KEYS.includes(k.replace(/^postgres\./, '')));
  if (found) {
    throw invalid(
      file,
      `${found}: credentials never go in ${BOARD_CONFIG_FILE} (it is committed). Set PGPASSWORD, add a line to ~/.pgpass, or name an environment variable holding the URL with postgres.url_env.`,
      found,
    );
  }
}

function invalid(file: string, why: string, field?: string): DomainError {
  return new DomainError('BOARD_CONFIG_INVALID', `${file} ${field ? '— ' : ''}${why}`, { file, ...(field ? { field } : {}) });
}
