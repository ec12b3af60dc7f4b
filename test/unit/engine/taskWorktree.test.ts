// Recording a task's git worktree (PROTOCOL.md §setTaskWorktree; runs of format 5): the holder of a
// live lease needs its token, anyone may record it otherwise; older runs refuse it; the fold of the
// log agrees with the live state.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METHOD_PARAMS, parseParams } from '../../../contract/schemas/params';
import { decideSetWorktree } from '../../../server/src/engine/taskWorktree';
import { expectDomainError, foldAll, pictureOf, RunHarness } from './harness';

const WT = { path: '/repo.worktrees/r/a', branch: 'runboard/r/a', base: 'main', state: 'active' as const };

function record(h: RunHarness, p: Record<string, unknown>) {
  const params = parseParams(METHOD_PARAMS.setTaskWorktree, { run_id: h.runId, task_id: 'a', worktree: WT, ...p });
  return h.commit(h.decide((s, c) => decideSetWorktree(s, params, c)));
}

describe('setTaskWorktree', () => {
  it('the lease holder records it; then, the task done, anyone settles it; the fold agrees', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'a' }]);
    const claimed = h.claim({ agent_id: 'ann', task_id: 'a' })!;
    const required = expectDomainError(() => record(h, {}), 'TASK_LEASE_REQUIRED');
    assert.match(required.message, /give its lease token, or force to record a worktree on it anyway\.$/);
    // A relative path names another folder from every other place: refused by name.
    for (const path of ['rel/dir', '../../etc', 'C:relative']) {
      assert.throws(
        () => parseParams(METHOD_PARAMS.setTaskWorktree, { run_id: h.runId, task_id: 'a', worktree: { ...WT, path } }),
        /worktree\.path: must be an absolute path/,
        path,
      );
    }
    for (const path of ['C:\\work\\wt', 'D:/wt', '\\\\server\\share\\wt'])
      parseParams(METHOD_PARAMS.setTaskWorktree, { run_id: h.runId, task_id: 'a', worktree: { ...WT, path } });
    // A person records it on a task another holds with force (offered by the refusal, refused as unknown until this change).
    const forced = new RunHarness();
    forced.createTasks([{ id: 'a' }]);
    forced.claim({ agent_id: 'bob', task_id: 'a' });
    record(forced, { force: true });
    assert.deepEqual(forced.task('a').worktree, WT);
    const [e] = record(h, { lease_token: claimed.lease_token });
    assert.equal(e.type, 'context.task.worktree');
    assert.deepEqual(h.task('a').worktree, WT);
    assert.equal(h.task('a').task_rev, claimed.task_rev + 1);
    h.transition({ task_id: 'a', action: 'complete', lease_token: claimed.lease_token });
    record(h, { worktree: { ...WT, state: 'kept', note: 'uncommitted changes' } });
    assert.deepEqual(h.task('a').worktree, { ...WT, state: 'kept', note: 'uncommitted changes' });
    assert.equal(h.task('a').status, 'done');
    assert.deepEqual(pictureOf(foldAll(h.runId, h.log)), pictureOf(h.state));
  });

  it('complete with if_no_worktree: refused (WORKTREE_ACTIVE, nothing written) while the worktree is active, after the lease is checked', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'a' }, { id: 'plain' }]);
    const claimed = h.claim({ agent_id: 'ann', task_id: 'a' })!;
    record(h, { lease_token: claimed.lease_token });
    expectDomainError(
      () => h.transition({ task_id: 'a', action: 'complete', lease_token: 'lease-wrong', if_no_worktree: true }),
      'TASK_LEASE_INVALID',
    );
    const before = h.log.length;
    const active = expectDomainError(
      () => h.transition({ task_id: 'a', action: 'complete', lease_token: claimed.lease_token, if_no_worktree: true }),
      'WORKTREE_ACTIVE',
      { task_id: 'a', path: WT.path, branch: WT.branch },
    );
    assert.match(active.message, /^Task a has an active worktree, \/repo\.worktrees\/r\/a: look at it before completing the task\.$/);
    assert.equal(h.log.length, before, 'nothing written');
    h.transition({ task_id: 'a', action: 'complete', lease_token: claimed.lease_token });
    assert.equal(h.task('a').status, 'done');
    // A task without a worktree is completed in that one call.
    const plain = h.claim({ agent_id: 'ann', task_id: 'plain' })!;
    h.transition({ task_id: 'plain', action: 'complete', lease_token: plain.lease_token, if_no_worktree: true });
    assert.equal(h.task('plain').status, 'done');
  });

  it('a run of format 4 refuses it (RUN_FORMAT_TOO_OLD)', () => {
    const h = new RunHarness({ format: 4 });
    h.createTasks([{ id: 'a' }]);
    expectDomainError(() => record(h, {}), 'RUN_FORMAT_TOO_OLD');
  });
});
