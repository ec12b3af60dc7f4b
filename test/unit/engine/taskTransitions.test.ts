// Task transitions (SPEC.md §7 with PROTOCOL.md's fixes): every action from every status, the
// §7.1 status table cell by cell, the order of checks, lease token and expiry checks, task_rev,
// attempts counting failures and max_attempts enforced on retry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideTransition } from '../../../server/src/engine/taskLifecycle';
import { assertAbsent, expectDomainError, RunHarness } from './harness';
import { LIMITS } from '../../../contract/limits';
import { TASK_STATUSES, TaskStatus } from '../../../contract/statuses';

type Action = 'heartbeat' | 'complete' | 'fail' | 'release' | 'retry';

/** SPEC §7.2 table 7 (preconditions) and the resulting status of each action. */
const ACTIONS: Record<Action, { from: TaskStatus[]; to: (from: TaskStatus) => TaskStatus; event: string }> = {
  heartbeat: { from: ['in_progress'], to: (from) => from, event: 'context.task.heartbeat' },
  complete: { from: ['in_progress'], to: () => 'done', event: 'context.task.completed' },
  fail: { from: ['in_progress', 'blocked'], to: () => 'failed', event: 'context.task.failed' },
  release: { from: ['in_progress', 'blocked'], to: () => 'runnable', event: 'context.task.requeued' },
  retry: { from: ['failed', 'blocked'], to: () => 'runnable', event: 'context.task.requeued' },
};

/** SPEC §7.1, transcribed row by row (from → allowed targets). */
const STATUS_TABLE: Record<TaskStatus, TaskStatus[]> = {
  pending: ['pending', 'runnable', 'blocked'],
  runnable: ['runnable', 'blocked'],
  in_progress: ['runnable', 'in_progress', 'blocked', 'done', 'failed'],
  blocked: ['runnable', 'blocked', 'failed'],
  done: ['done'],
  failed: ['runnable', 'failed'],
  // Not SPEC's: cancelled (format 4) is left only by a requeue, and entered only by cancelTask.
  cancelled: [],
};

const EVENT_BY_STATUS: Record<TaskStatus, string> = {
  in_progress: 'context.task.started',
  done: 'context.task.completed',
  failed: 'context.task.failed',
  blocked: 'context.task.blocked',
  runnable: 'context.task.requeued',
  pending: 'context.task.requeued',
  cancelled: 'context.task.cancelled',
};

const LEASE_KEYS = ['lease_owner', 'lease_token', 'lease_expires_at_ms'];

describe('transition actions × task statuses', () => {
  for (const action of Object.keys(ACTIONS) as Action[]) {
    for (const from of TASK_STATUSES) {
      const rule = ACTIONS[action];
      const allowed = rule.from.includes(from);
      const refusal = from === 'cancelled' ? 'TASK_CANCELLED' : 'TASK_TRANSITION_INVALID';
      it(`${action} from ${from}: ${allowed ? `→ ${rule.to(from)}` : refusal}`, () => {
        const h = new RunHarness();
        const t = h.taskIn(from, { id: 't' });
        const h0 = h.ctx.advance(1_000);
        const req = { task_id: 't', action, lease_token: t.lease_token, error: 'reason' };
        if (from === 'cancelled') {
          expectDomainError(() => h.transition(req), 'TASK_CANCELLED', { task_id: 't' });
          assert.deepEqual(h.task('t'), t, 'unchanged');
          return;
        }
        if (!allowed) {
          const err = expectDomainError(() => h.transition(req), 'TASK_TRANSITION_INVALID', { current_status: from, task_id: 't' });
          assertAbsent(err.details, 'requested_status');
          assert.deepEqual(h.task('t'), t, 'unchanged');
          return;
        }
        const e = h.transition(req);
        const after = h.task('t');
        assert.equal(after.status, rule.to(from));
        assert.equal(e.type, rule.event);
        assert.equal(e.task_id, 't');
        assert.equal(e.status, h.run.status, 'event status = the run status');
        assert.equal(after.task_rev, t.task_rev + 1);
        assert.equal(after.updated_ts, h0);
        assert.deepEqual((e.payload as { task: unknown }).task, after, 'the event carries the resulting task');
        if (after.status !== 'in_progress') assertAbsent(after, ...LEASE_KEYS);
      });
    }
  }
});

describe('the status action follows SPEC §7.1 exactly', () => {
  for (const from of TASK_STATUSES) {
    for (const to of TASK_STATUSES) {
      const allowed = STATUS_TABLE[from].includes(to);
      it(`${from} → ${to}: ${allowed ? 'allowed' : from === 'cancelled' ? 'TASK_CANCELLED' : 'TASK_TRANSITION_INVALID'}`, () => {
        const h = new RunHarness();
        const t = h.taskIn(from, { id: 't' });
        const now = h.ctx.advance(10);
        const req = { task_id: 't', action: 'status' as const, status: to, lease_token: t.lease_token, error: 'why', agent_id: 'boss' };
        if (!allowed) {
          if (from === 'cancelled') expectDomainError(() => h.transition(req), 'TASK_CANCELLED', { task_id: 't' });
          else expectDomainError(() => h.transition(req), 'TASK_TRANSITION_INVALID', { current_status: from, requested_status: to });
          return;
        }
        const e = h.transition(req);
        const after = h.task('t');
        assert.equal(after.status, to);
        assert.equal(e.type, EVENT_BY_STATUS[to]);
        assert.equal(after.task_rev, t.task_rev + 1);
        assert.equal(after.updated_ts, now);
        assert.equal(after.assigned_agent, 'boss');
        assert.equal(after.last_error, 'why');
        assert.equal(after.attempt, t.attempt + (to === 'failed' && from !== 'failed' ? 1 : 0), 'attempt counts entering failed');
        if (to === 'in_progress') {
          assert.equal(after.lease_token, t.lease_token, 'staying in_progress keeps the lease');
          assert.equal(after.lease_expires_at_ms, t.lease_expires_at_ms);
        } else {
          assertAbsent(after, ...LEASE_KEYS);
        }
        assert.deepEqual(e.payload, { task_id: 't', task_rev: after.task_rev, status: to, error: 'why', task: after });
      });
    }
  }

  it('entering in_progress is for claims only, also from claimable statuses', () => {
    const h = new RunHarness();
    for (const from of ['pending', 'runnable'] as const) {
      h.taskIn(from, { id: from });
      expectDomainError(() => h.transition({ task_id: from, action: 'status', status: 'in_progress' }), 'TASK_TRANSITION_INVALID', {
        current_status: from,
        requested_status: 'in_progress',
      });
    }
  });

  it('without error, status keeps last_error; without agent_id, assigned_agent', () => {
    const h = new RunHarness();
    const t = h.taskIn('failed', { id: 't' });
    assert.equal(t.last_error, 'setup failure');
    h.transition({ task_id: 't', action: 'status', status: 'runnable' });
    assert.equal(h.task('t').last_error, 'setup failure');
    assert.equal(h.task('t').assigned_agent, 'agent-setup');
  });
});

describe('transition effects (SPEC §7.2 with PROTOCOL.md changes)', () => {
  it('heartbeat: extends the lease from now, clamped; keeps the token; owner/agent from agent_id', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    const now = h.ctx.advance(4_000);
    const e = h.transition({ task_id: 't', action: 'heartbeat', lease_token: t.lease_token, lease_ms: 60_000 });
    let after = h.task('t');
    assert.equal(after.status, 'in_progress');
    assert.equal(after.lease_token, t.lease_token);
    assert.equal(after.lease_owner, 'agent-setup');
    assert.equal(after.lease_expires_at_ms, now + 60_000);
    assert.equal(after.attempt, t.attempt);
    assert.deepEqual(e.payload, { task_id: 't', task_rev: after.task_rev, task: after });

    h.transition({ task_id: 't', action: 'heartbeat', lease_token: t.lease_token, agent_id: ' helper ' });
    after = h.task('t');
    assert.equal(after.lease_owner, 'helper');
    assert.equal(after.assigned_agent, 'helper');
    assert.equal(after.lease_expires_at_ms, now + 60_000, 'naming no length, the lease keeps its own');

    for (const [asked, granted] of [
      [1, 5_000],
      [299_999.9, 299_999],
      [10_000_000, 300_000],
    ] as const) {
      h.transition({ task_id: 't', action: 'heartbeat', lease_token: t.lease_token, lease_ms: asked });
      assert.equal(h.task('t').lease_expires_at_ms, now + granted, `lease_ms ${asked}`);
    }
    h.transition({ task_id: 't', action: 'heartbeat', lease_token: t.lease_token }, 120_000);
    assert.equal(h.task('t').lease_expires_at_ms, now + 300_000, 'its own length, not the store default');
    // A task leased before leases kept their length (or by an older Runboard): as long as its times tell.
    const old = h.state.tasks.get('t')!;
    delete old.lease_ms;
    old.lease_expires_at_ms = old.updated_ts + 120_000;
    h.transition({ task_id: 't', action: 'heartbeat', lease_token: t.lease_token }, 30_000);
    assert.equal(h.task('t').lease_expires_at_ms, now + 120_000, 'from its last change to its end: 120 s, not the store default');
    const unknown = h.state.tasks.get('t')!;
    delete unknown.lease_ms;
    unknown.updated_ts = unknown.lease_expires_at_ms!; // its times tell nothing
    h.transition({ task_id: 't', action: 'heartbeat', lease_token: t.lease_token }, 30_000);
    assert.equal(h.task('t').lease_expires_at_ms, now + 30_000, 'the store default when nothing tells');
  });

  it('a lease claimed short stays short: a heartbeat naming no length renews it for as long as it was claimed', () => {
    const h = new RunHarness();
    h.addTask({ id: 's', status: 'runnable' });
    const claimed = h.claim({ agent_id: 'quick', task_id: 's', lease_ms: 8_000 }, 120_000)!;
    assert.equal(claimed.lease_ms, 8_000);
    const now = h.ctx.advance(5_000);
    h.transition({ task_id: 's', action: 'heartbeat', lease_token: claimed.lease_token }, 120_000);
    assert.deepEqual([h.task('s').lease_expires_at_ms, h.task('s').lease_ms], [now + 8_000, 8_000]);
    h.transition({ task_id: 's', action: 'complete', lease_token: claimed.lease_token });
    assert.equal(h.task('s').lease_ms, undefined, 'the lease ended: its length goes with it');
  });

  it('complete: done, lease cleared, assigned_agent from agent_id, last_error kept', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    const e = h.transition({ task_id: 't', action: 'complete', lease_token: t.lease_token, agent_id: 'closer' });
    const after = h.task('t');
    assert.equal(after.status, 'done');
    assert.equal(after.assigned_agent, 'closer');
    assertAbsent(after, ...LEASE_KEYS, 'last_error');
    assert.deepEqual(e.payload, { task_id: 't', task_rev: after.task_rev, status: 'done', error: null, task: after });
  });

  it('fail: failed, attempt + 1, last_error from error (kept when absent), lease cleared', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    h.transition({ task_id: 't', action: 'fail', lease_token: t.lease_token, error: 'compile error' });
    let after = h.task('t');
    assert.equal(after.status, 'failed');
    assert.equal(after.attempt, 1);
    assert.equal(after.last_error, 'compile error');
    assert.equal(after.assigned_agent, 'agent-setup');
    assertAbsent(after, ...LEASE_KEYS);
    h.transition({ task_id: 't', action: 'retry' });
    h.transition({ task_id: 't', action: 'status', status: 'blocked' });
    h.transition({ task_id: 't', action: 'fail' });
    after = h.task('t');
    assert.equal(after.attempt, 2, 'fail from blocked counts too');
    assertAbsent(after, 'last_error');
  });

  it('release: runnable, lease cleared, assigned_agent and attempt unchanged', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    h.transition({ task_id: 't', action: 'release', lease_token: t.lease_token, agent_id: 'someone-else' });
    const after = h.task('t');
    assert.equal(after.status, 'runnable');
    assert.equal(after.assigned_agent, 'agent-setup');
    assert.equal(after.attempt, 0);
    assertAbsent(after, ...LEASE_KEYS);
  });

  it('retry: runnable, last_error cleared, next_retry_at_ms = now, attempt unchanged', () => {
    const h = new RunHarness();
    h.taskIn('failed', { id: 't' });
    const now = h.ctx.advance(2_500);
    h.transition({ task_id: 't', action: 'retry', agent_id: 'ignored' });
    const after = h.task('t');
    assert.equal(after.status, 'runnable');
    assert.equal(after.attempt, 1);
    assert.equal(after.next_retry_at_ms, now);
    assert.equal(after.assigned_agent, 'agent-setup');
    assertAbsent(after, 'last_error', ...LEASE_KEYS);
  });

  it('an error text over 64 KiB → LIMIT_EXCEEDED {limit: error}, nothing written', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    const seq = h.run.last_event_seq;
    for (const req of [
      { action: 'fail' as const, lease_token: t.lease_token },
      { action: 'status' as const, status: 'blocked' as const, lease_token: t.lease_token },
    ]) {
      expectDomainError(() => h.transition({ task_id: 't', ...req, error: 'e'.repeat(LIMITS.textBytes + 1) }), 'LIMIT_EXCEEDED', {
        limit: 'error',
        max: LIMITS.textBytes,
      });
    }
    assert.equal(h.run.last_event_seq, seq);
    h.transition({ task_id: 't', action: 'fail', lease_token: t.lease_token, error: 'e'.repeat(LIMITS.textBytes) });
    assert.equal(h.task('t').last_error?.length, LIMITS.textBytes);
  });

  it('the action name is trimmed and lower-cased by the params', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    h.transition({ task_id: 't', action: ' COMPLETE ', lease_token: t.lease_token });
    assert.equal(h.task('t').status, 'done');
  });

  it('transitions of existing tasks work on a terminal run', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    h.finish('cancelled');
    const e = h.transition({ task_id: 't', action: 'complete', lease_token: t.lease_token });
    assert.equal(e.status, 'cancelled');
    assert.equal(h.task('t').status, 'done');
  });
});

describe('order of checks', () => {
  it('an unknown task → TASK_NOT_FOUND {task_id}', () => {
    const h = new RunHarness();
    expectDomainError(() => h.transition({ task_id: 'ghost', action: 'complete' }), 'TASK_NOT_FOUND', { task_id: 'ghost' });
  });

  it('expected_task_rev ≠ current → TASK_REV_MISMATCH with the current task_rev, before anything else', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    assert.equal(t.task_rev, 2);
    expectDomainError(
      () => h.transition({ task_id: 't', action: 'complete', lease_token: t.lease_token, expected_task_rev: 1 }),
      'TASK_REV_MISMATCH',
      {
        task_rev: 2,
      },
    );
    // Even with no token and an action the status does not allow.
    expectDomainError(() => h.transition({ task_id: 't', action: 'retry', expected_task_rev: 7 }), 'TASK_REV_MISMATCH', { task_rev: 2 });
    // And with an expired token.
    h.ctx.advance(60_000);
    expectDomainError(
      () => h.transition({ task_id: 't', action: 'complete', lease_token: t.lease_token, expected_task_rev: 3 }),
      'TASK_REV_MISMATCH',
    );
    h.ctx.advance(-60_000);
    h.transition({ task_id: 't', action: 'complete', lease_token: t.lease_token, expected_task_rev: 2 });
    assert.equal(h.task('t').task_rev, 3);
  });

  it('an expired token is reported before the action precondition', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    h.ctx.advance(30_000);
    h.expireLeases();
    assert.equal(h.task('t').status, 'runnable');
    // complete would be TASK_TRANSITION_INVALID on a runnable task; the stale token says more.
    expectDomainError(() => h.transition({ task_id: 't', action: 'complete', lease_token: t.lease_token }), 'TASK_LEASE_EXPIRED');
  });

  it('the precondition comes before the lease check', () => {
    const h = new RunHarness();
    h.taskIn('in_progress', { id: 't' });
    expectDomainError(() => h.transition({ task_id: 't', action: 'retry' }), 'TASK_TRANSITION_INVALID', { current_status: 'in_progress' });
    expectDomainError(() => h.transition({ task_id: 't', action: 'status', status: 'pending' }), 'TASK_TRANSITION_INVALID');
  });
});

describe('lease checks', () => {
  const leasedRequests: Array<{ action: 'heartbeat' | 'complete' | 'fail' | 'release' | 'status'; status?: TaskStatus }> = [
    { action: 'heartbeat' },
    { action: 'complete' },
    { action: 'fail' },
    { action: 'release' },
    { action: 'status', status: 'runnable' },
    { action: 'status', status: 'in_progress' },
    { action: 'status', status: 'blocked' },
    { action: 'status', status: 'done' },
    { action: 'status', status: 'failed' },
  ];
  for (const r of leasedRequests) {
    const name = r.action === 'status' ? `status → ${r.status}` : r.action;
    it(`${name} on a live lease: no token → TASK_LEASE_REQUIRED, another token → TASK_LEASE_INVALID, its token → ok`, () => {
      const h = new RunHarness();
      const t = h.taskIn('in_progress', { id: 't' });
      expectDomainError(() => h.transition({ task_id: 't', ...r }), 'TASK_LEASE_REQUIRED', { task_id: 't' });
      expectDomainError(() => h.transition({ task_id: 't', ...r, lease_token: 'lease-forged' }), 'TASK_LEASE_INVALID', { task_id: 't' });
      assert.equal(h.task('t').task_rev, t.task_rev, 'refusals change nothing');
      h.transition({ task_id: 't', ...r, lease_token: t.lease_token });
    });
  }

  it('tasks without a lease need no token (a stray token is ignored)', () => {
    const h = new RunHarness();
    h.taskIn('blocked', { id: 'b1' });
    h.taskIn('blocked', { id: 'b2' });
    h.taskIn('pending', { id: 'p' });
    h.transition({ task_id: 'b1', action: 'fail' });
    h.transition({ task_id: 'b2', action: 'release', lease_token: 'lease-whatever' });
    h.transition({ task_id: 'p', action: 'status', status: 'blocked' });
    h.transition({ task_id: 'b1', action: 'retry' });
    assert.deepEqual(
      ['b1', 'b2', 'p'].map((id) => h.task(id).status),
      ['runnable', 'runnable', 'blocked'],
    );
  });

  it('heartbeat after the lease lapsed, before expiry ran: TASK_LEASE_EXPIRED with the expiry', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    const expiry = t.lease_expires_at_ms!;
    h.ctx.now = expiry - 1;
    h.transition({ task_id: 't', action: 'heartbeat', lease_token: t.lease_token, lease_ms: 5_000 });
    const extended = h.task('t').lease_expires_at_ms!;
    assert.equal(extended, expiry - 1 + 5_000);
    h.ctx.now = expiry + 100;
    h.transition({ task_id: 't', action: 'heartbeat', lease_token: t.lease_token }, 5_000);
    h.ctx.now = h.task('t').lease_expires_at_ms!;
    for (const action of ['heartbeat', 'complete', 'fail', 'release'] as const) {
      expectDomainError(() => h.transition({ task_id: 't', action, lease_token: t.lease_token }), 'TASK_LEASE_EXPIRED', {
        lease_expires_at_ms: h.ctx.now,
      });
    }
    expectDomainError(() => h.transition({ task_id: 't', action: 'heartbeat' }), 'TASK_LEASE_REQUIRED');
  });

  it('the refusals say what to do: a call of the same agent id without the token is told to pass it; an ended lease by token alone is named as ended', () => {
    const h = new RunHarness();
    h.addTask({ id: 't' });
    const t = h.claim({ agent_id: 'cli:me@host', task_id: 't' })!;
    const own = expectDomainError(() => h.transition({ task_id: 't', action: 'release', agent_id: 'cli:me@host' }), 'TASK_LEASE_REQUIRED');
    assert.match(
      own.message,
      /^Task t is claimed by cli:me@host — your agent id, but this call carries no lease token: pass the lease_token its claim returned\. A claim made in a shell or session that has ended can be taken back by requeueing the task with force; if another session with your agent id is working on it, pick another task\.$/,
    );
    // A wrong token from the holder's own agent id: not told to stop, as if another agent held the task.
    const wrong = expectDomainError(
      () => h.transition({ task_id: 't', action: 'heartbeat', agent_id: 'cli:me@host', lease_token: 'lease-bogus' }),
      'TASK_LEASE_INVALID',
    );
    assert.equal(
      wrong.message,
      "That lease_token does not hold task t: cli:me@host (your agent id) holds it under another token. If you claimed it again, pass that claim's lease_token; else another shell or session of your agent id holds it now, and your lease ended: stop working on t.",
    );
    h.addTask({ id: 'unclaimed' });
    const early = expectDomainError(() => h.transition({ task_id: 'unclaimed', action: 'complete' }), 'TASK_TRANSITION_INVALID');
    assert.equal(early.message, 'Task unclaimed is pending; complete needs it in_progress: claim it first.');
    const other = expectDomainError(() => h.transition({ task_id: 't', action: 'release', agent_id: 'someone' }), 'TASK_LEASE_REQUIRED');
    assert.match(other.message, /— pick another task, or wait until it is released\.$/);
    h.transition({ task_id: 't', action: 'complete', lease_token: t.lease_token });
    const ended = expectDomainError(() => h.transition({ action: 'heartbeat', lease_token: t.lease_token }), 'TASK_LEASE_INVALID');
    assert.match(
      ended.message,
      /it ended — its task was completed, failed or released, or it ran out and the task was claimed again — or it is not of this run\. Stop working under it and claim the next task/,
    );
    // Named by id, with a token that held it once (its lease ran out, another finished it): told to stop, not to claim first.
    const stale = expectDomainError(
      () => h.transition({ task_id: 't', action: 'heartbeat', lease_token: t.lease_token }),
      'TASK_TRANSITION_INVALID',
    );
    assert.equal(stale.message, 'Task t is done; heartbeat needs it in_progress: it is done — stop working on it.');
    // A token that never held it (a typo, another task's): the step missed is still the claim.
    const notItsToken = expectDomainError(
      () => h.transition({ task_id: 'unclaimed', action: 'complete', lease_token: 'lease-old' }),
      'TASK_TRANSITION_INVALID',
    );
    assert.equal(notItsToken.message, 'Task unclaimed is pending; complete needs it in_progress: claim it first.');
  });

  it('after the stale requeue the old token gets TASK_LEASE_EXPIRED until the task is claimed again', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    h.ctx.advance(30_000);
    h.expireLeases();
    for (const req of [
      { action: 'complete' as const },
      { action: 'heartbeat' as const },
      { action: 'release' as const },
      { action: 'status' as const, status: 'blocked' as const },
    ]) {
      expectDomainError(() => h.transition({ task_id: 't', ...req, lease_token: t.lease_token }), 'TASK_LEASE_EXPIRED', {
        lease_expires_at_ms: t.lease_expires_at_ms,
      });
    }
    // A manual requeue in between does not end that.
    h.requeue({ task_id: 't' });
    expectDomainError(() => h.transition({ task_id: 't', action: 'complete', lease_token: t.lease_token }), 'TASK_LEASE_EXPIRED');
    const again = h.claim({ agent_id: 'agent-2' })!;
    assert.equal(again.id, 't');
    const taken = expectDomainError(
      () => h.transition({ task_id: 't', action: 'complete', lease_token: t.lease_token }),
      'TASK_LEASE_INVALID',
      {
        lease_owner: 'agent-2',
      },
    );
    assert.match(
      taken.message,
      /^That lease_token does not hold task t: agent-2 holds it now\. If that lease was yours, it ended \(it ran out, or was taken back\): stop working on t\.$/,
    );
    h.transition({ task_id: 't', action: 'complete', lease_token: again.lease_token });
    assert.equal(h.task('t').status, 'done');
  });

  it('after a forced requeue the revoked token gets TASK_LEASE_EXPIRED at the requeue time', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    const at = h.ctx.advance(1_000);
    h.requeue({ task_id: 't', force: true });
    expectDomainError(() => h.transition({ task_id: 't', action: 'heartbeat', lease_token: t.lease_token }), 'TASK_LEASE_EXPIRED', {
      lease_expires_at_ms: at,
    });
    h.ctx.advance(1);
    expectDomainError(() => h.transition({ task_id: 't', action: 'complete', lease_token: t.lease_token }), 'TASK_LEASE_EXPIRED');
    const again = h.claim({ agent_id: 'agent-2', task_id: 't' })!;
    expectDomainError(() => h.transition({ task_id: 't', action: 'complete', lease_token: t.lease_token }), 'TASK_LEASE_INVALID');
    h.transition({ task_id: 't', action: 'complete', lease_token: again.lease_token });
  });

  it('after the holder ended its own lease, a repeat with its token is a precondition error, not "expired"', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    h.transition({ task_id: 't', action: 'complete', lease_token: t.lease_token });
    h.ctx.advance(60_000);
    expectDomainError(() => h.transition({ task_id: 't', action: 'complete', lease_token: t.lease_token }), 'TASK_TRANSITION_INVALID', {
      current_status: 'done',
    });
  });

  it('leaving in_progress clears the lease in every way', () => {
    const ways: Array<(h: RunHarness, token: string) => void> = [
      (h, token) => h.transition({ task_id: 't', action: 'complete', lease_token: token }),
      (h, token) => h.transition({ task_id: 't', action: 'fail', lease_token: token }),
      (h, token) => h.transition({ task_id: 't', action: 'release', lease_token: token }),
      (h, token) => h.transition({ task_id: 't', action: 'status', status: 'runnable', lease_token: token }),
      (h, token) => h.transition({ task_id: 't', action: 'status', status: 'blocked', lease_token: token }),
      (h, token) => h.transition({ task_id: 't', action: 'status', status: 'done', lease_token: token }),
      (h, token) => h.transition({ task_id: 't', action: 'status', status: 'failed', lease_token: token }),
      (h) => h.requeue({ task_id: 't', force: true }),
      (h) => {
        h.ctx.advance(30_000);
        h.expireLeases();
      },
    ];
    for (const way of ways) {
      const h = new RunHarness();
      const t = h.taskIn('in_progress', { id: 't' });
      way(h, t.lease_token!);
      assert.notEqual(h.task('t').status, 'in_progress');
      assertAbsent(h.task('t'), ...LEASE_KEYS);
      assert.equal(h.state.index.nextLeaseExpiry(), undefined, 'no lease left to expire');
    }
  });
});

describe('attempts and max_attempts', () => {
  it('attempt counts failures: fail and status → failed, never claim, release, retry or requeue', () => {
    const h = new RunHarness();
    h.addTask({ id: 't', max_attempts: 10 });
    const token = () => h.task('t').lease_token;
    const steps: Array<[string, () => void, number]> = [
      ['claim', () => h.claim({ agent_id: 'a' }), 0],
      ['release', () => h.transition({ task_id: 't', action: 'release', lease_token: token() }), 0],
      ['claim', () => h.claim({ agent_id: 'a' }), 0],
      ['fail', () => h.transition({ task_id: 't', action: 'fail', lease_token: token() }), 1],
      ['status failed → failed', () => h.transition({ task_id: 't', action: 'status', status: 'failed' }), 1],
      ['retry', () => h.transition({ task_id: 't', action: 'retry' }), 1],
      ['claim', () => h.claim({ agent_id: 'a' }), 1],
      ['status → failed', () => h.transition({ task_id: 't', action: 'status', status: 'failed', lease_token: token() }), 2],
      ['requeue', () => h.requeue({ task_id: 't' }), 2],
      ['status → blocked', () => h.transition({ task_id: 't', action: 'status', status: 'blocked' }), 2],
      ['status blocked → failed', () => h.transition({ task_id: 't', action: 'status', status: 'failed' }), 3],
    ];
    for (const [name, step, attempt] of steps) {
      step();
      assert.equal(h.task('t').attempt, attempt, `after ${name}`);
    }
  });

  it('retry at attempt ≥ max_attempts → TASK_ATTEMPTS_EXHAUSTED {attempt, max_attempts}, nothing written', () => {
    const h = new RunHarness();
    h.addTask({ id: 't', max_attempts: 2 });
    for (let i = 1; i <= 2; i++) {
      const c = h.claim({ agent_id: 'a' })!;
      h.transition({ task_id: 't', action: 'fail', lease_token: c.lease_token });
      if (i < 2) h.transition({ task_id: 't', action: 'retry' });
    }
    const seq = h.run.last_event_seq;
    const spent = expectDomainError(() => h.transition({ task_id: 't', action: 'retry' }), 'TASK_ATTEMPTS_EXHAUSTED', {
      attempt: 2,
      max_attempts: 2,
    });
    assert.match(
      spent.message,
      /allowed attempts: a person's requeue gives it one more \(`runboard requeue t`, or Requeue on the board\), or edit its max_attempts\.$/,
    );
    assert.equal(h.run.last_event_seq, seq);
    // Nor does a status move get past it (until this change it did, and the task read "failed (3/2)" after its next claim).
    expectDomainError(() => h.transition({ task_id: 't', action: 'status', status: 'runnable' }), 'TASK_ATTEMPTS_EXHAUSTED', {
      attempt: 2,
      max_attempts: 2,
    });
    assert.equal(h.run.last_event_seq, seq);
    h.requeue({ task_id: 't' });
    assert.equal(h.task('t').status, 'runnable', "a person's requeue gives it one more");
  });

  it('a retry below max_attempts works; the precondition is checked before exhaustion', () => {
    const h = new RunHarness();
    h.addTask({ id: 't', max_attempts: 1 });
    expectDomainError(() => h.transition({ task_id: 't', action: 'retry' }), 'TASK_TRANSITION_INVALID');
    h.transition({ task_id: 't', action: 'status', status: 'blocked' });
    h.transition({ task_id: 't', action: 'retry' });
    assert.equal(h.task('t').status, 'runnable');
  });
});

describe('decideTransition is pure', () => {
  it('returns one event and leaves the state alone', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    const before = structuredClone(h.task('t'));
    const events = decideTransition(h.state, h.transitionRequest({ task_id: 't', action: 'complete', lease_token: t.lease_token }), h.ctx);
    assert.equal(events.length, 1);
    assert.equal(events[0].seq, h.run.last_event_seq + 1);
    assert.deepEqual(h.task('t'), before);
  });
});
