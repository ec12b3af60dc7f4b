// The editor's server with initializationOptions.serveSocket (as the extension starts it for a
// trusted workspace): it serves each root's socket, whose connections need no `initialize` and
// speak for that root alone; the root's CLI calls go to it; a read-only server serves none; and
// while another server holds a root (a headless one, another window), the editor's server sends
// its writes there and takes over when it stops.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import * as rpc from 'vscode-jsonrpc/node';
import { helloProof } from '../../server/src/routing/endpoint';
import {
  announcementOf,
  cli,
  cliJson,
  eventsOnDisk,
  removeTempWorkspaces,
  seedRun,
  startHeadless,
  stopHeadless,
  tempWorkspace,
} from '../cli/cliHarness';
import { startServer, stopServers, waitFor } from './serverProcess';

after(removeTempWorkspaces);
afterEach(async () => {
  await stopServers();
  await stopHeadless();
});

const serveSocket = { initializationOptions: { serveSocket: true } };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The fact events of a run on disk, by text. */
function factEvents(root: string, runId: string, text: string) {
  return eventsOnDisk(root, runId).filter((e) => e.payload?.payload?.text === text);
}

/** A JSON-RPC connection to a root's socket, as any client would open one. */
async function connectTo(endpoint: string): Promise<{ conn: rpc.MessageConnection; events: any[] }> {
  const socket = net.createConnection(endpoint);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(socket), new rpc.StreamMessageWriter(socket));
  const events: any[] = [];
  conn.onNotification('runboard/events', (p: { events: any[] }) => {
    events.push(...p.events);
  });
  conn.listen();
  return { conn, events };
}

describe("the editor's server on its roots' sockets", () => {
  it("serves each root's socket: no initialize, and the socket's root fills params that name none", async () => {
    const [a, b] = [tempWorkspace(), tempWorkspace()];
    cliJson(a, ['run', 'create', 'Objective in a', '--id', 'same']);
    cliJson(b, ['run', 'create', 'Objective in b', '--id', 'same']);
    const s = await startServer([a, b], serveSocket);
    const [ea, eb] = await Promise.all(
      [a, b].map((r) => waitFor(() => announcementOf(r)?.pid === s.child.pid && announcementOf(r), 5000, `${r} served`)),
    );
    assert.notEqual(ea.endpoint, eb.endpoint);
    // Over the editor's own connection, the id is ambiguous; over a root's socket it is that root's run.
    assert.equal((await s.fail('runboard/getRun', { run_id: 'same' })).data?.code, 'ROOT_REQUIRED');
    const { conn, events } = await connectTo(ea.endpoint);
    try {
      // It proves it is the announced server (a Windows client asks before it sends a call): its
      // secret is random per start, each root's its own, and never sent.
      assert.match(ea.secret, /^[0-9a-f]{64}$/);
      assert.notEqual(ea.secret, eb.secret);
      const nonce = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
      assert.deepEqual(await conn.sendRequest('runboard/hello', { nonce }), { proof: helloProof(ea.secret, nonce) });
      await assert.rejects(conn.sendRequest('runboard/hello', { nonce: 'short' }), /nonce: a string of 16–256 characters/);
      const { run } = await conn.sendRequest<any>('runboard/getRun', { run_id: 'same' });
      assert.equal(run.objective, 'Objective in a');
      const { runs } = await conn.sendRequest<any>('runboard/listRuns', {});
      assert.deepEqual(
        runs.map((r: any) => r.objective),
        ['Objective in a'],
      );
      await conn.sendRequest('runboard/subscribe', {});
      await conn.sendRequest('runboard/patchBlackboard', { run_id: 'same', op: 'add_fact', payload: { text: 'through a' } });
      await waitFor(() => events.some((e) => e.payload?.payload?.text === 'through a'), 5000, 'the live event on the socket');
      assert.ok(events.every((e) => e.run_id === 'same' && e.seq <= 2));
      assert.equal(eventsOnDisk(b, 'same').length, 1, "b's run is untouched");
    } finally {
      conn.dispose();
    }

    const r = cli(['--root', b, '--run', 'same', 'fact', 'add', 'from the CLI'], { env: { RUNBOARD_DEBUG: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /route: patchBlackboard: routed/);
    await s.stop();
    assert.equal(announcementOf(a), undefined, 'stopping withdraws the announcements');
    assert.equal(fs.existsSync(ea.endpoint), false, '… and the sockets');
  });

  it('serves no socket when read-only, nor makes .runboard/ in a root without one', async () => {
    const plain = tempWorkspace();
    const untrusted = tempWorkspace();
    seedRun(untrusted, 'r');
    const s = await startServer([plain, untrusted], { initializationOptions: { serveSocket: true, readOnly: true } });
    const t = await startServer([plain], serveSocket);
    await s.call('runboard/listRuns', {});
    await t.call('runboard/listRuns', {});
    assert.equal(announcementOf(untrusted), undefined);
    assert.equal(fs.existsSync(path.join(plain, '.runboard')), false);
  });

  it('two editor windows on one folder: the second sends its writes to the first, and takes over when it closes', async () => {
    const root = tempWorkspace();
    seedRun(root, 'r');
    const first = await startServer([root], serveSocket);
    await waitFor(() => announcementOf(root)?.pid === first.child.pid, 5000, 'the first window serving');
    const second = await startServer([root], serveSocket);
    await waitFor(() => /served by pid \d+; this one sends its writes there/.test(second.stderr), 5000, 'the second to see it');
    await second.call('runboard/createTasks', { run_id: 'r', tasks: [{ id: 't1', task_type: 'work' }] });
    const { task } = await second.call('runboard/claimTask', { run_id: 'r', agent_id: 'a1' });
    assert.equal(task.id, 't1');
    const written = eventsOnDisk(root, 'r').filter((e) => e.task_id === 't1');
    assert.deepEqual(
      written.map((e) => e.type),
      ['context.task.created', 'context.task.claimed'],
    );
    assert.ok(
      written.every((e) => UUID.test(e.command_id)),
      'both written by the first window',
    );

    await first.stop();
    await waitFor(() => announcementOf(root)?.pid === second.child.pid, 5000, 'the takeover');
    await second.call('runboard/transitionTask', { run_id: 'r', action: 'complete', agent_id: 'a1', lease_token: task.lease_token });
    const done = eventsOnDisk(root, 'r').find((e) => e.type === 'context.task.completed')!;
    assert.equal(done.command_id, undefined, 'the second writes itself once it serves');
  });

  it('sends its writes to a headless server holding the root, keeps its reads and live events, and takes over when it stops', async () => {
    const root = tempWorkspace();
    seedRun(root, 'r');
    const headless = await startHeadless(root);
    const s = await startServer([root], serveSocket);
    await waitFor(() => /served by pid \d+; this one sends its writes there/.test(s.stderr), 5000, 'the editor server to see it is served');
    assert.equal(announcementOf(root)?.pid, headless.child.pid);
    const { subscription_id } = await s.call('runboard/subscribe', {});
    const added = await s.call('runboard/patchBlackboard', {
      run_id: 'r',
      op: 'add_fact',
      payload: { text: 'through the headless server' },
    });
    assert.doesNotMatch(JSON.stringify(added), /command_(id|method|fingerprint)|deduped/, 'answered as if written here');
    const routed = factEvents(root, 'r', 'through the headless server');
    assert.equal(routed.length, 1);
    assert.match(routed[0].command_id, UUID, 'written by the headless server, under the id routing stamps');
    const { blackboard } = await s.call('runboard/getBlackboard', { run_id: 'r' });
    assert.ok(
      blackboard.facts.some((f: any) => f.text === 'through the headless server'),
      'a read right after the write sees it',
    );
    await waitFor(
      () => s.delivered(subscription_id).some((e: any) => e.payload?.payload?.text === 'through the headless server'),
      5000,
      "the write's live event on the editor's own subscription",
    );
    assert.equal(
      (await s.fail('runboard/patchBlackboard', { run_id: 'r', op: 'add_fact', payload: {} })).data?.code,
      'BLACKBOARD_PAYLOAD_INVALID',
      "the headless server's rejection, as the editor server's own",
    );

    headless.child.kill('SIGTERM');
    await headless.exited;
    await waitFor(() => announcementOf(root)?.pid === s.child.pid, 5000, 'the takeover');
    await s.call('runboard/patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { text: 'written here' } });
    assert.equal(factEvents(root, 'r', 'written here')[0].command_id, undefined, 'after the takeover it writes itself');
    const r = cli(['--root', root, '--run', 'r', 'fact', 'add', 'after the handover'], { env: { RUNBOARD_DEBUG: '1' } });
    assert.match(r.stderr, /route: patchBlackboard: routed/);
    // And the other way round: a headless server started now finds the root served.
    const late = await startHeadless(root);
    assert.deepEqual(await late.exited, { code: 0, signal: null });
    assert.match(late.stderr(), new RegExp(`served already by pid ${s.child.pid}`));
  });
});
