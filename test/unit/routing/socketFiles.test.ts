// Routing's files, for real: the owner-only socket folder (and folders refused), a stale socket
// unlinked and anything else left alone, the endpoint lock, the announcement, and a client that
// sends to a socket when it may and writes directly when it may not or the server goes away.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import * as rpc from 'vscode-jsonrpc/node';
import { DomainError } from '../../../server/src/engine/errors';
import { announce, announcementFile, readAnnouncement, withdrawAnnouncement } from '../../../server/src/routing/announcement';
import { MethodCaller, RoutedCaller } from '../../../server/src/routing/client';
import { takesCommandId } from '../../../contract/schemas/params';
import { Announcement, helloProof, rootKey } from '../../../server/src/routing/endpoint';
import { takeEndpointLock } from '../../../server/src/routing/endpointLock';
import { currentUid } from '../../../server/src/routing/host';
import { ensureSocketFolder, removeStaleSocket, socketFacts } from '../../../server/src/routing/socketFolder';
import { version } from '../../../package.json';
import { openStore, readLogEvents, removeTree, tempRoot } from '../store/helpers';

const posix = process.platform !== 'win32';
const uid = currentUid();
const dirs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) removeTree(d);
});

function temp(): string {
  const d = fs.realpathSync(tempRoot());
  dirs.push(d);
  return d;
}

/** A socket file nobody listens on any more: its server was killed. */
async function staleSocket(file: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(file)}, () => console.log('up'))`]);
  children.push(child);
  await new Promise((resolve) => child.stdout.once('data', resolve));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
}

describe('the socket folder', { skip: !posix && 'POSIX sockets' }, () => {
  it('is made owner-only, whatever the umask', () => {
    const folder = path.join(temp(), 'runboard-me');
    const before = process.umask(0);
    try {
      ensureSocketFolder(folder, uid);
    } finally {
      process.umask(before);
    }
    assert.equal(fs.statSync(folder).mode & 0o777, 0o700);
    ensureSocketFolder(folder, uid); // again: the same folder is fine
  });

  it('is refused when others may enter it, when it is a symlink, and when it is not ours', () => {
    const open = path.join(temp(), 'open');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o755);
    assert.throws(() => ensureSocketFolder(open, uid), /open to others \(mode 755\)/);
    const real = path.join(temp(), 'real');
    fs.mkdirSync(real, { mode: 0o700 });
    const link = path.join(temp(), 'link');
    fs.symlinkSync(real, link);
    assert.throws(() => ensureSocketFolder(link, uid), /not a folder/);
    assert.throws(() => ensureSocketFolder(real, uid + 1), /belongs to user/);
  });

  it("refuses another user's folder for real (when the tests run as root)", { skip: uid !== 0 && 'needs root to chown' }, () => {
    const theirs = path.join(temp(), 'theirs');
    fs.mkdirSync(theirs, { mode: 0o700 });
    fs.chownSync(theirs, 65534, 65534);
    assert.throws(() => ensureSocketFolder(theirs, uid), /belongs to user 65534/);
  });

  it("a killed server's socket is unlinked by the next holder; anything else is left alone", async () => {
    const folder = path.join(temp(), 'runboard-me');
    ensureSocketFolder(folder, uid);
    const sock = path.join(folder, 'a.sock');
    await staleSocket(sock);
    assert.equal(socketFacts(sock)?.isSocket, true);
    removeStaleSocket(sock, uid);
    assert.equal(fs.existsSync(sock), false);
    removeStaleSocket(sock, uid); // nothing there: nothing to do
    const file = path.join(folder, 'b.sock');
    fs.writeFileSync(file, 'not a socket');
    assert.throws(() => removeStaleSocket(file, uid), /something else is there \(not a socket\)/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'not a socket');
  });
});

describe('the endpoint lock and the announcement', () => {
  it('one holder at a time (another open file of this very process included), owner-only, free again after release', () => {
    const root = temp();
    const first = takeEndpointLock(root)!;
    assert.ok(first);
    assert.equal(takeEndpointLock(root), undefined);
    if (posix) assert.equal(fs.statSync(path.join(root, '.runboard', 'server.lock')).mode & 0o777, 0o600);
    first.release();
    const second = takeEndpointLock(root);
    assert.ok(second);
    second.release();
  });

  it('reads back what was announced; says why when there is none or it is no announcement', () => {
    const root = temp();
    assert.deepEqual(readAnnouncement(root), { problem: 'no server.json' });
    fs.mkdirSync(path.join(root, '.runboard'));
    fs.writeFileSync(announcementFile(root), '{"half": ');
    assert.match((readAnnouncement(root) as { problem: string }).problem, /cannot be read/);
    fs.writeFileSync(announcementFile(root), '{"endpoint": 3}');
    assert.deepEqual(readAnnouncement(root), { problem: 'server.json is not an announcement' });
    const a = announcementOf(root, '/nowhere.sock');
    announce(root, a);
    assert.deepEqual(readAnnouncement(root), { announcement: a });
    withdrawAnnouncement(root);
    assert.equal(fs.existsSync(announcementFile(root)), false);
  });
});

/** The secret the announcements of these tests carry (a real server's is random). */
const SECRET = 'a1'.repeat(32);

function announcementOf(root: string, endpoint: string, extra: Partial<Announcement> = {}): Announcement {
  return {
    protocol: 1,
    endpoint,
    pid: process.pid,
    root,
    started_at_ms: Date.now(),
    version,
    durability: 'fsync',
    secret: SECRET,
    ...extra,
  };
}

/** A direct "store" that records what it was asked, answering from `answers`. */
function recordingStore(answers: Record<string, (params: any) => unknown> = {}) {
  const calls: { method: string; params: any }[] = [];
  const store: MethodCaller = {
    execute: async (method, params) => {
      calls.push({ method, params });
      const answer = answers[method];
      return (answer ? answer(params) : { direct: true }) as never;
    },
  };
  return { calls, store };
}

/** A server on `sock` that answers each request with `answer` (or, when it returns 'hang up', closes the connection). */
async function fakeServer(
  sock: string,
  answer: (method: string, params: any) => unknown,
): Promise<{ seen: { method: string; params: any }[]; close(): void }> {
  const seen: { method: string; params: any }[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(socket), new rpc.StreamMessageWriter(socket));
    conn.onRequest(async (method, params) => {
      seen.push({ method, params });
      const a = await answer(method, params);
      if (a === 'hang up') {
        socket.destroy();
        return new Promise(() => undefined);
      }
      return a;
    });
    conn.listen();
  });
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  return {
    seen,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe('a routing client', { skip: !posix && 'POSIX sockets' }, () => {
  /** A root with a socket folder of its own and the socket path its announcement may name. */
  function setUp() {
    const root = temp();
    fs.mkdirSync(path.join(root, '.runboard'));
    const folder = path.join(temp(), `runboard-${uid}`);
    ensureSocketFolder(folder, uid);
    return { root, sock: path.join(folder, `${rootKey(root)}.sock`) };
  }

  it('sends to the announced socket; an answer with an error is the same error', async () => {
    const { root, sock } = setUp();
    const server = await fakeServer(sock, (method) => {
      if (method === 'runboard/getRun') return { run: { run_id: 'r' }, blackboard: {} };
      throw new rpc.ResponseError(-32000, 'No run x.', { code: 'RUN_NOT_FOUND', run_id: 'x' });
    });
    announce(root, announcementOf(root, sock));
    const { calls, store } = recordingStore();
    const client = new RoutedCaller({ root, durability: 'fsync', takesCommandId }, () => store);
    try {
      assert.deepEqual(await client.execute('getRun', { run_id: 'r' }), { run: { run_id: 'r' }, blackboard: {} });
      await assert.rejects(client.execute('listEvents', { run_id: 'x' }), (e: unknown) => {
        assert.ok(e instanceof DomainError);
        assert.deepEqual([e.code, e.message, e.toData()], ['RUN_NOT_FOUND', 'No run x.', { code: 'RUN_NOT_FOUND', run_id: 'x' }]);
        return true;
      });
      assert.deepEqual(calls, [], 'nothing went direct');
      assert.deepEqual(
        server.seen.map((s) => s.method),
        ['runboard/getRun', 'runboard/listEvents'],
      );
    } finally {
      client.close();
      server.close();
    }
  });

  it('made to prove itself (Windows: a pipe has no owner to look at), a server that knows the secret is sent the call; one that does not is sent nothing else', async () => {
    const { root, sock } = setUp();
    let secret = SECRET;
    const server = await fakeServer(sock, (method, params) => {
      if (method === 'runboard/hello') return { proof: helloProof(secret, params.nonce) };
      return { runs: [], routed: true };
    });
    announce(root, announcementOf(root, sock));
    const { calls, store } = recordingStore();
    const proving = () => new RoutedCaller({ root, durability: 'fsync', takesCommandId, proveServer: true }, () => store);
    const client = proving();
    try {
      // Two calls at once: one hello, then both sent.
      const answers = await Promise.all([client.execute('listRuns', {}), client.execute('listRuns', {})]);
      assert.deepEqual(answers, [
        { runs: [], routed: true },
        { runs: [], routed: true },
      ]);
      assert.equal(calls.length, 0, 'nothing went direct');
      assert.deepEqual(
        server.seen.map((s) => s.method),
        ['runboard/hello', 'runboard/listRuns', 'runboard/listRuns'],
      );
      assert.match(server.seen[0].params.nonce, /^[0-9a-f-]{36}$/);
    } finally {
      client.close();
    }
    // An impostor (the pipe made by someone else after the server died): it cannot prove itself, and is sent nothing more.
    secret = 'ff'.repeat(32);
    server.seen.length = 0;
    const fooled = proving();
    try {
      assert.deepEqual(await fooled.execute('claimTask', { run_id: 'r', agent_id: 'a' }), { direct: true });
      assert.deepEqual(
        server.seen.map((s) => s.method),
        ['runboard/hello'],
        'the call, with whatever it carries, never reached it',
      );
      assert.deepEqual(
        calls.map((c) => c.method),
        ['claimTask'],
      );
    } finally {
      fooled.close();
      server.close();
    }
  });

  it('a hand-over (the thin path could not route) goes direct without trying again, its command_id on the first call that takes one', async () => {
    const { root, sock } = setUp();
    // A server is announced and answers: a handed-over caller still does not send it anything.
    const server = await fakeServer(sock, () => ({ routed: true }));
    announce(root, announcementOf(root, sock));
    const { calls, store } = recordingStore({ claimTask: (p) => ({ task: null, echoed: p.command_id }) });
    const handed = new RoutedCaller({ root, durability: 'fsync', takesCommandId, handedOver: { commandId: 'handed' } }, () => store);
    try {
      await handed.execute('listRuns', {});
      assert.deepEqual(await handed.execute('claimTask', { run_id: 'r', agent_id: 'a' }), { task: null, echoed: 'handed' });
      await handed.execute('claimTask', { run_id: 'r', agent_id: 'a' });
      assert.deepEqual(
        calls.map((c) => [c.method, c.params.command_id]),
        [
          ['listRuns', undefined],
          ['claimTask', 'handed'],
          ['claimTask', undefined],
        ],
        'listRuns takes no id; the second claim is a new call',
      );
      assert.deepEqual(server.seen, [], 'routing was tried once, by the thin path');
      // A hand-over without an id (the thin path found no server): direct, nothing stamped.
      const plain = recordingStore();
      await new RoutedCaller({ root, durability: 'fsync', takesCommandId, handedOver: {} }, () => plain.store).execute('claimTask', {
        run_id: 'r',
        agent_id: 'a',
      });
      assert.deepEqual(
        plain.calls.map((c) => c.params.command_id),
        [undefined],
      );
      assert.deepEqual(server.seen, []);
    } finally {
      handed.close();
      server.close();
    }
  });

  it('writes directly when the socket may not be trusted, is stale, or is of another root; or when told not to route', async () => {
    const { root, sock } = setUp();
    const server = await fakeServer(sock, () => ({ routed: true }));
    const attempt = async (o: { env?: NodeJS.ProcessEnv; durability?: 'fsync' | 'none' } = {}) => {
      const { calls, store } = recordingStore();
      const client = new RoutedCaller({ root, durability: o.durability ?? 'fsync', env: o.env ?? {}, takesCommandId }, () => store);
      try {
        const r = await client.execute('getRun', { run_id: 'r' });
        return calls.length === 1 ? 'direct' : (assert.deepEqual(r, { routed: true }), 'routed');
      } finally {
        client.close();
      }
    };
    try {
      announce(root, announcementOf(root, sock));
      assert.equal(await attempt(), 'routed');
      assert.equal(await attempt({ env: { RUNBOARD_ROUTE: '0' } }), 'direct');
      announce(root, announcementOf('/another/root', sock));
      assert.equal(await attempt(), 'direct', 'an announcement of another root');
      announce(root, announcementOf(root, sock, { version: '0.0.1' }));
      assert.equal(await attempt(), 'direct', 'another version');
      announce(root, announcementOf(root, sock, { durability: 'none' }));
      assert.equal(await attempt(), 'direct', 'a server that does not sync, for a caller who wants fsync');
      assert.equal(await attempt({ durability: 'none' }), 'routed');
      announce(root, announcementOf(root, sock));
      fs.chmodSync(path.dirname(sock), 0o755);
      assert.equal(await attempt(), 'direct', 'a socket folder open to others');
      fs.chmodSync(path.dirname(sock), 0o700);
      assert.equal(await attempt(), 'routed');
      server.close();
      await staleSocket(sock);
      assert.equal(await attempt(), 'direct', 'a killed server: the connection is refused');
    } finally {
      server.close();
    }
  });

  it('does a call again directly, with the same params, when the server hangs up before it answers', async () => {
    const { root, sock } = setUp();
    const server = await fakeServer(sock, () => 'hang up');
    announce(root, announcementOf(root, sock));
    const { calls, store } = recordingStore({ patchBlackboard: () => ({ patch: {}, blackboard: {}, deduped: true }) });
    const client = new RoutedCaller({ root, durability: 'fsync', takesCommandId }, () => store);
    try {
      const r = await client.execute('patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { text: 't' } });
      assert.deepEqual(r, { patch: {}, blackboard: {} }, 'the retry found the first attempt done: answered as the first attempt');
      assert.equal(server.seen.length, 1);
      assert.equal(calls.length, 1);
      assert.deepEqual(calls[0].params, server.seen[0].params, 'the same params, command_id included');
      assert.match(calls[0].params.command_id, /^[0-9a-f-]{36}$/);
      // The rest of this client's life: direct, without trying the server again.
      await client.execute('getRun', { run_id: 'r' });
      assert.equal(server.seen.length, 1);
    } finally {
      client.close();
      server.close();
    }
  });

  it('createRun done again after the server made the run and hung up: the same run, once; a racing create of that id is told RUN_EXISTS', async () => {
    const { root, sock } = setUp();
    // The server's part is done (or refused) on a real store of the root, then the connection is dropped before the answer.
    const { store: real } = openStore(root);
    const server = await fakeServer(sock, async (method, params) => {
      await real.execute(method.replace('runboard/', '') as 'createRun', params).catch(() => undefined);
      return 'hang up';
    });
    announce(root, announcementOf(root, sock));
    const client = () => new RoutedCaller({ root, durability: 'fsync', takesCommandId }, () => real);
    try {
      const r = await client().execute('createRun', { objective: 'ship it', source_client: 'cli' });
      const sent = server.seen[0].params;
      assert.equal(r.run.run_id, sent.run_id);
      assert.match(r.run.run_id, /^run-[0-9a-f-]{36}$/);
      assert.match(sent.command_id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(Object.keys(r), ['run'], 'answered as the first attempt would have been: no deduped');
      const events = readLogEvents(root, r.run.run_id);
      assert.deepEqual(
        events.map((e) => [e.seq, e.type, e.command_id]),
        [[1, 'context.run.created', sent.command_id]],
      );
      // Another caller creating that id, the same objective from the same client, made nothing: it is told so, also when its server hangs up.
      await assert.rejects(
        client().execute('createRun', { run_id: r.run.run_id, objective: 'ship it', source_client: 'cli' }),
        (e: unknown) => e instanceof DomainError && e.code === 'RUN_EXISTS',
      );
      assert.equal(readLogEvents(root, r.run.run_id).length, 1);
    } finally {
      server.close();
      real.close();
    }
  });
});
