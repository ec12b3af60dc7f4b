// Manual requeue (PROTOCOL.md §requeueTask) and stale-lease expiry (§Expired leases): what
// each does to the task, which event it writes, and when a lease counts as live.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertAbsent, expectDomainError, RunHarness, T0 } from './harness';
import { TASK_STATUSES } from '../../../contract/statuses';

const LEASE_KEYS = ['lease_owner', 'lease_token', 'lease_expires_at_ms'];

describe('requeueTask', () => {
  for (const status of TASK_STATUSES.filter((s) => s !== 'done')) {
    it(`${status} → runnable, lease cleared, next_retry_at_ms = now, attempt unchanged`, () => {
      const h = new RunHarness();
      const t = h.taskIn(status, { id: 't' });
      const now = h.ctx.advance(1_000);
      const e = h.requeue({ task_id: 't', reason: 'operator said so', force: status === 'in_progress' });
      const after = h.task('t');
      assert.equal(after.status, 'runnable');
      assert.equal(after.next_retry_at_ms, now);
      assert.equal(after.attempt, t.attempt);
      assert.equal(after.last_error, 'operator said so');
      assert.equal(after.task_rev, t.task_rev + 1);
      assert.equal(after.updated_ts, now);
      assertAbsent(after, ...LEASE_KEYS);
      assert.equal(e.type, 'context.task.requeued');
      assert.equal(e.task_id, 't');
      assert.equal((e.payload as { manual_requeue: boolean }).manual_requeue, true);
      assert.deepEqual((e.payload as { task: unknown }).task, after);
    });
  }

  it('without a reason, last_error is unchanged', () => {
    const h = new RunHarness();
    h.taskIn('failed', { id: 't' });
    h.requeue({ task_id: 't' });
    assert.equal(h.task('t').last_error, 'setup failure');
  });

  it('a done task → TASK_TRANSITION_INVALID {current_status: done}', () => {
    const h = new RunHarness();
    h.taskIn('done', { id: 't' });
    expectDomainError(() => h.requeue({ task_id: 't', force: true }), 'TASK_TRANSITION_INVALID', { current_status: 'done', task_id: 't' });
  });

  it('an unknown task → TASK_NOT_FOUND', () => {
    const h = new RunHarness();
    expectDomainError(() => h.requeue({ task_id: 'nope' }), 'TASK_NOT_FOUND', { task_id: 'nope' });
  });

  it('a live lease without force → TASK_LEASE_ACTIVE {lease_owner, lease_expires_at_ms}; with force it works', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    h.ctx.advance(29_999);
    const active = expectDomainError(() => h.requeue({ task_id: 't' }), 'TASK_LEASE_ACTIVE', {
      lease_owner: 'agent-setup',
      lease_expires_at_ms: t.lease_expires_at_ms,
    });
    // How long it is held yet, in words (not a UTC timestamp), and what takes it back.
    assert.equal(active.message, 'Task t is leased to agent-setup for another 1s; requeue it with force to take it back.');
    expectDomainError(() => h.requeue({ task_id: 't', force: false }), 'TASK_LEASE_ACTIVE');
    const e = h.requeue({ task_id: 't', force: true });
    assert.equal((e.payload as { forced?: boolean }).forced, true);
    assert.equal(h.task('t').status, 'runnable');
    assert.equal(h.task('t').assigned_agent, 'agent-setup');
  });

  it('a lapsed lease is not live: no force needed', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    h.ctx.now = t.lease_expires_at_ms!;
    h.requeue({ task_id: 't' });
    assert.equal(h.task('t').status, 'runnable');
    assert.equal(h.task('t').attempt, 0, 'a manual requeue never counts an attempt');
  });

  it('works on a terminal run; the requeued task is claimable again after reopening', () => {
    const h = new RunHarness();
    h.taskIn('failed', { id: 't' });
    h.finish();
    h.requeue({ task_id: 't' });
    assert.equal(h.task('t').status, 'runnable');
    h.appendEvent({ type: 'run_reopened', status: 'running' });
    assert.equal(h.claim({ agent_id: 'a' })?.id, 't');
  });
});

describe('stale-lease expiry', () => {
  it('nothing expires before the lease end; at lease_expires_at_ms exactly it does', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    assert.equal(h.state.index.nextLeaseExpiry(), t.lease_expires_at_ms);
    h.ctx.now = t.lease_expires_at_ms! - 1;
    assert.deepEqual(h.expireLeases(), []);
    h.ctx.now = t.lease_expires_at_ms!;
    assert.equal(h.expireLeases().length, 1);
    assert.deepEqual(h.expireLeases(), [], 'once only');
  });

  it('requeues: runnable, lease cleared, next_retry_at_ms = now, attempt + 1, exact last_error, stale_requeued event', () => {
    const h = new RunHarness();
    h.appendEvent({ type: 'go', status: 'running' });
    h.addTask({ id: 't', workflow_id: 'wf' });
    const t = h.claim({ agent_id: 'worker-1' })!;
    const now = h.ctx.advance(45_000);
    const [e] = h.expireLeases();
    const after = h.task('t');
    assert.equal(after.status, 'runnable');
    assert.equal(after.attempt, 1);
    assert.equal(after.next_retry_at_ms, now);
    assert.equal(after.last_error, 'task lease expired while assigned to worker-1');
    assert.equal(after.assigned_agent, 'worker-1');
    assert.equal(after.task_rev, t.task_rev + 1);
    assert.equal(after.updated_ts, now);
    assertAbsent(after, ...LEASE_KEYS);
    assert.equal(e.type, 'context.task.stale_requeued');
    assert.equal(e.task_id, 't');
    assert.equal(e.status, 'running');
    assertAbsent(e, 'command_id');
    assert.deepEqual(e.payload, {
      task_id: 't',
      task_rev: after.task_rev,
      lease_owner: 'worker-1',
      stale_requeue: true,
      workflow_id: 'wf',
      task: after,
    });
    assert.equal(h.claim({ agent_id: 'worker-2' })?.id, 't', 'claimable again at once');
  });

  it('the owner named is the lease owner after a heartbeat changed it', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    h.transition({ task_id: 't', action: 'heartbeat', lease_token: t.lease_token, agent_id: 'new-owner' });
    h.ctx.advance(30_000);
    h.expireLeases();
    assert.equal(h.task('t').last_error, 'task lease expired while assigned to new-owner');
  });

  it('a heartbeat moves the expiry; only the current lease end counts', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 't' });
    h.ctx.advance(20_000);
    h.transition({ task_id: 't', action: 'heartbeat', lease_token: t.lease_token });
    h.ctx.advance(20_000);
    assert.deepEqual(h.expireLeases(), [], 'the first lease end has passed, but it was extended');
    h.ctx.advance(10_000);
    assert.equal(h.expireLeases().length, 1);
  });

  it('several expired tasks: one event each, earliest expiry first, consecutive seqs', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    h.claim({ agent_id: 'x', task_id: 'a', lease_ms: 20_000 });
    h.claim({ agent_id: 'x', task_id: 'b', lease_ms: 10_000 });
    h.claim({ agent_id: 'x', task_id: 'c', lease_ms: 60_000 });
    h.ctx.advance(30_000);
    const events = h.expireLeases();
    assert.deepEqual(
      events.map((e) => e.task_id),
      ['b', 'a'],
    );
    assert.deepEqual(
      events.map((e) => e.seq),
      [events[0].seq, events[0].seq + 1],
    );
    assert.equal(h.task('c').status, 'in_progress');
  });

  it('when attempts run out the task fails instead: context.task.failed with payload.stale_requeue', () => {
    const h = new RunHarness();
    h.addTask({ id: 't', max_attempts: 2 });
    let c = h.claim({ agent_id: 'w' })!;
    h.ctx.advance(30_000);
    assert.equal(h.expireLeases()[0].type, 'context.task.stale_requeued');
    assert.equal(h.task('t').attempt, 1);
    c = h.claim({ agent_id: 'w' })!;
    const now = h.ctx.advance(30_000);
    const events = h.expireLeases();
    assert.equal(events.length, 1, 'one event, no stale_requeued besides it');
    const [e] = events;
    const after = h.task('t');
    assert.equal(e.type, 'context.task.failed');
    assert.equal((e.payload as { stale_requeue: boolean }).stale_requeue, true);
    assert.equal(after.status, 'failed');
    assert.equal(after.attempt, 2);
    assert.equal(after.last_error, 'task lease expired while assigned to w');
    assert.equal(after.updated_ts, now);
    assertAbsent(after, ...LEASE_KEYS);
    assert.equal(h.claim({ agent_id: 'w' }), null, 'a failed task is not claimable');
    expectDomainError(() => h.transition({ task_id: 't', action: 'complete', lease_token: c.lease_token }), 'TASK_LEASE_EXPIRED');
    expectDomainError(() => h.transition({ task_id: 't', action: 'retry' }), 'TASK_ATTEMPTS_EXHAUSTED', { attempt: 2, max_attempts: 2 });
  });

  it('max_attempts 1: the first expiry fails the task', () => {
    const h = new RunHarness();
    h.addTask({ id: 't', max_attempts: 1 });
    h.claim({ agent_id: 'w' });
    h.ctx.advance(30_000);
    assert.equal(h.expireLeases()[0].type, 'context.task.failed');
    assert.equal(h.task('t').status, 'failed');
  });

  it('lease expiry still runs on a terminal run', () => {
    const h = new RunHarness();
    h.taskIn('in_progress', { id: 't' });
    h.finish('cancelled');
    h.ctx.advance(30_000);
    const [e] = h.expireLeases();
    assert.equal(e.status, 'cancelled');
    assert.equal(h.task('t').status, 'runnable');
  });

  it('an in_progress task without a lease (written by another process) gets the default lease from its updated_ts', () => {
    const h = new RunHarness();
    const [t] = h.createTasks([{ id: 'foreign' }]);
    // SPEC W4: such a task must not get stuck; it expires like an owner-less default lease.
    const crafted = { ...t, status: 'in_progress' as const, task_rev: 2, updated_ts: h.ctx.now };
    const seq = h.run.last_event_seq + 1;
    h.commit([
      {
        event_id: `evt-foreign-${seq}`,
        run_id: h.runId,
        seq,
        ts_ms: h.ctx.now,
        type: 'context.task.started',
        status: h.run.status,
        revision: h.run.revision + 1,
        task_id: 'foreign',
        payload: { task_id: 'foreign', task_rev: 2, task: crafted },
      },
    ]);
    assert.equal(h.state.index.nextLeaseExpiry(), crafted.updated_ts + 30_000);
    h.requeue({ task_id: 'foreign', reason: 'no force needed: there is no live lease' });
    assert.equal(h.task('foreign').status, 'runnable');

    const again = { ...h.task('foreign'), status: 'in_progress' as const, task_rev: h.task('foreign').task_rev + 1 };
    const seq2 = h.run.last_event_seq + 1;
    h.commit([
      {
        event_id: `evt-foreign-${seq2}`,
        run_id: h.runId,
        seq: seq2,
        ts_ms: h.ctx.now,
        type: 'context.task.started',
        status: h.run.status,
        revision: h.run.revision + 1,
        task_id: 'foreign',
        payload: { task_id: 'foreign', task_rev: again.task_rev, task: again },
      },
    ]);
    h.ctx.advance(29_999);
    assert.deepEqual(h.expireLeases(), []);
    h.ctx.advance(1);
    const [e] = h.expireLeases();
    assert.equal(e.type, 'context.task.stale_requeued');
    assert.equal(h.task('foreign').last_error, 'task lease expired while assigned to unknown-agent');
    assert.equal(h.task('foreign').attempt, 1);
  });

  it('tasks that left in_progress are never expired', () => {
    const h = new RunHarness();
    const a = h.taskIn('in_progress', { id: 'a' });
    h.taskIn('in_progress', { id: 'b' });
    h.transition({ task_id: 'a', action: 'complete', lease_token: a.lease_token });
    h.requeue({ task_id: 'b', force: true });
    h.ctx.advance(T0);
    assert.deepEqual(h.expireLeases(), []);
  });
});
