// Claiming (SPEC.md §8.1/§8.2 with PROTOCOL.md's fixes): which tasks are claimable, in which
// order, claiming one task by id, the lease that results and its clamps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventRecord, Task } from '../../../contract/schemas/records';
import { whyNothingToClaim } from '../../../server/src/engine/taskClaim';
import { summarizeBoard } from '../../../server/src/cli/boardSummary';
import { waitReasons } from '../../../contract/taskRules';
import { expectDomainError, RunHarness, T0 } from './harness';

function claimAll(h: RunHarness, filter: { task_type?: string; workflow_id?: string } = {}): string[] {
  const ids: string[] = [];
  for (let t = h.claim({ agent_id: 'a', ...filter }); t; t = h.claim({ agent_id: 'a', ...filter })) ids.push(t.id);
  return ids;
}

describe('claim: the lease and the event', () => {
  it('in_progress, owner = assigned = trimmed agent, token lease-…, expiry now + 30 s, rev + 1, attempt unchanged', () => {
    const h = new RunHarness();
    h.appendEvent({ type: 'go', status: 'running' });
    const [t] = h.createTasks([{ id: 't', workflow_id: 'wf' }]);
    const now = h.ctx.advance(1_234);
    const claimed = h.claim({ agent_id: '  agent-7  ' })!;
    assert.equal(claimed.status, 'in_progress');
    assert.equal(claimed.assigned_agent, 'agent-7');
    assert.equal(claimed.lease_owner, 'agent-7');
    assert.match(claimed.lease_token!, /^lease-\d+$/);
    assert.equal(claimed.lease_expires_at_ms, now + 30_000);
    assert.equal(claimed.task_rev, t.task_rev + 1);
    assert.equal(claimed.attempt, 0);
    assert.equal(claimed.updated_ts, now);
    const e = h.log.at(-1)!;
    assert.equal(e.type, 'context.task.claimed');
    assert.equal(e.task_id, 't');
    assert.equal(e.status, 'running');
    assert.deepEqual(e.payload, { task_id: 't', agent_id: 'agent-7', task_rev: 2, workflow_id: 'wf', task: claimed });
  });

  it('lease_ms is clamped to [5 000, 300 000] (floored); default 30 000 or the store default', () => {
    const cases: Array<[number | undefined, number | undefined, number]> = [
      [undefined, undefined, 30_000],
      [1, undefined, 5_000],
      [0, undefined, 5_000],
      [-50, undefined, 5_000],
      [5_000, undefined, 5_000],
      [12_345.9, undefined, 12_345],
      [300_000, undefined, 300_000],
      [300_001, undefined, 300_000],
      [undefined, 90_000, 90_000],
      [undefined, 1, 5_000],
      [7_000, 90_000, 7_000],
    ];
    for (const [leaseMs, storeDefault, granted] of cases) {
      const h = new RunHarness();
      h.addTask();
      const t = h.claim({ agent_id: 'a', lease_ms: leaseMs }, storeDefault)!;
      assert.equal(t.lease_expires_at_ms, T0 + granted, `lease_ms ${leaseMs}, default ${storeDefault}`);
    }
  });

  it('nothing claimable → no events (and nothing changes)', () => {
    const h = new RunHarness();
    assert.equal(h.claim({ agent_id: 'a' }), null);
    h.taskIn('blocked');
    h.taskIn('done');
    h.taskIn('failed');
    h.taskIn('in_progress');
    const seq = h.run.last_event_seq;
    assert.equal(h.claim({ agent_id: 'a' }), null);
    assert.equal(h.run.last_event_seq, seq);
  });

  it('a terminal run → RUN_TERMINAL {status}, also for a claim by id', () => {
    const h = new RunHarness();
    h.addTask({ id: 't' });
    h.finish('failed');
    expectDomainError(() => h.claim({ agent_id: 'a' }), 'RUN_TERMINAL', { status: 'failed' });
    expectDomainError(() => h.claim({ agent_id: 'a', task_id: 't' }), 'RUN_TERMINAL', { status: 'failed' });
  });
});

describe('claim on a paused run', () => {
  it('hands out nothing (reason run_paused), by id neither; holders heartbeat and finish; resumed, it hands out again', () => {
    const h = new RunHarness();
    h.addTask({ id: 'held' });
    h.addTask({ id: 'next' });
    const held = h.claim({ agent_id: 'a', task_id: 'held' })!;
    h.appendEvent({ type: 'run_paused', status: 'paused' });
    const seq = h.run.last_event_seq;
    assert.equal(h.claim({ agent_id: 'b' }), null);
    assert.equal(h.claim({ agent_id: 'b', task_id: 'next' }), null);
    assert.equal(h.run.last_event_seq, seq, 'nothing written');
    assert.deepEqual(whyNothingToClaim(h.state, { agent_id: 'b' }, T0), { reason: 'run_paused' });
    assert.deepEqual(
      waitReasons(h.task('next'), h.run, h.state.tasks, T0).map((r) => r.kind),
      ['run_paused'],
    );
    h.transition({ task_id: 'held', action: 'heartbeat', lease_token: held.lease_token });
    h.transition({ task_id: 'held', action: 'complete', lease_token: held.lease_token });
    assert.equal(h.task('held').status, 'done');
    // The board at a glance (run show, MCP get_run and ready_tasks) offers nothing while paused.
    assert.deepEqual(summarizeBoard(h.run, h.blackboard, T0).claimable_now, []);
    h.appendEvent({ type: 'run_resumed', status: 'running' });
    assert.deepEqual(summarizeBoard(h.run, h.blackboard, T0).claimable_now, ['next']);
    assert.equal(h.claim({ agent_id: 'b' })?.id, 'next');
  });

  it('every task done or cancelled: all_done, paused or not, whatever the filter (claim --wait ends on it)', () => {
    const h = new RunHarness();
    h.taskIn('done', { id: 'a' });
    h.addTask({ id: 'b' });
    h.cancel({ task_id: 'b' });
    h.appendEvent({ type: 'run_paused', status: 'paused' });
    assert.deepEqual(whyNothingToClaim(h.state, { agent_id: 'x' }, T0), { reason: 'all_done' });
    assert.deepEqual(whyNothingToClaim(h.state, { agent_id: 'x', task_type: 'other' }, T0), { reason: 'all_done' });
    expectDomainError(() => whyNothingToClaim(h.state, { agent_id: 'x', task_id: 'ghost' }, T0), 'TASK_NOT_FOUND');
  });
});

describe('claim: which tasks are claimable', () => {
  it('pending and runnable are both claimable; blocked, in_progress, done, failed are not', () => {
    const h = new RunHarness();
    h.taskIn('blocked', { id: 'blocked' });
    h.taskIn('failed', { id: 'failed' });
    h.taskIn('done', { id: 'done' });
    h.taskIn('in_progress', { id: 'busy' });
    h.createTasks([
      { id: 'pending', status: 'pending' },
      { id: 'runnable', status: 'runnable' },
    ]);
    assert.deepEqual(claimAll(h).sort(), ['pending', 'runnable']);
  });

  it('dependencies must all be done', () => {
    const h = new RunHarness();
    h.createTasks([
      { id: 'a' },
      { id: 'b' },
      { id: 'c', depends_on_task_ids: ['a', 'b'], priority: 10 },
      { id: 'd', depends_on_task_ids: ['c'], priority: 10 },
    ]);
    const claimOne = () => h.claim({ agent_id: 'a' });
    const a = claimOne()!;
    assert.equal(a.id, 'a', 'c outranks a but waits for a and b');
    h.transition({ task_id: 'a', action: 'complete', lease_token: a.lease_token });
    const b = claimOne()!;
    assert.equal(b.id, 'b');
    assert.equal(claimOne(), null, 'c still waits for b');
    h.transition({ task_id: 'b', action: 'fail', lease_token: b.lease_token });
    assert.equal(claimOne(), null, 'a failed dependency blocks');
    h.transition({ task_id: 'b', action: 'retry' });
    const b2 = claimOne()!;
    h.transition({ task_id: 'b', action: 'complete', lease_token: b2.lease_token });
    const c = claimOne()!;
    assert.equal(c.id, 'c');
    assert.equal(claimOne(), null);
    h.transition({ task_id: 'c', action: 'complete', lease_token: c.lease_token });
    assert.equal(claimOne()!.id, 'd');
  });

  it('nothing to claim because tasks wait on a failed or blocked one, directly or not: a person is needed, not other agents', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'a' }, { id: 'b', depends_on_task_ids: ['a'] }, { id: 'c', depends_on_task_ids: ['b'] }, { id: 'x' }]);
    const reason = () => whyNothingToClaim(h.state, { agent_id: 'q' }, T0).reason;
    const a = h.claim({ agent_id: 'q', task_id: 'a' })!;
    const x = h.claim({ agent_id: 'q', task_id: 'x' })!;
    assert.equal(reason(), 'dependencies', 'b and c wait for a, which an agent holds');
    h.transition({ task_id: 'a', action: 'fail', lease_token: a.lease_token, error: 'tests red' });
    assert.equal(reason(), 'leased', 'b and c wait on a failed task; x is still held');
    h.transition({ task_id: 'x', action: 'complete', lease_token: x.lease_token });
    assert.equal(reason(), 'needs_a_person', 'b waits on a failed task, c through b: nobody but a person retries it');
    h.transition({ task_id: 'a', action: 'retry' });
    const again = h.claim({ agent_id: 'q' })!;
    assert.equal(again.id, 'a', 'retried, a is claimable again');
    assert.equal(reason(), 'dependencies');
    h.transition({ task_id: 'a', action: 'status', status: 'blocked', lease_token: again.lease_token });
    assert.equal(reason(), 'needs_a_person', 'a blocked dependency waits for a person too');
  });

  it('a new task depending on a task already done is claimable at once', () => {
    const h = new RunHarness();
    h.taskIn('done', { id: 'done-before' });
    h.createTasks([{ id: 'later', depends_on_task_ids: ['done-before'] }]);
    assert.equal(h.claim({ agent_id: 'a' })?.id, 'later');
  });

  it('a dependency listed twice counts once', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'a' }, { id: 'b', depends_on_task_ids: ['a', 'a'], priority: 1 }]);
    const a = h.claim({ agent_id: 'x' })!;
    h.transition({ task_id: 'a', action: 'complete', lease_token: a.lease_token });
    assert.equal(h.claim({ agent_id: 'x' })?.id, 'b');
  });

  it('next_retry_at_ms in the future blocks the task until that time', () => {
    const h = new RunHarness();
    // Only another writer sets a retry time ahead (the engine sets it to now); the fold takes it as it is.
    const [t] = h.createTasks([{ id: 'later', status: 'runnable' }]);
    const retryAt = T0 + 10_000;
    const rewritten: Task = { ...t, task_rev: 2, next_retry_at_ms: retryAt };
    h.commit([craftedTaskEvent(h, rewritten)]);
    h.ctx.now = retryAt - 1;
    assert.equal(h.claim({ agent_id: 'x' }), null);
    assert.equal(h.claim({ agent_id: 'x', task_id: 'later' }), null);
    h.ctx.now = retryAt;
    assert.equal(h.claim({ agent_id: 'x' })?.id, 'later', 'claimable once the time has come (≤ now)');
  });

  it('task_type and workflow_id filters are exact; a task without a workflow never matches a workflow filter', () => {
    const h = new RunHarness();
    h.createTasks([
      { id: 'build-wf1', task_type: 'build', workflow_id: 'wf1' },
      { id: 'build-none', task_type: 'build' },
      { id: 'Build-wf1', task_type: 'Build', workflow_id: 'wf1' },
      { id: 'test-wf2', task_type: 'test', workflow_id: 'wf2' },
      { id: 'test-wf1', task_type: 'test', workflow_id: 'wf1' },
    ]);
    assert.deepEqual(claimAll(h, { task_type: 'build', workflow_id: 'wf1' }), ['build-wf1']);
    assert.deepEqual(claimAll(h, { workflow_id: 'wf1' }), ['Build-wf1', 'test-wf1']);
    assert.deepEqual(claimAll(h, { task_type: 'build' }), ['build-none']);
    assert.deepEqual(claimAll(h, { workflow_id: 'WF2' }), []);
    assert.deepEqual(claimAll(h), ['test-wf2']);
  });

  it('the filter compares the normalized task_type of contract kinds', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'r', task_type: 'anything', payload: { task_kind: 'research' } }]);
    assert.equal(h.claim({ agent_id: 'a', task_type: 'anything' }), null);
    assert.equal(h.claim({ agent_id: 'a', task_type: 'research' })?.id, 'r');
  });
});

describe('claim: order', () => {
  it('priority descending, then created_ts ascending, then list order', () => {
    const h = new RunHarness();
    h.createTasks([
      { id: 'low-early', priority: -1 },
      { id: 'mid-1', priority: 0 },
      { id: 'mid-2', priority: 0 },
    ]);
    h.ctx.advance(1_000);
    h.createTasks([
      { id: 'high-late', priority: 5 },
      { id: 'mid-late', priority: 0 },
      { id: 'high-late-2', priority: 5 },
    ]);
    h.ctx.advance(1_000);
    h.createTasks([{ id: 'top-latest', priority: 100 }]);
    assert.deepEqual(claimAll(h), ['top-latest', 'high-late', 'high-late-2', 'mid-1', 'mid-2', 'mid-late', 'low-early']);
  });

  it('a requeued task keeps its place (created_ts and list order do not change)', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'first' }, { id: 'second' }, { id: 'third' }]);
    const first = h.claim({ agent_id: 'a' })!;
    const second = h.claim({ agent_id: 'a' })!;
    h.ctx.advance(5_000);
    h.transition({ task_id: 'second', action: 'release', lease_token: second.lease_token });
    h.transition({ task_id: 'first', action: 'release', lease_token: first.lease_token });
    assert.deepEqual(claimAll(h), ['first', 'second', 'third']);
  });

  it('a task whose dependency completes takes its place in the order', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'dep' }, { id: 'waiter', depends_on_task_ids: ['dep'], priority: 1 }, { id: 'other' }]);
    const dep = h.claim({ agent_id: 'a' })!;
    assert.equal(dep.id, 'dep');
    h.transition({ task_id: 'dep', action: 'complete', lease_token: dep.lease_token });
    assert.deepEqual(claimAll(h), ['waiter', 'other']);
  });

  it('a filtered-out task stays claimable for the next claim', () => {
    const h = new RunHarness();
    h.createTasks([
      { id: 'x', task_type: 'x', priority: 9 },
      { id: 'y', task_type: 'y' },
    ]);
    assert.equal(h.claim({ agent_id: 'a', task_type: 'y' })?.id, 'y');
    assert.equal(h.claim({ agent_id: 'a' })?.id, 'x');
  });
});

describe('claim by task_id', () => {
  it('claims that task even when another one ranks higher', () => {
    const h = new RunHarness();
    h.createTasks([
      { id: 'important', priority: 50 },
      { id: 'chosen', priority: -5 },
    ]);
    assert.equal(h.claim({ agent_id: 'a', task_id: ' chosen ' })?.id, 'chosen');
    assert.equal(h.task('important').status, 'pending');
  });

  it('an unknown task → TASK_NOT_FOUND {task_id}', () => {
    const h = new RunHarness();
    h.addTask({ id: 'exists' });
    expectDomainError(() => h.claim({ agent_id: 'a', task_id: 'missing' }), 'TASK_NOT_FOUND', { task_id: 'missing' });
  });

  it('a known task that is not claimable → no events', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'dep' }, { id: 'waits', depends_on_task_ids: ['dep'] }, { id: 'blocked', status: 'blocked' }]);
    h.taskIn('in_progress', { id: 'busy' });
    h.taskIn('done', { id: 'done' });
    h.taskIn('failed', { id: 'failed' });
    const seq = h.run.last_event_seq;
    for (const id of ['waits', 'blocked', 'busy', 'done', 'failed']) {
      assert.equal(h.claim({ agent_id: 'a', task_id: id }), null, id);
    }
    assert.equal(h.run.last_event_seq, seq);
  });
});

/** A task event as another process might append it (same shape as the engine's own). */
function craftedTaskEvent(h: RunHarness, task: Task): EventRecord {
  const seq = h.run.last_event_seq + 1;
  return {
    event_id: `evt-crafted-${seq}`,
    run_id: h.runId,
    seq,
    ts_ms: h.ctx.now,
    type: 'context.task.requeued',
    status: h.run.status,
    revision: h.run.revision + 1,
    task_id: task.id,
    payload: { task_id: task.id, task_rev: task.task_rev, task },
  };
}
