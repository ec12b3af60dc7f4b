// The client's pure presentation rules: card titles, countdowns, why a task waits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunStatus } from '../../../contract/statuses';
import type { RunRecord, Task } from '../../../contract/schemas/records';
import { waitTexts } from '../../../client/src/runs/taskActions';
import { formatDuration, formatSpan, worktreeText, leaseText, taskAgent, taskDescription, taskTitle } from '../../../contract/taskText';
import { taskRecord } from './taskRecord';

const task = taskRecord;

describe('taskTitle', () => {
  it('prefers payload.title, then payload.description, then type and id', () => {
    assert.equal(taskTitle(task({ payload: { title: 'T', description: 'D' } })), 'T');
    assert.equal(taskTitle(task({ payload: { title: '  ', description: 'D' } })), 'D');
    assert.equal(taskTitle(task({ payload: null })), 'research t1');
    assert.equal(taskTitle(task({ payload: ['x'] })), 'research t1');
  });
  it('keeps markup as plain characters and cuts at the first line', () => {
    assert.equal(taskTitle(task({ payload: { title: '<img src=x onerror=alert(1)>\nmore' } })), '<img src=x onerror=alert(1)>');
  });
});

describe('countdowns', () => {
  it('formats seconds, minutes and hours', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(1), '1s');
    assert.equal(formatDuration(59_000), '59s');
    assert.equal(formatDuration(65_000), '1m 05s');
    assert.equal(formatDuration(3_720_000), '1h 02m');
    // A measured span keeps what a second would hide.
    assert.equal(formatSpan(0), '0ms');
    assert.equal(formatSpan(340.4), '340ms');
    assert.equal(formatSpan(4_299), '4.2s');
    assert.equal(formatSpan(65_000), '1m 05s');
    // Measured spans are whole seconds taken, not a countdown's seconds left (52.01 s was "53s").
    assert.equal(formatSpan(52_010), '52s');
    assert.equal(formatSpan(65_999), '1m 05s');
    assert.equal(formatDuration(52_010), '53s', 'a countdown says the part second left');
  });
  it('says when a lease expired', () => {
    assert.equal(leaseText(task({ lease_expires_at_ms: 10_000 }), 20_000), 'lease expired');
    assert.equal(leaseText(task({ lease_expires_at_ms: 30_000 }), 20_000), 'lease 10s');
    assert.equal(leaseText(task({}), 20_000), undefined);
  });
  it('describes owner, lease and attempts for the tree', () => {
    assert.equal(taskDescription(task({ lease_owner: 'a', lease_expires_at_ms: 5_000, attempt: 1 }), 0), 'a · lease 5s · failed 1/3');
    assert.equal(taskDescription(task({ lease_owner: 'a' }), 0), 'a', 'no failures: nothing said of them');
  });
});

describe('why a task waits, in words', () => {
  const now = 1_000_000;
  /** The reasons for `t` in a run of `others` and `t`. */
  const waitReasons = (t: Task, others: Map<string, Task>, at: number, status: RunStatus = 'running') =>
    waitTexts({ status, tasks: [...others.values(), ...(others.has(t.id) ? [] : [t])] } as RunRecord, t, at);
  it('names unfinished and missing dependencies with their status', () => {
    const a = task({ id: 'a', status: 'done' });
    const b = task({ id: 'b', status: 'in_progress' });
    const c = task({ id: 'c', depends_on_task_ids: ['a', 'b', 'zz'] });
    const byId = new Map([a, b, c].map((t) => [t.id, t]));
    assert.deepEqual(waitReasons(c, byId, now), ['waits for b (in progress), zz (missing)']);
  });
  it('gives the retry time when it is in the future', () => {
    const t = task({ status: 'runnable', next_retry_at_ms: now + 30_000 });
    const [reason] = waitReasons(t, new Map(), now);
    assert.match(reason, /^retry at .* \(in 30s\)$/);
    assert.deepEqual(waitReasons(task({ status: 'runnable', next_retry_at_ms: now - 1 }), new Map(), now), []);
  });
  it('says who holds a lease until when, and that an expired one will be requeued', () => {
    const live = task({ status: 'in_progress', lease_owner: 'bot', lease_expires_at_ms: now + 5_000 });
    assert.match(waitReasons(live, new Map(), now)[0], /^lease held by bot until .* \(5s left\)$/);
    const stale = task({ status: 'in_progress', lease_owner: 'bot', lease_expires_at_ms: now - 5_000 });
    assert.match(waitReasons(stale, new Map(), now)[0], /expired at .*; it will be requeued$/);
  });
  it('explains blocked and failed tasks; a claimable task has no reason', () => {
    assert.deepEqual(waitReasons(task({ status: 'blocked', last_error: 'needs input' }), new Map(), now), ['blocked: needs input']);
    assert.deepEqual(waitReasons(task({ status: 'failed', attempt: 3, max_attempts: 3 }), new Map(), now), [
      'failed, attempts exhausted (3/3)',
    ]);
    assert.deepEqual(waitReasons(task({ status: 'failed', attempt: 1 }), new Map(), now), [
      'failed (1 of 3 attempts used); retry it to run again',
    ]);
    assert.deepEqual(waitReasons(task({}), new Map(), now), []);
  });
  it('says a finished run takes no claims', () => {
    assert.deepEqual(waitReasons(task({}), new Map(), now, 'completed'), ['the run is completed: nothing can be claimed']);
  });

  it('a task worktree: where, which branch, kept or removed, and for a done task whether it was merged', () => {
    const wt = { path: '/r.worktrees/run/a', branch: 'runboard/run/a', base: 'main', state: 'active' as const };
    assert.equal(worktreeText({ status: 'in_progress' }), undefined);
    assert.equal(worktreeText({ status: 'in_progress', worktree: wt }), 'worktree /r.worktrees/run/a · branch runboard/run/a');
    assert.equal(
      worktreeText({ status: 'done', worktree: { ...wt, state: 'kept', note: 'uncommitted changes' } }),
      'worktree /r.worktrees/run/a · branch runboard/run/a · kept: uncommitted changes · not merged yet',
    );
    assert.equal(
      worktreeText({ status: 'done', worktree: { ...wt, state: 'removed', merged_into: 'main' } }),
      'worktree /r.worktrees/run/a · branch runboard/run/a · removed · merged into main',
    );
  });
});

describe('the agent a view names for a task (taskAgent)', () => {
  it('the holder; else who left it done, failed or blocked; none for a task waiting to be claimed again', () => {
    assert.equal(taskAgent(taskRecord({ status: 'in_progress', lease_owner: 'a2', assigned_agent: 'a2' })), 'a2');
    for (const status of ['done', 'failed', 'blocked'] as const)
      assert.equal(taskAgent(taskRecord({ status, assigned_agent: 'a1' })), 'a1', status);
    // Released or requeued: assigned_agent still names the last holder, who no longer has it.
    for (const status of ['pending', 'runnable', 'cancelled'] as const)
      assert.equal(taskAgent(taskRecord({ status, assigned_agent: 'a1' })), undefined, status);
  });
});
