// A call the board cannot take for a moment is made again (cli/outageRetry.ts): every attempt is
// the same command — one command_id, stamped once above routing, taken out of the answer again —
// and a call that may have been written is made again only when it carries one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../../contract/domainError';
import { takesCommandId } from '../../../contract/schemas/params';
import { OutageRetry } from '../../../server/src/cli/outageRetry';
import type { MethodCaller } from '../../../server/src/routing/client';
import { UsageError } from '../../../server/src/cli/usageError';

const outage = (extra: Record<string, unknown> = {}) =>
  new DomainError('STORAGE_ERROR', 'PostgreSQL board b: Connection terminated unexpectedly', { transient: true, ...extra });

/** A board that fails the first `failures` calls with `error`, then answers; it keeps what each call was sent. */
function board(failures: number, error: () => Error) {
  const sent: Record<string, unknown>[] = [];
  const caller: MethodCaller = {
    execute: async (_method, params) => {
      sent.push(params);
      if (sent.length <= failures) throw error();
      const id = (params as { command_id?: string }).command_id;
      return { patch: { seq: 1, command_id: id }, deduped: true } as never;
    },
  };
  return { caller, sent };
}

const env = { RUNBOARD_OUTAGE_RETRY_MS: '5000' };

describe('OutageRetry', () => {
  it('makes a write again after an outage with the same command_id it stamped, and answers as if none had been stamped', async () => {
    const { caller, sent } = board(2, () => outage());
    const said: string[] = [];
    const retry = new OutageRetry(caller, { takesCommandId, env, everyMs: 10, say: (_e, howLong) => said.push(howLong) });
    const result = await retry.execute('patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { text: 'x' } });
    assert.equal(sent.length, 3);
    const ids = new Set(sent.map((p) => p.command_id));
    assert.equal(ids.size, 1, 'one command');
    assert.match(String([...ids][0]), /^[0-9a-f-]{36}$/);
    assert.deepEqual(result, { patch: { seq: 1 } } as never, 'no deduped, no stamp');
    assert.deepEqual(said, ['for up to 5 s'], 'said once');
  });

  it("keeps the caller's own command_id, and the thin path's for its first call", async () => {
    const own = board(1, () => outage());
    await new OutageRetry(own.caller, { takesCommandId, env, everyMs: 10 }).execute('patchBlackboard', {
      run_id: 'r',
      op: 'add_fact',
      payload: { text: 'x' },
      command_id: 'mine',
    });
    assert.deepEqual(
      own.sent.map((p) => p.command_id),
      ['mine', 'mine'],
    );
    const handed = board(0, () => outage());
    const retry = new OutageRetry(handed.caller, { takesCommandId, env, handedOverId: 'thin-1' });
    await retry.execute('getRun', { run_id: 'r' });
    await retry.execute('patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { text: 'x' } });
    await retry.execute('patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { text: 'y' } });
    assert.deepEqual(
      handed.sent.map((p) => p.command_id),
      [undefined, 'thin-1', handed.sent[2].command_id],
      'a read takes none; the first write the handed id; the next its own',
    );
    assert.notEqual(handed.sent[2].command_id, 'thin-1');
  });

  it('a call without a command_id that may have been written is not made again; one that was not, is', async () => {
    const maybe = board(1, () => outage({ maybe_written: true }));
    await assert.rejects(
      new OutageRetry(maybe.caller, { takesCommandId, env, everyMs: 10 }).execute('validateWorkspaceLease', {
        run_id: 'r',
        current_path: '/x',
        phase: 'open',
      }),
      (e) => e instanceof DomainError && e.details.maybe_written === true,
    );
    assert.equal(maybe.sent.length, 1);
    const nothing = board(1, () => outage());
    await new OutageRetry(nothing.caller, { takesCommandId, env, everyMs: 10 }).execute('getRun', { run_id: 'r' });
    assert.equal(nothing.sent.length, 2);
  });

  it('a refusal is no outage; the window, and a call of its own deadline, end the tries', async () => {
    const refused = board(1, () => new DomainError('RUN_NOT_FOUND', 'no run'));
    await assert.rejects(new OutageRetry(refused.caller, { takesCommandId, env, everyMs: 10 }).execute('getRun', { run_id: 'r' }));
    assert.equal(refused.sent.length, 1);
    const off = board(1, () => outage());
    await assert.rejects(
      new OutageRetry(off.caller, { takesCommandId, env: { RUNBOARD_OUTAGE_RETRY_MS: '0' } }).execute('getRun', { run_id: 'r' }),
    );
    assert.equal(off.sent.length, 1, 'RUNBOARD_OUTAGE_RETRY_MS=0: not made again');
    await assert.rejects(
      new OutageRetry(off.caller, { takesCommandId, env: { RUNBOARD_OUTAGE_RETRY_MS: '30s' } }).execute('getRun', { run_id: 'r' }),
      (e) =>
        e instanceof UsageError &&
        e.code === 'OUTAGE_ENV_INVALID' &&
        /RUNBOARD_OUTAGE_RETRY_MS is "30s": it must be a number of milliseconds/.test(e.message),
    );
    const until = board(1000, () => outage());
    const said: string[] = [];
    const started = Date.now();
    await assert.rejects(
      new OutageRetry(until.caller, { takesCommandId, env, everyMs: 10, say: (_e, h) => said.push(h) }).execute(
        'getRun',
        { run_id: 'r' },
        { until: started + 100 },
      ),
    );
    assert.ok(Date.now() - started < 1000, 'its own deadline, not the 5 s window');
    assert.deepEqual(said, ['until its --timeout']);
  });
});
