// The contract's task rules against the engine that enforces them, on random boards (fixed,
// printed seeds): waitReasons is empty exactly when a claim of that task succeeds, and every
// action allowedActions offers is one the engine accepts from that client — and the engine
// accepts nothing from it that is not offered, apart from the one choice the views make (an
// expired lease waits for its requeue).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RUN_STATUSES, TASK_STATUSES, type RunStatus, type TaskStatus } from '../../../contract/statuses';
import { allowedActions, cascadeOf, TASK_ACTIONS, waitReasons, type TaskAction } from '../../../contract/taskRules';
import { emptyStoredBlackboard } from '../../../server/src/engine/blackboard';
import { DomainError } from '../../../server/src/engine/errors';
import type { RunRecord, Task } from '../../../contract/schemas/records';
import { emptyRunState, RunState, stateFromRecords, toRunRecord } from '../../../server/src/engine/state';
import { decideRequeue, decideTransition } from '../../../server/src/engine/taskLifecycle';
import { Prng } from '../../reliability/torture/prng';
import { testContext, T0 } from '../engine/harness';
import { decideClaim } from '../../../server/src/engine/taskClaim';
import { decideCancelTask } from '../../../server/src/engine/taskCancel';
import { decideEditTask } from '../../../server/src/engine/taskEdit';
import { RUN_FORMAT } from '../../../contract/events';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const TOKEN = 'lease-held';

/** A run of 2–8 tasks in random states: dependencies, retry times, live and expired leases. */
function randomBoard(rng: Prng, runStatus: RunStatus): RunState {
  const n = rng.int(2, 8);
  const ids = Array.from({ length: n }, (_, i) => `t${i}`);
  const tasks: Task[] = ids.map((id, i) => {
    const status = rng.pick(TASK_STATUSES);
    const max_attempts = rng.int(1, 3);
    const t: Task = {
      id,
      task_type: 'work',
      payload: {},
      status,
      priority: rng.int(0, 2),
      depends_on_task_ids: ids.slice(0, i).filter(() => rng.chance(0.3)),
      decision_ids: [],
      artifact_ids: [],
      attempt: rng.int(0, max_attempts),
      max_attempts,
      task_rev: 1,
      created_ts: T0 - 1000,
      updated_ts: T0 - 1000,
    };
    if (rng.chance(0.3)) t.next_retry_at_ms = T0 + rng.pick([-5000, 5000]);
    if (status === 'in_progress') {
      const expires = T0 + rng.pick([-5000, 5000]);
      Object.assign(t, {
        lease_owner: 'someone',
        lease_token: TOKEN,
        lease_expires_at_ms: expires,
        last_lease_token: TOKEN,
        last_lease_expires_at_ms: expires,
      });
    }
    return t;
  });
  const run: RunRecord = {
    ...toRunRecord(emptyRunState('r')),
    status: runStatus,
    tasks,
    revision: 1,
    last_event_seq: 1,
    format: RUN_FORMAT,
  };
  return stateFromRecords(run, { ...emptyStoredBlackboard(), last_event_seq: 1 }, { seq: 1, entries: [] });
}

/** Whether the engine accepts `action` on `task` from a client that holds its lease or not. */
function engineAccepts(state: RunState, task: Task, action: TaskAction, holdsLease: boolean): boolean {
  const ctx = testContext(T0);
  const token = holdsLease && task.status === 'in_progress' ? TOKEN : undefined;
  try {
    if (action === 'claim') return decideClaim(state, { agent_id: 'me', task_id: task.id }, ctx).length > 0;
    if (action === 'requeue') return decideRequeue(state, { task_id: task.id, force: true }, ctx).length > 0;
    if (action === 'cancel') return decideCancelTask(state, { run_id: 'r', task_id: task.id, force: true }, ctx).length > 0;
    if (action === 'edit')
      return decideEditTask(state, { run_id: 'r', task_id: task.id, priority: task.priority + 1, force: true }, ctx).length > 0;
    return decideTransition(state, { task_id: task.id, action, lease_token: token }, ctx).length > 0;
  } catch (e) {
    if (e instanceof DomainError) return false;
    throw e;
  }
}

describe('task rules agree with the engine', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: waitReasons is empty exactly when a claim succeeds; offered actions are the accepted ones`, () => {
      const rng = new Prng(seed);
      for (let board = 0; board < 50; board++) {
        const runStatus = rng.chance(0.2) ? rng.pick(RUN_STATUSES) : 'running';
        const state = randomBoard(rng, runStatus);
        const run = toRunRecord(state);
        const byId = new Map(run.tasks.map((t) => [t.id, t]));
        for (const task of run.tasks) {
          const where = `seed ${seed}, board ${board}, task ${JSON.stringify(task)} in a ${runStatus} run`;
          const reasons = waitReasons(task, run, byId, T0);
          assert.equal(reasons.length === 0, engineAccepts(state, task, 'claim', false), `${where}: ${JSON.stringify(reasons)}`);
          for (const holdsLease of [false, true]) {
            const offered = allowedActions(task, run, byId, T0, holdsLease);
            for (const action of TASK_ACTIONS) {
              const accepted = engineAccepts(state, task, action, holdsLease);
              if (offered.includes(action)) assert.ok(accepted, `${where}: ${action} is offered (holds lease: ${holdsLease}) but refused`);
              const expiredLease = task.status === 'in_progress' && (task.lease_expires_at_ms ?? 0) <= T0;
              if (accepted && !offered.includes(action) && !expiredLease) {
                assert.fail(`${where}: the engine accepts ${action} (holds lease: ${holdsLease}) but it is not offered`);
              }
            }
          }
        }
      }
    });
  }
});

describe("allowedActions, case by case (the views' bugs of issue 14)", () => {
  const base = randomBoard(new Prng(99), 'running');
  const one = (over: Partial<Task>, runStatus: RunStatus = 'running') => {
    const t = { ...[...base.tasks.values()][0], depends_on_task_ids: [], next_retry_at_ms: undefined, ...over } as Task;
    return allowedActions(t, { status: runStatus }, new Map([[t.id, t]]), T0, over.lease_token === TOKEN);
  };
  it('a blocked task can be retried, failed, released and requeued', () => {
    assert.deepEqual(one({ status: 'blocked', attempt: 0, max_attempts: 3 }), ['fail', 'release', 'retry', 'requeue']);
  });
  it('the holder of a live lease may heartbeat, complete, fail, release and requeue; others only requeue', () => {
    const leased = { status: 'in_progress' as const, lease_owner: 'me', lease_expires_at_ms: T0 + 5000 };
    assert.deepEqual(one({ ...leased, lease_token: TOKEN }), ['heartbeat', 'complete', 'fail', 'release', 'requeue']);
    assert.deepEqual(one({ ...leased, lease_token: 'someone-else' }), ['requeue']);
  });
  it('a task of a run of format 4 may be cancelled unless it is finished; a cancelled one may be requeued (reopened)', () => {
    const v4 = (over: Partial<Task>) => {
      const t = { ...[...base.tasks.values()][0], depends_on_task_ids: [], next_retry_at_ms: undefined, ...over } as Task;
      return allowedActions(t, { status: 'running', format: RUN_FORMAT }, new Map([[t.id, t]]), T0, false);
    };
    assert.deepEqual(v4({ status: 'blocked', attempt: 0, max_attempts: 3 }), ['fail', 'release', 'retry', 'requeue', 'cancel', 'edit']);
    assert.deepEqual(v4({ status: 'cancelled' }), ['requeue', 'edit']);
    assert.deepEqual(v4({ status: 'done' }), ['edit']);
  });
  it('a task of a finished run is not claimable', () => {
    assert.deepEqual(one({ status: 'runnable' }, 'completed'), ['requeue']);
    assert.deepEqual(one({ status: 'runnable' }), ['claim', 'requeue']);
  });
});

describe('cascadeOf', () => {
  it('takes every unfinished task that waits on it, directly or through others not done, once', () => {
    const task = (id: string, status: TaskStatus, after: string[] = []) => ({ id, status, depends_on_task_ids: after });
    const tasks = [
      task('a', 'runnable'),
      task('b', 'pending', ['a']),
      task('c', 'done', ['a']),
      task('d', 'pending', ['b', 'c']),
      task('e', 'cancelled', ['a']),
      task('f', 'pending', ['e']),
      task('g', 'pending'),
      // Waits only on c, which is done: it waits on nothing (claimable), and a's cancel leaves it.
      task('h', 'pending', ['c']),
    ];
    assert.deepEqual(
      cascadeOf('a', tasks).map((t) => t.id),
      ['b', 'd', 'f'],
    );
    assert.deepEqual(cascadeOf('g', tasks), []);
  });
});
