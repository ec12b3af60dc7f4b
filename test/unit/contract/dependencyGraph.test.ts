// The dependency graph (contract/dependencyGraph.ts): edges from a dependency to the task that
// waits for it, ids the run lacks reported as missing, and the longest chain of unfinished tasks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dependencyGraph } from '../../../contract/dependencyGraph';
import type { Task } from '../../../contract/schemas/records';
import { taskRecord } from './taskRecord';

const t = (id: string, status: Task['status'], deps: string[] = []) => taskRecord({ id, status, depends_on_task_ids: deps });

describe('dependency graph', () => {
  it('the longest remaining chain skips finished tasks and picks the longest branch', () => {
    //  a(done) → b → d → e      c → e      f (alone)
    const g = dependencyGraph([
      t('a', 'done'),
      t('b', 'runnable', ['a']),
      t('c', 'in_progress'),
      t('d', 'pending', ['b']),
      t('e', 'pending', ['d', 'c']),
      t('f', 'runnable'),
    ]);
    assert.deepEqual(g.chain, ['b', 'd', 'e']);
    assert.deepEqual(g.edges, [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'd' },
      { from: 'd', to: 'e' },
      { from: 'c', to: 'e' },
    ]);
    assert.deepEqual(g.missing, []);
  });

  it('a cancelled task breaks a chain like a done one; failed and blocked tasks are still to do', () => {
    const g = dependencyGraph([t('a', 'failed'), t('b', 'cancelled', ['a']), t('c', 'blocked', ['b']), t('d', 'pending', ['a'])]);
    assert.deepEqual(g.chain, ['a', 'd']);
  });

  it('everything finished: no chain; a dependency the run lacks is missing, not a crash', () => {
    assert.deepEqual(dependencyGraph([t('a', 'done'), t('b', 'cancelled', ['a'])]).chain, []);
    const g = dependencyGraph([t('a', 'pending', ['ghost', 'zombie']), t('b', 'pending', ['ghost'])]);
    assert.deepEqual(g.missing, ['ghost', 'zombie']);
    assert.equal(g.chain.length, 1);
  });

  it('a cycle (which the engine refuses to make) is left out instead of looping', () => {
    const g = dependencyGraph([t('a', 'pending', ['b']), t('b', 'pending', ['a'])]);
    assert.deepEqual(g.chain, []);
  });

  it("a chain of 100 000 tasks (a run's limit) is found without exhausting the stack", () => {
    const tasks = Array.from({ length: 100_000 }, (_, i) => t(`t${i}`, 'pending', i ? [`t${i - 1}`] : []));
    assert.equal(dependencyGraph(tasks).chain.length, 100_000);
  });
});
