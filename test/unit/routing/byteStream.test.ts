// The bytes under a routed call (routing/byteStream.ts): libuv's pipe handle used directly
// (pipeWrapStream.ts) behaves as a net.Socket does — the same events, in the same order, for a
// connection that answers, one refused, one to no socket at all, a large answer, a large request,
// and a connection closed by either end — on a real Unix socket. CI runs this on Node 20, 22 and
// 24, the nodes whose handle pipeWrapStream.ts is written against.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { after, describe, it } from 'node:test';
import packageJson from '../../../package.json';
import { ByteStream, netStream, openByteStream, StreamEvents } from '../../../server/src/routing/byteStream';
import { bindingWouldWarn, CHECKED_NODE_MAJORS, pipeWrapStream } from '../../../server/src/routing/pipeWrapStream';
import { waitFor } from '../../server/serverProcess';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rb-bytes-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let sockets = 0;

/** What a stream said, in order, and a promise of its end. */
function recorder() {
  const said: string[] = [];
  const chunks: Buffer[] = [];
  let ended!: (why: string | undefined) => void;
  const closed = new Promise<string | undefined>((r) => (ended = r));
  let madeIt!: () => void;
  const connected = new Promise<void>((r) => (madeIt = r));
  const events: StreamEvents = {
    connected: () => {
      said.push('connected');
      madeIt();
    },
    data: (d) => chunks.push(Buffer.from(d)),
    closed: (why) => {
      said.push(`closed ${why ?? '(ended)'}`);
      ended(why);
    },
  };
  return { said, events, connected, closed, received: () => Buffer.concat(chunks) };
}

/** A Unix socket server; `serve` is given each connection. */
async function server(serve: (c: net.Socket) => void): Promise<{ path: string; close(): Promise<void> }> {
  const at = path.join(dir, `s${sockets++}.sock`);
  const s = net.createServer(serve);
  await new Promise<void>((r) => s.listen(at, r));
  return { path: at, close: () => new Promise<void>((r) => s.close(() => r())) };
}

const pipeHandle = (p: string, e: StreamEvents): ByteStream => {
  const stream = pipeWrapStream(p, e);
  assert.ok(stream, "this node has libuv's pipe handle as pipeWrapStream.ts expects");
  return stream;
};

for (const [name, open] of [
  ['net socket', netStream],
  ['pipe handle', pipeHandle],
] as const) {
  describe(`a ${name}`, () => {
    it('sends what was written before it connected, then gets the answer; the server ending the connection ends it without a reason', async () => {
      const s = await server((c) => c.once('data', (d) => c.end(Buffer.concat([Buffer.from('echo:'), d]))));
      const r = recorder();
      const stream = open(s.path, r.events);
      assert.equal(stream.kind, name);
      stream.ref();
      stream.write(Buffer.from('one'));
      assert.equal(await r.closed, undefined);
      assert.deepEqual(r.said, ['connected', 'closed (ended)']);
      assert.equal(r.received().toString(), 'echo:one');
      await s.close();
    });

    it('carries 3 MB each way whole, in order', async () => {
      const size = 3_000_000;
      const request = Buffer.alloc(size);
      for (let i = 0; i < size; i++) request[i] = (i * 7) % 251;
      const s = await server((c) => {
        const got: Buffer[] = [];
        let n = 0;
        c.on('data', (d) => {
          got.push(d);
          n += d.length;
          if (n === size) c.end(Buffer.concat(got).reverse());
        });
      });
      const r = recorder();
      const stream = open(s.path, r.events);
      stream.ref();
      stream.write(request);
      await r.closed;
      assert.ok(r.received().equals(Buffer.from(request).reverse()), 'the answer is the request reversed, byte for byte');
      await s.close();
    });

    it('says ENOENT when there is no socket at the path, and ECONNREFUSED for a file nobody listens on; never connected', async () => {
      const missing = recorder();
      open(path.join(dir, 'none.sock'), missing.events).write(Buffer.from('lost'));
      assert.equal(await missing.closed, 'ENOENT');
      const stale = path.join(dir, 'stale.sock');
      fs.writeFileSync(stale, '');
      const refused = recorder();
      open(stale, refused.events).write(Buffer.from('lost'));
      assert.equal(await refused.closed, 'ECONNREFUSED');
      assert.deepEqual([missing.said, refused.said], [['closed ENOENT'], ['closed ECONNREFUSED']]);
    });

    it('a server that drops the connection mid-answer ends it; destroy() ends it for the server and says nothing more', async () => {
      const s = await server((c) => c.once('data', () => c.destroy()));
      const r = recorder();
      const stream = open(s.path, r.events);
      stream.ref();
      stream.write(Buffer.from('x'));
      await r.closed;
      assert.equal(r.said[0], 'connected');
      assert.equal(r.said.length, 2);

      let serverSaw!: () => void;
      const serverClosed = new Promise<void>((res) => (serverSaw = res));
      const s2 = await server((c) => c.on('close', () => serverSaw()).resume());
      const r2 = recorder();
      const s2stream = open(s2.path, r2.events);
      s2stream.ref();
      await r2.connected;
      s2stream.destroy();
      await serverClosed;
      await new Promise((res) => setImmediate(res));
      assert.deepEqual(r2.said, ['connected']);
      await Promise.all([s.close(), s2.close()]);
    });

    it('keeps the bytes of a write libuv has not finished: 8 MB nobody else holds, to a server not reading, intact after garbage collection', async () => {
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc') as () => void;
      const size = 8_000_000;
      const byte = (i: number) => (i * 31 + 7) % 253;
      let reader!: net.Socket;
      let got: Buffer[] = [];
      let received = 0;
      let whole!: () => void;
      const arrived = new Promise<void>((res) => (whole = res));
      const s = await server((c) => {
        reader = c;
        c.pause();
        c.on('data', (d) => {
          got.push(d);
          received += d.length;
          if (received >= size) whole();
        });
      });
      const r = recorder();
      const stream = open(s.path, r.events);
      stream.ref();
      await r.connected;
      await waitFor(() => reader, 5000, "the server's end of the connection");
      // Written once connected (not queued), from a buffer no one else holds once write() returns.
      stream.write(Buffer.from(Uint8Array.from({ length: size }, (_, i) => byte(i)).buffer));
      for (let i = 0; i < 10; i++) {
        gc();
        await new Promise((res) => setTimeout(res, 5));
      }
      reader.resume();
      // A write whose bytes were freed fails (EFAULT) or sends others: either way, not these.
      const failed = r.closed.then((why) => assert.fail(`the stream closed: ${why ?? 'ended'}`));
      await Promise.race([arrived, failed]);
      const all = Buffer.concat(got);
      got = [];
      assert.equal(all.length, size);
      const wrong = all.findIndex((b, i) => b !== byte(i));
      assert.equal(wrong, -1, `byte ${wrong} differs`);
      assert.deepEqual(r.said, ['connected'], 'no error');
      stream.destroy();
      await s.close();
    });

    it('destroyed while it connects (the connect timeout), or written to after the server went: no event, or the reason', async () => {
      const s = await server((c) => c.end());
      const early = recorder();
      open(s.path, early.events).destroy();
      await new Promise((res) => setTimeout(res, 20));
      assert.deepEqual(early.said, [], 'nothing after destroy()');

      let dropped!: () => void;
      const serverDropped = new Promise<void>((res) => (dropped = res));
      const s2 = await server((c) => {
        c.destroy();
        dropped();
      });
      const late = recorder();
      const stream = open(s2.path, late.events);
      stream.ref();
      await Promise.all([late.connected, serverDropped]);
      stream.write(Buffer.alloc(1 << 20));
      await late.closed;
      assert.equal(late.said[0], 'connected');
      assert.equal(late.said.length, 2, late.said.join(', '));
      await Promise.all([s.close(), s2.close()]);
    });
  });
}

describe('which stream a routed call gets', () => {
  it("libuv's pipe handle on POSIX; net on Windows (named pipes)", async () => {
    const s = await server((c) => c.end());
    for (const [platform, kind] of [
      ['linux', 'pipe handle'],
      ['darwin', 'pipe handle'],
      ['win32', 'net socket'],
    ] as const) {
      const r = recorder();
      assert.equal(openByteStream(s.path, r.events, platform).kind, kind, platform);
      await r.closed;
    }
    await s.close();
  });

  it('node:net when node would warn about process.binding: pending deprecations on, in every way node takes them', () => {
    /** process.binding's name in a node started with `args` and `env`. */
    const bindingIn = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [...args, '-e', 'process.stdout.write(process.binding.name)'], {
        env: { PATH: process.env.PATH, ...env },
        encoding: 'utf8',
      }).stdout;
    assert.equal(bindingWouldWarn({ name: bindingIn([]) }), false, 'plain node');
    for (const [args, env] of [
      [['--pending-deprecation'], {}],
      [['--pending_deprecation'], {}],
      [[], { NODE_OPTIONS: '--pending-deprecation' }],
      [[], { NODE_OPTIONS: '"--pending_deprecation"' }],
      [[], { NODE_PENDING_DEPRECATION: '1' }],
    ] as const) {
      assert.equal(bindingWouldWarn({ name: bindingIn([...args], env) }), true, JSON.stringify({ args, env }));
    }
  });
});

describe("the nodes libuv's pipe handle is used on", () => {
  it("are the ones CI runs the CLI on: the oldest node package.json accepts (CI's own) and the test setup's others", async () => {
    // @ts-expect-error -- the test setup's plain .mjs module, without types
    const { OTHER_NODES } = (await import('../../e2e/driver/paths.mjs')) as { OTHER_NODES: { label: string }[] };
    const oldest = Number(/\d+/.exec(packageJson.engines.node)![0]);
    const ciMajors = [oldest, ...OTHER_NODES.map((n) => Number(/\d+/.exec(n.label)![0]))];
    assert.deepEqual([...CHECKED_NODE_MAJORS].sort(), ciMajors.sort());
    assert.ok(CHECKED_NODE_MAJORS.includes(Number(process.versions.node.split('.')[0])), 'this node is one of them');
  });
});
