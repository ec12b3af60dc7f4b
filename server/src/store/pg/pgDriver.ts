// The PostgreSQL driver (pg) and ~/.pgpass reader (pgpass), loaded on first use: a process on a
// file board never pays for them. Required inside a function rather than imported, so that the
// bundles evaluate them only then (a top-level import runs at start-up).
import { Writable } from 'node:stream';
import type * as Pg from 'pg';
import type { PgPassTarget } from 'pgpass';
import { BOARD_PASSWORDS_ENV } from '../../../../contract/layout';

let driver: typeof Pg | undefined;

export function pgDriver(): typeof Pg {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (driver ??= require('pg') as typeof Pg);
}

/**
 * The password for a connection whose config holds none: the editor's secret for `board` (handed
 * over in BOARD_PASSWORDS_ENV), else PGPASSWORD of `env`, else the matching line of ~/.pgpass or
 * PGPASSFILE (libpq's rules), else none. In the shape pg calls (it passes the connection's
 * parameters; its types say none), as a method of the client that connects.
 */
export function passwordFrom(env: NodeJS.ProcessEnv, board: string): () => Promise<string> {
  const fromEditor = editorSecret(env, board);
  const find = (params: PgPassTarget): Promise<string | undefined> => {
    if (fromEditor !== undefined) return Promise.resolve(fromEditor);
    if (env.PGPASSWORD) return Promise.resolve(env.PGPASSWORD);
    return fromPassFile(params);
  };
  return function lookUp(this: Pick<Pg.Client, 'end'> | undefined, params: PgPassTarget) {
    return find(params).catch((e: unknown) => {
      // pg leaves the socket of a connection whose password lookup failed open until the server's
      // authentication_timeout (a minute), and a CLI call that was told why waited that long to exit.
      setImmediate(() => void this?.end().catch(() => undefined));
      throw e;
    });
  } as unknown as () => Promise<string>;
}

/**
 * The matching line of the password file; none at all is an error saying where one goes (pg's own
 * words were "empty password returned by client"), with what pgpass says of a file it ignored (one
 * others may read).
 */
function fromPassFile(params: PgPassTarget): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pgPass = require('pgpass') as typeof import('pgpass').default;
  const said: string[] = [];
  const previous = pgPass.warnTo(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        said.push(String(chunk).trim());
        done();
      },
    }),
  );
  return new Promise<string | undefined>((resolve) => pgPass(params, resolve))
    .finally(() => pgPass.warnTo(previous))
    .then(
      (found) =>
        found ??
        Promise.reject(
          new Error(
            `the database asks for a password and none is set${said.length > 0 ? ` (${said.join('; ')})` : ''}: set PGPASSWORD, add a line to ~/.pgpass (or PGPASSFILE), or in VS Code run "Runboard: Set Database Password…"`,
          ),
        ),
    );
}

function editorSecret(env: NodeJS.ProcessEnv, board: string): string | undefined {
  try {
    const secrets = JSON.parse(env[BOARD_PASSWORDS_ENV] ?? '{}') as Record<string, unknown>;
    const secret = Object.hasOwn(secrets, board) ? secrets[board] : undefined;
    return typeof secret === 'string' && secret !== '' ? secret : undefined;
  } catch {
    return undefined;
  }
}

/** A string as an SQL literal (pg's own escaping), for statements sent several to a message. */
export function escapeLiteral(s: string): string {
  return pgDriver().escapeLiteral(s);
}
