// The red team's smaller server findings, each as it was found: a request after `shutdown` still
// ran; a subscription cursor keyed "__proto__" (a valid run id) was ignored, so a resume repeated
// events; two servers creating run ids that differ only in case both succeeded; a run id ending
// in a dot was accepted (Windows would fold its folder onto the run without the dot).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { removeTempWorkspaces, tempWorkspace } from '../cli/cliHarness';
import { startServer, stopServers, waitFor } from './serverProcess';

after(async () => {
  await stopServers();
  removeTempWorkspaces();
});

const serverOn = (root: string) => startServer([root]);

describe('smaller findings of the red team', () => {
  it('after shutdown no request is run (LSP: -32600), and nothing is written', async () => {
    const root = tempWorkspace('runboard-shutdown-');
    const s = await serverOn(root);
    await s.call('runboard/createRun', { run_id: 'r', objective: 'x' });
    await s.call('shutdown');
    const e = await s.fail('runboard/createRun', { run_id: 'after', objective: 'too late' });
    assert.equal(e.code, -32600, e.message);
    const e2 = await s.fail('runboard/getRun', { run_id: 'r' });
    assert.equal(e2.code, -32600);
  });

  it('a subscription resumed with a cursor for the run "__proto__" sends only what is new', async () => {
    const root = tempWorkspace('runboard-proto-');
    const s = await serverOn(root);
    await s.call('runboard/createRun', { run_id: '__proto__', objective: 'a valid id' });
    for (const text of ['a', 'b']) await s.call('runboard/patchBlackboard', { run_id: '__proto__', op: 'add_fact', payload: { text } });
    // As a client sends it: JSON with an own "__proto__" key.
    const cursor = JSON.parse('{"__proto__": 2}');
    const { subscription_id } = await s.call('runboard/subscribe', { run_ids: ['__proto__'], cursor });
    await waitFor(() => s.delivered(subscription_id).length > 0, 5000, 'the resumed replay');
    assert.deepEqual(
      s.delivered(subscription_id).map((e) => e.seq),
      [3],
    );
  });

  it('two servers creating ids that differ only in case, at once, 100 times: one wins each time', async () => {
    const root = tempWorkspace('runboard-case-');
    const [a, b] = [await serverOn(root), await serverOn(root)];
    let doubleWins = 0;
    for (let i = 0; i < 100; i++) {
      const outcomes = await Promise.allSettled([
        a.call('runboard/createRun', { run_id: `Case-${i}`, objective: 'upper' }),
        b.call('runboard/createRun', { run_id: `case-${i}`, objective: 'lower' }),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled').length;
      if (won === 2) doubleWins++;
      assert.ok(won >= 1, `round ${i}: nobody won`);
      for (const o of outcomes)
        if (o.status === 'rejected') assert.equal((o.reason as { data?: { code?: string } }).data?.code, 'RUN_EXISTS');
    }
    assert.equal(doubleWins, 0, `${doubleWins} rounds created both spellings`);
  });

  it('a run id ending in a dot is RUN_ID_INVALID', async () => {
    const root = tempWorkspace('runboard-dot-');
    const s = await serverOn(root);
    for (const run_id of ['a.', 'run..', 'x.y.']) {
      const e = await s.fail('runboard/createRun', { run_id, objective: 'x' });
      assert.equal(e.data?.code, 'RUN_ID_INVALID', run_id);
      assert.match(e.message, /must not end with "\."/);
    }
    await s.call('runboard/createRun', { run_id: 'a.b', objective: 'a dot inside is fine' });
  });
});
