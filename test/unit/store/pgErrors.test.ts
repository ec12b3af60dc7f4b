// How a PostgreSQL board that cannot be reached is said: the driver's own failure, from a real
// connection attempt, with where the board's server is named and what to do.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import pg from 'pg';
import { CommitOutcomeUnknown, commitFailure, storageError } from '../../../server/src/store/pg/pgErrors';

/** The driver's failure to connect to `host:port` (nothing is sent: the connection is never made). */
async function connectFailure(host: string, port: number): Promise<unknown> {
  const client = new pg.Client({ host, port, user: 'ann', database: 'runboard', password: 'unused' });
  try {
    await client.connect();
  } catch (e) {
    return e;
  }
  await client.end();
  throw new Error(`${host}:${port} answered`);
}

describe('a PostgreSQL board that cannot be reached', () => {
  it('nothing listening on the port: start the server, or correct where board.json names it — transient', async () => {
    // Port 1 (tcpmux) is closed on any test machine: the kernel refuses at once.
    const e = storageError('team', await connectFailure('127.0.0.1', 1));
    assert.equal(e.code, 'STORAGE_ERROR');
    assert.match(
      e.message,
      /^PostgreSQL board team: connect ECONNREFUSED 127\.0\.0\.1:1 — no PostgreSQL server answers there: start it, or correct/,
    );
    assert.match(
      e.message,
      /\.runboard\/board\.json \(postgres\.host and postgres\.port, or the URL that url_env names; else PGHOST and PGPORT\)/,
    );
    assert.deepEqual(e.details, { board: 'team', pg_code: 'ECONNREFUSED', transient: true });
  });

  it('a host name that does not resolve: correct it — not transient', async () => {
    // .invalid never resolves (RFC 6761): the resolver answers without asking a network.
    const e = storageError('team', await connectFailure('no-such-host.invalid', 5432));
    assert.match(
      e.message,
      /^PostgreSQL board team: getaddrinfo ENOTFOUND no-such-host\.invalid — no such host: correct it in \.runboard\/board\.json/,
    );
    assert.equal(e.details.transient, undefined);
  });

  it('a host of several addresses, none answering (node reports it as an AggregateError with no message): each attempt is said', () => {
    const attempt = (address: string) =>
      Object.assign(new Error(`connect ECONNREFUSED ${address}:5432`), { code: 'ECONNREFUSED', address, port: 5432 });
    const both = Object.assign(new AggregateError([attempt('::1'), attempt('127.0.0.1')]), { code: 'ECONNREFUSED' });
    assert.equal(both.message, '');
    const e = storageError('team', both);
    assert.match(
      e.message,
      /^PostgreSQL board team: connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127\.0\.0\.1:5432 — no PostgreSQL server answers there/,
    );
    assert.equal(e.details.transient, true);
  });

  it('pg\'s "not queryable" (a query on a client cut before it) is an outage, and a commit it refused wrote nothing', () => {
    // pg's words, with no code (pg/lib/client.js): the query was never sent.
    const refused = new Error('Client has encountered a connection error and is not queryable');
    const e = storageError('team', refused);
    assert.deepEqual(e.details, { board: 'team', transient: true }, 'tried again, and not "maybe written"');
    assert.equal(commitFailure(refused), refused, 'not an unknown outcome: the commit was not sent');
    assert.ok(
      commitFailure(new Error('Connection terminated unexpectedly')) instanceof CommitOutcomeUnknown,
      'a commit cut in flight is unknown',
    );
  });

  it('a wrong password names where it comes from, in the order it is looked for; no user names where the user comes from', () => {
    const password = storageError('team', Object.assign(new Error('password authentication failed for user "ann"'), { code: '28P01' }));
    assert.match(
      password.message,
      /the password is the one in the URL that url_env names, else the editor's secret .*, else PGPASSWORD, else .*~\/\.pgpass/,
    );
    const user = storageError('team', Object.assign(new Error('no PostgreSQL user name specified in startup packet'), { code: '28000' }));
    assert.match(user.message, /the user is postgres\.user in \.runboard\/board\.json .*, else PGUSER, else the name this process runs as/);
  });
});
