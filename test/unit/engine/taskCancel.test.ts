// Cancelling tasks (issue 17, PROTOCOL.md §cancelTask; runs of format 4): the status, who and why,
// dependents that wait or are cancelled with it, the lease holder told to stop, reopening by
// requeue, and how cancelled tasks count for a run's completion and for "nothing to claim".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedActions, waitReasons } from '../../../contract/taskRules';
import { whyNothingToClaim } from '../../../server/src/engine/taskClaim';
import { EventBuilder } from '../../../server/src/engine/eventBuilder';
import { EVENT } from '../../../contract/events';
import { expectDomainError, foldAll, pictureOf, RunHarness, T0 } from './harness';

describe('cancelTask', () => {
  it('cancels with who and why; dependents wait with "dependency cancelled"; the fold of the log agrees', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'a' }, { id: 'b', depends_on_task_ids: ['a'] }, { id: 'c', depends_on_task_ids: ['b'] }]);
    const [e] = h.cancel({ task_id: 'a', reason: 'not needed', agent_id: 'ann' });
    assert.equal(e.type, 'context.task.cancelled');
    assert.deepEqual((e.payload as Record<string, unknown>).reason, 'not needed');
    const a = h.task('a');
    assert.equal(a.status, 'cancelled');
    assert.deepEqual(a.cancelled, { at_ms: T0, by: 'ann', reason: 'not needed' });
    assert.equal(a.attempt, 0, 'a cancel is no attempt');
    assert.deepEqual(waitReasons(h.task('b'), h.run, h.state.tasks, T0), [{ kind: 'dependency_cancelled', ids: ['a'] }]);
    assert.deepEqual(waitReasons(a, h.run, h.state.tasks, T0), [
      { kind: 'cancelled', cancellation: { at_ms: T0, by: 'ann', reason: 'not needed' } },
    ]);
    assert.equal(h.claim({ agent_id: 'x' }), null);
    assert.deepEqual(whyNothingToClaim(h.state, { agent_id: 'x' }, T0), { reason: 'needs_a_person' }, 'b and c wait for a person');
    assert.deepEqual(pictureOf(foldAll(h.runId, h.log)), pictureOf(h.state));
  });

  it('cascade cancels every unfinished task that waits on it, directly or not, in one commit', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'a' }, { id: 'b', depends_on_task_ids: ['a'] }, { id: 'c', depends_on_task_ids: ['b'] }, { id: 'd' }]);
    const events = h.cancel({ task_id: 'a', reason: 'scope cut', cascade: true });
    assert.deepEqual(
      events.map((e) => [e.task_id, (e.payload as { cascade_from?: string }).cascade_from]),
      [
        ['a', undefined],
        ['b', 'a'],
        ['c', 'a'],
      ],
    );
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((id) => h.task(id).status),
      ['cancelled', 'cancelled', 'cancelled', 'pending'],
    );
    assert.equal(h.task('c').cancelled?.reason, 'scope cut');
    assert.equal(h.claim({ agent_id: 'x' })?.id, 'd', 'the rest of the run goes on');
  });

  it('a leased task needs its token or force; the holder then hears TASK_CANCELLED; a leased dependent needs force', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 'busy' });
    assert.match(expectDomainError(() => h.cancel({ task_id: 'busy' }), 'TASK_LEASE_REQUIRED').message, /force to cancel it anyway/);
    expectDomainError(() => h.cancel({ task_id: 'busy', lease_token: 'lease-other' }), 'TASK_LEASE_INVALID');
    const [e] = h.cancel({ task_id: 'busy', force: true, reason: 'wrong approach', agent_id: 'boss' });
    assert.equal((e.payload as { forced?: boolean }).forced, true);
    assert.equal(h.task('busy').lease_token, undefined);
    for (const action of ['heartbeat', 'complete'] as const) {
      expectDomainError(() => h.transition({ task_id: 'busy', action, lease_token: t.lease_token }), 'TASK_CANCELLED', {
        cancelled_by: 'boss',
        reason: 'wrong approach',
      });
    }
    expectDomainError(() => h.transition({ action: 'complete', lease_token: t.lease_token }), 'TASK_CANCELLED');
    // A person's retry is told what brings it back, not to stop working on it.
    assert.equal(
      expectDomainError(() => h.transition({ task_id: 'busy', action: 'retry' }), 'TASK_CANCELLED').message,
      'Task busy was cancelled by boss: wrong approach. A requeue reopens it; retry is for failed and blocked tasks.',
    );
    // Reopened, the task no longer says it was cancelled: the holder hears its lease was revoked by that cancel, not that it ran out.
    h.requeue({ task_id: 'busy' });
    const revoked = expectDomainError(
      () => h.transition({ task_id: 'busy', action: 'heartbeat', lease_token: t.lease_token }),
      'TASK_LEASE_EXPIRED',
      {
        reason: 'revoked by cancel',
        revoked_by: 'boss',
        revoke_reason: 'wrong approach',
      },
    );
    assert.equal(revoked.message, 'Your lease on task busy was revoked by a cancel by boss: wrong approach. Claim the task again.');

    const own = new RunHarness();
    const mine = own.taskIn('in_progress', { id: 'mine' });
    own.cancel({ task_id: 'mine', lease_token: mine.lease_token });
    assert.equal(own.task('mine').status, 'cancelled', 'the holder withdraws its own task with its token');
    assert.equal(own.task('mine').last_lease_revoked, undefined, 'withdrawn by its holder: nothing was taken from anyone');

    const dep = new RunHarness();
    dep.addTask({ id: 'root' });
    dep.taskIn('in_progress', { id: 'child' });
    // Dependencies edited onto a task in progress (as Runboard allowed until editTask refused it):
    // the cascade reaches a live lease. The edit event as it was written then.
    dep.commit(
      dep.decide((s, c) => {
        const child = { ...s.tasks.get('child')!, depends_on_task_ids: ['root'], task_rev: s.tasks.get('child')!.task_rev + 1 };
        const b = new EventBuilder(s, c);
        b.add({
          type: EVENT.taskEdited,
          status: s.header.status,
          task_id: 'child',
          payload: { task_id: 'child', task_rev: child.task_rev, changes: ['depends_on_task_ids'], task: child },
        });
        return b.events;
      }),
    );
    const before = dep.log.length;
    expectDomainError(() => dep.cancel({ task_id: 'root', cascade: true }), 'TASK_LEASE_ACTIVE', { task_id: 'child' });
    assert.equal(dep.log.length, before, 'nothing written');
    assert.equal(dep.cancel({ task_id: 'root', cascade: true, force: true }).length, 2);
  });

  it('done is never cancelled; a cancelled task is left as it is; cancelled tasks are not moved by status', () => {
    const h = new RunHarness();
    h.taskIn('done', { id: 'done' });
    expectDomainError(() => h.cancel({ task_id: 'done' }), 'TASK_TRANSITION_INVALID');
    h.taskIn('cancelled', { id: 'gone' });
    assert.deepEqual(h.cancel({ task_id: 'gone' }), [], 'cancelling again writes nothing');
    expectDomainError(() => h.transition({ task_id: 'gone', action: 'status', status: 'runnable' }), 'TASK_CANCELLED');
    h.addTask({ id: 'open', status: 'runnable' });
    expectDomainError(() => h.transition({ task_id: 'open', action: 'status', status: 'cancelled' }), 'TASK_TRANSITION_INVALID');
    assert.deepEqual(allowedActions(h.task('gone'), h.run, h.state.tasks, T0, false), ['requeue', 'edit']);
    assert.ok(allowedActions(h.task('open'), h.run, h.state.tasks, T0, false).includes('cancel'));
  });

  it('a requeue reopens a cancelled task, recorded, and its dependents can go on', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'a' }, { id: 'b', depends_on_task_ids: ['a'] }]);
    h.cancel({ task_id: 'a', reason: 'oops' });
    const e = h.requeue({ task_id: 'a', reason: 'needed after all' });
    assert.equal((e.payload as { reopened?: boolean }).reopened, true);
    assert.equal(h.task('a').status, 'runnable');
    assert.equal(h.task('a').cancelled, undefined);
    assert.deepEqual(
      waitReasons(h.task('b'), h.run, h.state.tasks, T0).map((r) => r.kind),
      ['dependencies'],
    );
    assert.equal(h.claim({ agent_id: 'x' })?.id, 'a');
  });

  it('a requeue with cascade reopens the tasks the cancel took along, and only those; the fold of the log agrees', () => {
    const h = new RunHarness();
    h.createTasks([
      { id: 'a' },
      { id: 'b', depends_on_task_ids: ['a'] },
      { id: 'c', depends_on_task_ids: ['b'] },
      { id: 'own', depends_on_task_ids: ['a'] },
      { id: 'x' },
      { id: 'y', depends_on_task_ids: ['x'] },
    ]);
    // own is cancelled on its own first; x's cascade takes y; a's takes b and c.
    h.cancel({ task_id: 'own', reason: 'separately' });
    h.cancel({ task_id: 'x', reason: 'other', cascade: true });
    h.cancel({ task_id: 'a', reason: 'scope cut', cascade: true });
    const events = h.requeueAll({ task_id: 'a', reason: 'back in scope', cascade: true });
    assert.deepEqual(
      events.map((e) => {
        const p = e.payload as { reopened?: boolean; cascade_from?: string };
        return [e.type, e.task_id, p.reopened, p.cascade_from];
      }),
      [
        ['context.task.requeued', 'a', true, undefined],
        ['context.task.requeued', 'b', true, 'a'],
        ['context.task.requeued', 'c', true, 'a'],
      ],
    );
    assert.deepEqual(
      ['a', 'b', 'c', 'own', 'x', 'y'].map((id) => h.task(id).status),
      ['runnable', 'runnable', 'runnable', 'cancelled', 'cancelled', 'cancelled'],
    );
    assert.equal(h.task('c').cancelled, undefined);
    assert.equal(h.task('c').last_error, 'back in scope');
    assert.deepEqual(pictureOf(foldAll(h.runId, h.log)), pictureOf(h.state));
    // Nothing left that went with it: a second cascade reopens only the task named.
    assert.equal(h.requeueAll({ task_id: 'a', cascade: true }).length, 1);
    // Without cascade, as before: the task alone.
    assert.equal(h.requeueAll({ task_id: 'x' }).length, 1);
    assert.equal(h.task('y').status, 'cancelled');
  });

  it('auto_finish completes the run when no task is open and one is done — a cancel can be that commit', () => {
    const h = new RunHarness({ create: { auto_finish: true } });
    const t = h.taskIn('in_progress', { id: 'a' });
    h.addTask({ id: 'b' });
    h.transition({ task_id: 'a', action: 'complete', lease_token: t.lease_token });
    assert.equal(h.run.status, 'queued');
    const events = h.cancel({ task_id: 'b', reason: 'not needed' });
    assert.deepEqual(
      events.map((e) => e.type),
      ['context.task.cancelled', 'run_completed'],
    );
    assert.equal(h.run.status, 'completed');
    assert.match(h.run.why_next_step ?? '', /done or cancelled/);

    const none = new RunHarness({ create: { auto_finish: true } });
    none.addTask({ id: 'only' });
    none.cancel({ task_id: 'only' });
    assert.equal(none.run.status, 'queued', 'a run whose every task was cancelled waits for a person');
    assert.deepEqual(whyNothingToClaim(none.state, { agent_id: 'x' }, T0), { reason: 'all_done' });
  });

  it('runs of an older format cannot cancel (RUN_FORMAT_TOO_OLD)', () => {
    const h = new RunHarness({ format: 3 });
    h.addTask({ id: 'a' });
    expectDomainError(() => h.cancel({ task_id: 'a' }), 'RUN_FORMAT_TOO_OLD', { format: 3, needed: 4 });
  });
});
