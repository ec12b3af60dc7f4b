// How a PostgreSQL board that cannot be reached is said: the driver's own failure, from a real
// connection attempt, with where the board's server is named and what to do.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import pg from 'pg';
import { storageError } from '../../../server/src/store/pg/pgErrors';

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
});
