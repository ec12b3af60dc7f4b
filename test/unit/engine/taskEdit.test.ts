// Editing a task (issue 17, PROTOCOL.md §editTask; runs of format 3): fields set with creation's
// checks, a cycle or a leased task refused with nothing written, labels, and the fold of the edit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METHOD_PARAMS, parseParams } from '../../../contract/schemas/params';
import type { EventRecord } from '../../../contract/schemas/records';
import { decideEditTask } from '../../../server/src/engine/taskEdit';
import { expectDomainError, foldAll, pictureOf, RunHarness } from './harness';

function editTask(h: RunHarness, p: Record<string, unknown>): EventRecord[] {
  const params = parseParams(METHOD_PARAMS.editTask, { run_id: h.runId, ...p });
  return h.commit(h.decide((s, c) => decideEditTask(s, params, c)));
}

describe('editTask', () => {
  it('sets title, description, priority, dependencies, max attempts and labels; the event says what changed', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'a' }, { id: 'b' }, { id: 'c', payload: { title: 'Old', keep: 1 }, labels: ['docs'] }]);
    const [e] = editTask(h, {
      task_id: 'c',
      title: 'New title',
      priority: 3,
      depends_on_task_ids: ['a', 'b', 'a'],
      max_attempts: 5,
      labels: ['docs', 'release'],
      agent_id: 'me',
    });
    assert.equal(e.type, 'context.task.edited');
    assert.deepEqual((e.payload as { changes: string[] }).changes, [
      'payload',
      'priority',
      'max_attempts',
      'depends_on_task_ids',
      'labels',
    ]);
    const c = h.task('c');
    assert.deepEqual(
      [c.payload, c.priority, c.depends_on_task_ids, c.max_attempts, c.labels, c.task_rev],
      [{ title: 'New title', keep: 1 }, 3, ['a', 'b'], 5, ['docs', 'release'], 2],
    );
    assert.deepEqual(editTask(h, { task_id: 'c', payload: { keep: null } }).length, 1);
    assert.deepEqual(h.task('c').payload, { title: 'New title' }, 'null removes a payload key');
    editTask(h, { task_id: 'c', description: 'Some words' });
    editTask(h, { task_id: 'c', description: '  ' });
    assert.deepEqual(h.task('c').payload, { title: 'New title' }, 'a blank description removes it');
    assert.deepEqual(editTask(h, { task_id: 'c', priority: 3 }), [], 'an edit that changes nothing writes nothing');
    assert.deepEqual(pictureOf(foldAll(h.runId, h.log)), pictureOf(h.state), 'a load from the log agrees');
  });

  it("a done task's dependencies are not edited (it waits on nothing); its title still is", () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'a' }]);
    h.taskIn('done', { id: 'd' });
    const before = h.log.length;
    const e = expectDomainError(() => editTask(h, { task_id: 'd', depends_on_task_ids: ['a'] }), 'TASK_TRANSITION_INVALID', {
      current_status: 'done',
    });
    assert.match(e.message, /^Task d is done: it waits on nothing, so its dependencies are not edited/);
    assert.equal(h.log.length, before);
    editTask(h, { task_id: 'd', title: 'Renamed' });
    assert.equal((h.task('d').payload as { title?: string }).title, 'Renamed');
  });

  it('an edit that would close a dependency cycle, or names an unknown task, is refused and writes nothing', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'a' }, { id: 'b', depends_on_task_ids: ['a'] }, { id: 'c', depends_on_task_ids: ['b'] }]);
    const before = h.log.length;
    expectDomainError(() => editTask(h, { task_id: 'a', depends_on_task_ids: ['c'] }), 'TASK_DEPENDENCY_CYCLE');
    const self = expectDomainError(() => editTask(h, { task_id: 'a', depends_on_task_ids: ['a'] }), 'TASK_DEPENDENCY_CYCLE');
    assert.equal(self.message, 'Task a cannot wait for itself.');
    expectDomainError(() => editTask(h, { task_id: 'a', depends_on_task_ids: ['ghost'] }), 'TASK_DEPENDENCY_UNKNOWN');
    assert.equal(h.log.length, before);
  });

  it('a task under a live lease needs its token, or force; a stale rev is refused', () => {
    const h = new RunHarness();
    const t = h.taskIn('in_progress', { id: 'busy' });
    expectDomainError(() => editTask(h, { task_id: 'busy', priority: 1 }), 'TASK_LEASE_REQUIRED');
    expectDomainError(() => editTask(h, { task_id: 'busy', priority: 1, lease_token: 'lease-other' }), 'TASK_LEASE_INVALID');
    editTask(h, { task_id: 'busy', priority: 1, lease_token: t.lease_token });
    editTask(h, { task_id: 'busy', priority: 2, force: true });
    assert.equal(h.task('busy').priority, 2);
    assert.equal(h.task('busy').lease_token, t.lease_token, 'the lease is not touched');
    expectDomainError(() => editTask(h, { task_id: 'busy', priority: 4, force: true, expected_task_rev: 1 }), 'TASK_REV_MISMATCH');
  });

  it('max_attempts below the attempts used is TASK_ATTEMPTS_EXHAUSTED: attempts never read more than their maximum', () => {
    const h = new RunHarness();
    h.addTask({ id: 'b' });
    for (let i = 0; i < 2; i++) {
      const t = h.claim({ agent_id: 'a', task_id: 'b' })!;
      h.transition({ task_id: 'b', action: 'fail', lease_token: t.lease_token, error: 'red' });
      h.transition({ task_id: 'b', action: 'retry' });
    }
    assert.equal(h.task('b').attempt, 2);
    // Runnable, or in progress: the try to come counts too.
    const refused = expectDomainError(() => editTask(h, { task_id: 'b', max_attempts: 2 }), 'TASK_ATTEMPTS_EXHAUSTED', {
      attempt: 2,
      max_attempts: 2,
    });
    assert.equal(refused.message, 'Task b has used 2 attempts and is runnable, to be tried again: max_attempts cannot be set below 3.');
    const t = h.claim({ agent_id: 'a', task_id: 'b' })!;
    expectDomainError(() => editTask(h, { task_id: 'b', max_attempts: 2, lease_token: t.lease_token }), 'TASK_ATTEMPTS_EXHAUSTED');
    editTask(h, { task_id: 'b', max_attempts: 3, lease_token: t.lease_token });
    h.transition({ task_id: 'b', action: 'fail', lease_token: t.lease_token, error: 'red' });
    assert.deepEqual([h.task('b').attempt, h.task('b').max_attempts], [3, 3], 'the last try used: 3/3, never 3/2');
    // Failed: as many as were used is the floor (it is then out of attempts).
    const failed = expectDomainError(() => editTask(h, { task_id: 'b', max_attempts: 2 }), 'TASK_ATTEMPTS_EXHAUSTED');
    assert.equal(failed.message, 'Task b has used 3 attempts: max_attempts cannot be set below 3.');
  });

  it('runs of an older format take no edits and no labels (RUN_FORMAT_TOO_OLD)', () => {
    const h = new RunHarness({ format1: true });
    h.addTask({ id: 'a' });
    expectDomainError(() => editTask(h, { task_id: 'a', priority: 1 }), 'RUN_FORMAT_TOO_OLD');
    expectDomainError(() => h.addTask({ id: 'b', labels: ['x'] }), 'RUN_FORMAT_TOO_OLD');
  });

  it('an edit naming nothing of a task made without a payload writes nothing (it made the payload {})', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'bare' }]);
    assert.equal(h.task('bare').payload, null);
    assert.deepEqual(editTask(h, { task_id: 'bare' }), []);
    assert.deepEqual(editTask(h, { task_id: 'bare', labels: [] }), [], 'no labels either way');
    assert.equal(h.task('bare').payload, null);
  });

  it('a task in progress is not made to wait on a task not done (it would finish first); released, it is', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'migrate' }, { id: 'old', status: 'runnable' }]);
    h.taskIn('done', { id: 'built' });
    h.addTask({ id: 'deploy', status: 'runnable' });
    const token = h.claim({ agent_id: 'a', task_id: 'deploy' })!.lease_token;
    const before = h.log.length;
    const e = expectDomainError(
      () => editTask(h, { task_id: 'deploy', depends_on_task_ids: ['migrate'], force: true }),
      'TASK_TRANSITION_INVALID',
      {
        current_status: 'in_progress',
        depends_on: ['migrate'],
      },
    );
    assert.match(e.message, /^Task deploy is in progress: it cannot wait on migrate, not done yet\. Release or requeue it first/);
    assert.equal(h.log.length, before);
    editTask(h, { task_id: 'deploy', depends_on_task_ids: ['built'], lease_token: token });
    assert.deepEqual(h.task('deploy').depends_on_task_ids, ['built'], 'a done one is no wait');
    h.transition({ task_id: 'deploy', action: 'release', lease_token: token });
    editTask(h, { task_id: 'deploy', depends_on_task_ids: ['built', 'migrate'] });
    assert.equal(h.claim({ agent_id: 'a', task_id: 'deploy' }), null, 'released, it waits on migrate');
  });
});
