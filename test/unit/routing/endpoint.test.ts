// Routing's pure parts: every platform's endpoint by an injected host, the trust rules for socket
// folders and sockets, what a routed call adds to its params and takes out of its answer, and a
// server's error answers thrown as the errors a direct call throws.
import { HELLO_METHOD } from '../../../contract/routingHello';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { METHOD_PARAMS, ParamsError, StoreMethod, takesCommandId } from '../../../contract/schemas/params';
import { DomainError } from '../../../server/src/engine/errors';
import { Requests } from '../../../server/src/protocol';
import { errorText, toResponseError } from '../../../server/src/rpc/rpcErrors';
import {
  endpointFor,
  helloProof,
  MAX_SOCKET_PATH,
  parseAnnouncement,
  rootKey,
  socketFolder,
  unsafeFolder,
  untrustedSocket,
} from '../../../server/src/routing/endpoint';
import { randomUuid } from '../../../server/src/routing/randomUuid';
import { routedCall } from '../../../server/src/routing/routedCall';
import { errorFromServer } from '../../../server/src/routing/serverErrors';

// Any real path will do: the root is only hashed here.
const ROOT = path.resolve('shop');

describe('endpoints', () => {
  it('Linux: in XDG_RUNTIME_DIR, a per-user folder, 16 hex digits of the root', () => {
    const e = endpointFor(ROOT, { platform: 'linux', user: '1000', runtimeDir: '/run/user/1000' });
    assert.equal(e, `/run/user/1000/runboard-1000/${rootKey(ROOT)}.sock`);
    assert.match(rootKey(ROOT), /^[0-9a-f]{16}$/);
    assert.equal(socketFolder({ platform: 'linux', user: '1000', runtimeDir: '/run/user/1000' }), '/run/user/1000/runboard-1000');
  });

  it("macOS: in the user's temp folder, within sun_path's 104 bytes", () => {
    const tmp = '/var/folders/7x/k3l9d2fs1q5gmn0000gn/T';
    const e = endpointFor(ROOT, { platform: 'darwin', user: '501', runtimeDir: tmp })!;
    assert.equal(e, `${tmp}/runboard-501/${rootKey(ROOT)}.sock`);
    assert.ok(Buffer.byteLength(e) <= MAX_SOCKET_PATH);
  });

  it('Windows: a named pipe of the user and the root', () => {
    const root = path.win32.join('C:', 'shop');
    const e = endpointFor(root, { platform: 'win32', user: 'ada', runtimeDir: path.win32.join('C:', 'Temp') });
    assert.equal(e, `\\\\.\\pipe\\runboard-ada-${rootKey(root)}`);
  });

  it('a socket path over the limit is no endpoint (clients write directly)', () => {
    const deep = `/${'d'.repeat(90)}`;
    assert.equal(endpointFor(ROOT, { platform: 'linux', user: '1000', runtimeDir: deep }), undefined);
  });

  it('the same root meets the same socket; another root another one', () => {
    assert.equal(rootKey(ROOT), rootKey(ROOT));
    assert.notEqual(rootKey(ROOT), rootKey(`${ROOT}2`));
  });

  it('keys a root by the first 16 hex digits of the sha256 of its real path (PROTOCOL.md), as node:crypto computes it', () => {
    const windowsRoot = path.win32.join('C:', 'Projekt', 'zoë');
    for (const root of [ROOT, path.join(ROOT, 'zoë', '日本語', 'space d'), windowsRoot, 'x'.repeat(5000)]) {
      assert.equal(rootKey(root), createHash('sha256').update(root).digest('hex').slice(0, 16), root.slice(0, 40));
    }
  });

  it('stamps random v4 UUIDs: from /dev/urandom on POSIX, from Web Crypto on Windows', () => {
    const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const ids = Array.from({ length: 2000 }, () => randomUuid(platform));
      assert.ok(
        ids.every((id) => V4.test(id)),
        platform,
      );
      assert.equal(new Set(ids).size, ids.length, `${platform}: no repeats`);
    }
  });

  it('an announcement names its durability (a malformed one is not one)', () => {
    const a = {
      protocol: 1,
      endpoint: '/x.sock',
      pid: 12,
      root: ROOT,
      started_at_ms: 1,
      version: '0.1.0',
      durability: 'fsync',
      secret: 'ab'.repeat(32),
    };
    assert.deepEqual(parseAnnouncement(a), a);
    assert.equal(parseAnnouncement({ ...a, secret: undefined }), undefined, 'no secret: a pipe could not be asked to prove itself');
    assert.equal(parseAnnouncement({ ...a, durability: 'sometimes' }), undefined);
    assert.equal(parseAnnouncement({ ...a, pid: 0 }), undefined);
    assert.equal(parseAnnouncement({ ...a, endpoint: '' }), undefined);
    assert.equal(parseAnnouncement({ ...a, protocol: '1' }), undefined);
    for (const raw of [null, 'x', 3, []]) assert.equal(parseAnnouncement(raw), undefined);
  });
});

describe("a server's proof (runboard/hello)", () => {
  it("is sent by the name the message table declares (the thin path's copy of it)", () => {
    assert.equal(HELLO_METHOD, Requests.hello.method);
  });

  it('is HMAC-SHA256 of the nonce under the secret, as node:crypto computes it', () => {
    const secret = 'cd'.repeat(32);
    const nonce = '0b3a1f6e-8c1e-4c77-9d7e-3f0a2b1c4d5e';
    assert.equal(helloProof(secret, nonce), createHmac('sha256', secret).update(nonce).digest('hex'));
    assert.notEqual(helloProof('ef'.repeat(32), nonce), helloProof(secret, nonce));
  });
});

describe('trust', () => {
  const mine = { isDirectory: true, ownerUid: 1000, mode: 0o700 };
  it('a socket folder is used only when it is a folder of this user that nobody else may enter', () => {
    assert.equal(unsafeFolder(mine, 1000), undefined);
    assert.match(unsafeFolder({ ...mine, ownerUid: 0 }, 1000)!, /belongs to user 0/);
    assert.match(unsafeFolder({ ...mine, mode: 0o755 }, 1000)!, /open to others \(mode 755\)/);
    assert.match(unsafeFolder({ ...mine, mode: 0o1777 & 0o777 }, 1000)!, /open to others/);
    assert.match(unsafeFolder({ ...mine, isDirectory: false }, 1000)!, /not a folder/);
  });

  it("a socket is trusted only when it is one, is this user's, in such a folder", () => {
    const ok = { isSocket: true, ownerUid: 1000, folderOwnerUid: 1000, folderMode: 0o700 };
    assert.equal(untrustedSocket(ok, 1000), undefined);
    assert.match(untrustedSocket({ ...ok, isSocket: false }, 1000)!, /not a socket/);
    assert.match(untrustedSocket({ ...ok, ownerUid: 1001 }, 1000)!, /belongs to user 1001/);
    assert.match(untrustedSocket({ ...ok, folderOwnerUid: 1001 }, 1000)!, /folder.*user 1001/);
    assert.match(untrustedSocket({ ...ok, folderMode: 0o770 }, 1000)!, /folder.*open to others/);
  });
});

describe('a routed call', () => {
  let n = 0;
  const ids = () => `id-${++n}`;

  it('is sent to runboard/<method>, the name the protocol declares', () => {
    for (const m of Object.keys(METHOD_PARAMS) as StoreMethod[]) assert.equal(Requests[m].method, `runboard/${m}`);
  });

  it('stamps a command_id on every method that takes one, and only when the caller gave none', () => {
    const stamped = (Object.keys(METHOD_PARAMS) as StoreMethod[]).filter(takesCommandId).sort();
    assert.deepEqual(stamped, [
      'appendEvent',
      'cancelTask',
      'claimTask',
      'createRun',
      'createTasks',
      'editTask',
      'finishRun',
      'patchBlackboard',
      'rebindWorkspace',
      'requeueTask',
      'setTaskWorktree',
      'transitionTask',
    ]);
    const c = routedCall(
      'patchBlackboard',
      { run_id: 'r', op: 'add_fact', payload: { text: 'x' } },
      takesCommandId('patchBlackboard'),
      ids,
    );
    assert.equal(c.params.command_id, c.commandId);
    assert.ok(c.commandId);
    const own = routedCall(
      'patchBlackboard',
      { run_id: 'r', op: 'add_fact', payload: {}, command_id: 'mine' },
      takesCommandId('patchBlackboard'),
      ids,
    );
    assert.equal(own.params.command_id, 'mine');
    assert.equal(own.commandId, undefined);
    for (const m of ['createCheckpoint', 'validateWorkspaceLease', 'getRun'] as const) {
      assert.equal(routedCall(m, { run_id: 'r' }, takesCommandId(m), ids).params.command_id, undefined, m);
    }
  });

  it("fixes createRun's run id with the command id it adds (a given one stays; a caller's own command id is sent as it came)", () => {
    const c = routedCall('createRun', { objective: 'o' }, takesCommandId('createRun'), ids);
    assert.match(c.params.run_id as string, /^run-id-\d+$/);
    assert.ok(c.commandId);
    const given = routedCall('createRun', { objective: 'o', run_id: 'given' }, takesCommandId('createRun'), ids);
    assert.deepEqual([given.params.run_id, given.params.command_id], ['given', given.commandId]);
    assert.equal(
      routedCall('createRun', { objective: 'o', command_id: 'mine' }, takesCommandId('createRun'), ids).params.run_id,
      undefined,
    );
  });

  it('answers as an unrouted call would: no deduped, no command fields of its own stamp on the events', () => {
    const c = routedCall('appendEvent', { run_id: 'r', type: 'note', status: 'running' }, takesCommandId('appendEvent'), ids);
    const stamp = { command_id: c.commandId, command_method: 'appendEvent', command_fingerprint: 'f' };
    const answer = { event: { seq: 3, ...stamp, payload: {} }, run: { run_id: 'r' }, deduped: true };
    assert.deepEqual(c.unstamp(answer), { event: { seq: 3, payload: {} }, run: { run_id: 'r' } });
    // The caller's own command_id: the answer is the caller's to read, untouched.
    const own = routedCall(
      'appendEvent',
      { run_id: 'r', type: 'note', status: 'running', command_id: 'mine' },
      takesCommandId('appendEvent'),
      ids,
    );
    const theirs = { event: { command_id: 'mine' }, deduped: true };
    assert.deepEqual(own.unstamp(theirs), theirs);
  });
});

describe("a server's error answers", () => {
  it('are the same DomainError, ParamsError or message a direct call throws', () => {
    const domain = new DomainError('TASK_LEASE_INVALID', 'That lease token is not the current one.', { lease_owner: 'a' });
    const back = errorFromServer(wire(toResponseError(domain, 'runboard/transitionTask')), 'runboard/transitionTask');
    assert.ok(back instanceof DomainError);
    assert.deepEqual([back.code, back.message, back.toData()], [domain.code, domain.message, domain.toData()]);

    const params = new ParamsError([{ path: 'action', message: 'Invalid option' }]);
    const again = errorFromServer(wire(toResponseError(params, 'runboard/transitionTask')), 'runboard/transitionTask');
    assert.ok(again instanceof ParamsError);
    assert.deepEqual([again.message, again.issues], [params.message, params.issues]);

    const internal = errorFromServer(wire(toResponseError(new Error('disk on fire'), 'runboard/getRun')), 'runboard/getRun');
    assert.equal(internal.message, 'disk on fire');
  });

  it("and in the server's log: a domain error by its code and words, only an unexpected one with its stack", () => {
    assert.equal(errorText(new DomainError('RUN_NOT_FOUND', 'Run r is gone.')), 'RUN_NOT_FOUND: Run r is gone.');
    assert.match(errorText(new Error('disk on fire')), /^Error: disk on fire\n\s+at /);
  });
});

/** As the error travels: code, message and data through JSON. */
function wire(e: { code: number; message: string; data?: unknown }) {
  return JSON.parse(JSON.stringify({ code: e.code, message: e.message, data: e.data })) as {
    code: number;
    message: string;
    data?: unknown;
  };
}
