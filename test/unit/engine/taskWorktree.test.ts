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
    expectDomainError(() => record(h, {}), 'TASK_LEASE_REQUIRED');
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

  it('a run of format 4 refuses it (RUN_FORMAT_TOO_OLD)', () => {
    const h = new RunHarness({ format: 4 });
    h.createTasks([{ id: 'a' }]);
    expectDomainError(() => record(h, {}), 'RUN_FORMAT_TOO_OLD');
  });
});
