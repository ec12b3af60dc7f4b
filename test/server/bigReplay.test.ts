// Eight subscriptions replaying a large log from seq 0, on a server with a small heap, to a client
// that stops reading for a while: the replay is paged and waits for each page to be written, so
// the server's memory stays bounded (before, each subscription read the whole log into memory and
// queued it for the client: 8 × 587 MB took a server to 4.3 GB and SIGABRT). Once the client
// reads again, every subscriber gets every event once, in order; other requests are answered.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { writeFixtureRun } from '../../bench/fixture';
import { EventsNote, startServer, stopServers, tempRoot, waitFor } from './serverProcess';

const EVENTS = 200_000;
const SUBSCRIBERS = 8;
const HEAP_MB = 192;
const roots: string[] = [];
after(async () => {
  await stopServers();
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

describe(`${SUBSCRIBERS} subscribers replaying ${EVENTS} events with a ${HEAP_MB} MB heap`, () => {
  it('each gets every event once and in order, the server stays up and answers other requests', async () => {
    const root = tempRoot('runboard-bigreplay-');
    roots.push(root);
    const fixture = writeFixtureRun(root, { runId: 'big', events: EVENTS });
    const s = await startServer([root], { nodeArgs: [`--max-old-space-size=${HEAP_MB}`] });
    // Count instead of keeping: this test process must not hold 8 × 150,000 events either.
    const got = new Map<string, { count: number; last: number; inOrder: boolean }>();
    s.conn.onNotification('runboard/events', (p: EventsNote) => {
      const g = got.get(p.subscription_id) ?? { count: 0, last: 0, inOrder: true };
      for (const e of p.events) {
        if (e.seq !== g.last + 1) g.inOrder = false;
        g.last = e.seq;
        g.count++;
      }
      got.set(p.subscription_id, g);
    });
    const subs: string[] = (
      await Promise.all(Array.from({ length: SUBSCRIBERS }, () => s.call('runboard/subscribe', { run_ids: ['big'] })))
    ).map((r) => r.subscription_id);

    // The client stops reading: the server must wait for it, not queue the replay in memory.
    s.child.stdout!.pause();
    const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${s.child.pid}/status`, 'utf8'))![1]) / 1024;
    let peak = 0;
    let stableSince = Date.now();
    await waitFor(
      () => {
        if (s.child.exitCode !== null) return true;
        const now = rssMb();
        if (now > peak + 1) {
          peak = now;
          stableSince = Date.now();
        }
        return Date.now() - stableSince > 3000;
      },
      120_000,
      "the server's memory to settle while the client does not read",
    );
    assert.equal(s.child.exitCode, null, `the server died while the client did not read: ${s.stderr.slice(-800)}`);
    assert.ok(peak < 400, `the server grew to ${peak.toFixed(0)} MB while the client did not read`);
    s.child.stdout!.resume();

    // Meanwhile, the server answers and writes (the fixture's last lease, long expired, may be requeued too).
    const { run } = await s.call('runboard/getRun', { run_id: 'big' });
    assert.ok(run.last_event_seq >= fixture.events);
    const { patch } = await s.call('runboard/patchBlackboard', { run_id: 'big', op: 'add_fact', payload: { text: 'during the replay' } });
    const last = patch.seq;

    await waitFor(() => subs.every((id) => (got.get(id)?.last ?? 0) >= last), 240_000, 'every subscriber to get every event');
    for (const id of subs) {
      const g = got.get(id)!;
      assert.equal(g.count, last, `${id}: ${g.count} events`);
      assert.ok(g.inOrder, `${id}: seqs ascending without gaps or repeats`);
    }
    assert.equal(s.child.exitCode, null, `the server is up; stderr: ${s.stderr.slice(-500)}`);
  });
});
