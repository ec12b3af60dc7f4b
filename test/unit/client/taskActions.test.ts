// What a task offers in the editor through the contract's allowedActions: Cancel only in runs of
// format 4 (the engine refuses it before), and a cancelled task's reopening.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as vscode from 'vscode';
import type { RunRecord, Task } from '../../../contract/schemas/records';
import { LeaseTokens } from '../../../client/src/runs/leaseTokens';
import { offeredActions } from '../../../client/src/runs/taskActions';

const leases = new LeaseTokens({
  get: (_k: string, fallback?: unknown) => fallback,
  update: async () => undefined,
} as unknown as vscode.Memento);

function task(id: string, status: Task['status'], after: string[] = []): Task {
  return { id, status, depends_on_task_ids: after, attempt: 0, max_attempts: 3, updated_ts: 0 } as unknown as Task;
}

function run(tasks: Task[], format?: number): RunRecord {
  return { run_id: 'r', status: 'running', tasks, ...(format ? { format } : {}) } as unknown as RunRecord;
}

const ref = (id: string) => ({ root: '/w', run_id: 'r', task_id: id });

describe('offeredActions', () => {
  it('offers cancel on an unfinished task of a run of format 4, not of older runs', () => {
    const t = task('a', 'pending');
    assert.ok(offeredActions(run([t], 4), t, ref('a'), leases).includes('cancel'));
    assert.ok(!offeredActions(run([t], 3), t, ref('a'), leases).includes('cancel'));
    assert.ok(!offeredActions(run([t]), t, ref('a'), leases).includes('cancel'));
  });

  it('offers a cancelled task its reopening (requeue), not another cancel', () => {
    const t = task('a', 'cancelled');
    assert.deepEqual(offeredActions(run([t], 4), t, ref('a'), leases), ['requeue', 'edit']);
  });
});
