// What needs a person tells one occurrence from the next by when a task entered its status
// (`status_since_ms`, set by the engine on every status change), not by its revision: an edit of a
// failed task, a label on a cancelled dependency, a cancelled task renamed — none is a new
// occurrence, so the editor does not say it again, and `since_ms` stays when it happened. The
// next failure is a new one. Real decisions, folded, then attentionOf.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attentionOf, type AttentionItem } from '../../../contract/attention';
import { METHOD_PARAMS, parseParams } from '../../../contract/schemas/params';
import { decideEditTask } from '../../../server/src/engine/taskEdit';
import { foldAll, pictureOf, RunHarness } from './harness';

function items(h: RunHarness): AttentionItem[] {
  return attentionOf('/root', { ...h.run, tasks: h.run.tasks }, h.blackboard, h.ctx.now);
}

/** The one item of `kind`: its key and since when (its title may follow an edit). */
function only(h: RunHarness, kind: string): Pick<AttentionItem, 'key' | 'since_ms'> {
  const found = items(h).filter((i) => i.kind === kind);
  assert.equal(found.length, 1, `${kind}: ${JSON.stringify(items(h))}`);
  return { key: found[0].key, since_ms: found[0].since_ms };
}

function edit(h: RunHarness, p: Record<string, unknown>): void {
  const params = parseParams(METHOD_PARAMS.editTask, { run_id: h.runId, ...p });
  assert.equal(h.commit(h.decide((s, c) => decideEditTask(s, params, c))).length, 1, 'the edit wrote its event');
}

describe('attention occurrences', () => {
  it('a failed task edited is the same item, from when it failed; failing again is a new one', () => {
    const h = new RunHarness();
    h.taskIn('failed', { id: 'a' });
    const failedAt = h.ctx.now;
    const first = only(h, 'task_failed');
    assert.equal(first.since_ms, failedAt);
    h.ctx.advance(60_000);
    edit(h, { task_id: 'a', priority: 5, description: 'Try the other API' });
    assert.deepEqual(only(h, 'task_failed'), first, 'an edit is no new occurrence');
    h.ctx.advance(1_000);
    h.transition({ task_id: 'a', action: 'retry' });
    const claimed = h.claim({ agent_id: 'b', task_id: 'a' })!;
    h.transition({ task_id: 'a', action: 'fail', lease_token: claimed.lease_token, error: 'again' });
    const second = only(h, 'task_failed');
    assert.notEqual(second.key, first.key);
    assert.equal(second.since_ms, h.ctx.now);
    assert.deepEqual(pictureOf(foldAll(h.runId, h.log)), pictureOf(h.state), 'a load from the log agrees');
  });

  it('a blocked task unblocked and blocked again is a new item; edited, the same', () => {
    const h = new RunHarness();
    h.addTask({ id: 'a', status: 'runnable' });
    const token = h.claim({ agent_id: 'x', task_id: 'a' })!.lease_token;
    h.transition({ task_id: 'a', action: 'status', status: 'blocked', lease_token: token, error: 'needs a key' });
    const first = only(h, 'task_blocked');
    h.ctx.advance(1_000);
    edit(h, { task_id: 'a', labels: ['infra'] });
    assert.deepEqual(only(h, 'task_blocked'), first);
    h.transition({ task_id: 'a', action: 'status', status: 'runnable' });
    h.ctx.advance(1_000);
    const again = h.claim({ agent_id: 'x', task_id: 'a' })!.lease_token;
    h.transition({ task_id: 'a', action: 'status', status: 'blocked', lease_token: again, error: 'needs a key' });
    assert.notEqual(only(h, 'task_blocked').key, first.key);
  });

  it('a label on a cancelled dependency, or a cancelled task renamed, is no new occurrence', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'dep' }, { id: 'after', depends_on_task_ids: ['dep'] }]);
    h.cancel({ task_id: 'dep', reason: 'not needed' });
    const waiting = only(h, 'dependency_cancelled');
    h.ctx.advance(1_000);
    edit(h, { task_id: 'dep', labels: ['dropped'] });
    assert.deepEqual(only(h, 'dependency_cancelled'), waiting);

    const w = new RunHarness();
    w.taskIn('done', { id: 'a' });
    w.taskIn('cancelled', { id: 'b' });
    const done = only(w, 'run_work_done');
    w.ctx.advance(1_000);
    edit(w, { task_id: 'b', title: 'Renamed' });
    assert.deepEqual(only(w, 'run_work_done'), done);
    // Reopened and cancelled again: another time every task is finished.
    w.requeue({ task_id: 'b' });
    w.ctx.advance(1_000);
    w.cancel({ task_id: 'b', reason: 'again' });
    assert.notEqual(only(w, 'run_work_done').key, done.key);
  });
});
