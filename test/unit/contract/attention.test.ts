// What needs a person (contract/attention.ts): each kind from its stated inputs — the run and its
// blackboard, the time, the last replay — with the action that resolves it, and keys that tell one
// occurrence from the next (so a notification is said once per occurrence).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ATTENTION, attentionOf } from '../../../contract/attention';
import type { RunRecord, Task } from '../../../contract/schemas/records';
import { taskRecord } from './taskRecord';

const NOW = 1_000_000;

function task(id: string, over: Partial<Task>): Task {
  return taskRecord({ id, payload: { title: `Title of ${id}` }, created_ts: 1, updated_ts: 10, ...over });
}

function run(tasks: Task[], over: Record<string, unknown> = {}) {
  return {
    run_id: 'r',
    status: 'running' as const,
    updated_at_ms: 50,
    workspace: { workspace_id: '', canonical_path: '/ws/a', lease_epoch: 1 },
    steps: [] as RunRecord['steps'],
    tasks,
    ...over,
  };
}

const none = { open_questions: [] };

describe('attention', () => {
  it('a task failed with its attempts used up needs a requeue; one failed with attempts left a retry (nothing retries it on its own)', () => {
    const items = attentionOf(
      '/root',
      run([
        task('gone', { status: 'failed', attempt: 3, max_attempts: 3, last_error: 'boom\nstack', updated_ts: 20, task_rev: 7 }),
        task('again', { status: 'failed', attempt: 1, max_attempts: 3, last_error: 'tests red', updated_ts: 15, task_rev: 4 }),
      ]),
      none,
      NOW,
    );
    assert.deepEqual(
      items.map((i) => [i.kind, i.task_id, i.action, i.since_ms, i.key]),
      [
        ['task_exhausted', 'gone', 'requeue', 20, '/root|r|task_exhausted|gone@7'],
        ['task_failed', 'again', 'retry', 15, '/root|r|task_failed|again@4'],
      ],
    );
    assert.deepEqual(
      items.map((i) => i.title),
      ['Title of gone failed, no attempts left (3/3): boom', 'Title of again failed (1 of 3 attempts used): tests red'],
    );
  });

  it('a blocked task, an open question, a run paused by a workspace mismatch, and drift', () => {
    const items = attentionOf(
      '/root',
      run([task('b', { status: 'blocked', updated_ts: 30 })], {
        status: 'paused',
        status_changed_by: 'workspace_mismatch',
        updated_at_ms: 40,
      }),
      { open_questions: [{ id: 'question-1', ts_ms: 35, text: 'Which API?' }] },
      NOW,
      { seq: 9, at_ms: 45, flags: ['objective_mismatch'] },
    );
    assert.deepEqual(
      items.map((i) => [i.kind, i.action, i.since_ms]),
      [
        ['drift', 'replay', 45],
        ['run_paused_workspace', 'rebind', 40],
        ['question_open', 'answer', 35],
        ['task_blocked', 'open_board', 30],
      ],
      'newest first',
    );
    assert.equal(items.find((i) => i.kind === 'question_open')?.question_id, 'question-1');
  });

  it('a task waiting directly on a cancelled one needs a person (nothing else moves it); those after it, and finished ones, are not listed', () => {
    const items = attentionOf(
      '/root',
      run([
        task('gone', { status: 'cancelled', updated_ts: 20, task_rev: 2 }),
        task('next', { status: 'pending', depends_on_task_ids: ['gone'] }),
        task('after', { status: 'pending', depends_on_task_ids: ['next'] }),
        task('went-on', { status: 'done', depends_on_task_ids: ['gone'] }),
        task('two', { status: 'runnable', depends_on_task_ids: ['gone', 'also'] }),
        task('also', { status: 'cancelled', updated_ts: 25 }),
        // Blocked, and waiting on a cancelled task: one item, for the cancelled one (a retry would leave it stuck).
        task('held', { status: 'blocked', depends_on_task_ids: ['gone'], updated_ts: 5 }),
      ]),
      none,
      NOW,
    );
    assert.deepEqual(
      items.map((i) => [i.kind, i.action, i.task_id, i.since_ms, i.title]),
      [
        [
          'dependency_cancelled',
          'open_board',
          'two',
          25,
          'Title of two waits on Title of gone, Title of also, cancelled: cancel it too, edit its dependencies, or reopen them',
        ],
        [
          'dependency_cancelled',
          'open_board',
          'held',
          20,
          'Title of held (blocked) waits on Title of gone, cancelled: cancel it too, edit its dependencies, or reopen that one',
        ],
        [
          'dependency_cancelled',
          'open_board',
          'next',
          20,
          'Title of next waits on Title of gone, cancelled: cancel it too, edit its dependencies, or reopen that one',
        ],
      ],
    );
  });

  it('a done task whose worktree was kept with uncommitted changes needs someone to commit or discard them', () => {
    const wt = { path: '/repo.worktrees/r/a', branch: 'runboard/r/a', base: 'main' };
    const items = attentionOf(
      '/ws',
      run([
        task('a', { status: 'done', task_rev: 4, worktree: { ...wt, state: 'kept', note: 'uncommitted' } }),
        task('b', { status: 'done', worktree: { ...wt, state: 'removed' } }),
        task('c', { status: 'in_progress', worktree: { ...wt, state: 'active' } }),
        // Cancelled with changes, then reopened: its next attempt takes the worktree on; settled again when it finishes.
        task('d', { status: 'runnable', worktree: { ...wt, state: 'kept', note: 'uncommitted' } }),
      ]),
      { open_questions: [] },
      NOW,
    );
    assert.deepEqual(
      items.map((i) => [i.kind, i.task_id, i.action, i.title, i.key]),
      [
        [
          'worktree_kept',
          'a',
          'open_worktree',
          'Title of a: its worktree /repo.worktrees/r/a holds uncommitted changes',
          '/ws|r|worktree_kept|a@4',
        ],
      ],
    );
  });

  it('a run paused by a person hands out no task: one item, Resume, however the run changes during the pause', () => {
    const paused = { status: 'paused', status_changed_by: 'run_paused', status_changed_at_ms: 40 };
    const items = attentionOf('/root', run([], paused), none, NOW, { seq: 3, at_ms: 5, flags: [] });
    assert.deepEqual(
      items.map((i) => [i.kind, i.action, i.title, i.since_ms, i.key]),
      [['run_paused', 'resume', 'Paused: its agents get no task until it is resumed', 40, '/root|r|run_paused|40']],
    );
    // A holder finishing its task during the pause changes the run, not the item.
    assert.equal(attentionOf('/root', run([], { ...paused, updated_at_ms: 90 }), none, NOW)[0].key, items[0].key);
    // A replay without drift needs no one.
    assert.deepEqual(attentionOf('/root', run([]), none, NOW, { seq: 3, at_ms: 5, flags: [] }), []);
    // The pause's reason, when it gave one: its first line.
    assert.equal(
      attentionOf('/root', run([], { ...paused, status_reason: 'waiting for the API key\nask ana' }), none, NOW)[0].title,
      'Paused (waiting for the API key): its agents get no task until it is resumed',
    );
  });

  it("a finished run's failed and blocked tasks, open questions and leases are history; a kept worktree is not", () => {
    const tasks = [
      task('f', { status: 'failed', attempt: 1 }),
      task('b', { status: 'blocked' }),
      task('l', { status: 'in_progress', lease_owner: 'bob', lease_expires_at_ms: NOW + 1_000 }),
      task('w', { status: 'done', worktree: { path: '/repo.worktrees/r/w', branch: 'runboard/r/w', base: 'main', state: 'kept' } }),
    ];
    const questions = { open_questions: [{ id: 'q1', text: 'Which one?', ts_ms: 10 }] };
    const live = attentionOf('/root', run(tasks), questions as never, NOW).map((i) => i.kind);
    assert.deepEqual([...live].sort(), ['lease_expiring', 'question_open', 'task_blocked', 'task_failed', 'worktree_kept']);
    for (const status of ['completed', 'failed', 'cancelled'] as const) {
      assert.deepEqual(
        attentionOf('/root', run(tasks, { status }), questions as never, NOW).map((i) => i.kind),
        ['worktree_kept'],
        status,
      );
    }
  });

  it('a lease that runs out within the warning, without a heartbeat; a heartbeat makes the next warning another item', () => {
    const soon = task('t', { status: 'in_progress', lease_owner: 'bob', lease_expires_at_ms: NOW + 10_000 });
    const later = task('u', { status: 'in_progress', lease_owner: 'ann', lease_expires_at_ms: NOW + ATTENTION.leaseWarningMs + 1 });
    const items = attentionOf('/root', run([soon, later]), none, NOW);
    assert.deepEqual(
      items.map((i) => [i.kind, i.task_id, i.title]),
      [['lease_expiring', 't', "Title of t: bob's lease runs out in 10 s, no heartbeat"]],
    );
    assert.equal(attentionOf('/root', run([later]), none, NOW, undefined, ATTENTION.leaseWarningMs + 1).length, 1, 'a wider warning');
    const beaten = attentionOf('/root', run([{ ...soon, lease_expires_at_ms: NOW + 20_000 }]), none, NOW);
    assert.notEqual(beaten[0].key, items[0].key);
    // Run out, not yet requeued (nothing has changed the run since): said as such, not "runs out in 0 s".
    const ranOut = attentionOf('/root', run([{ ...soon, lease_expires_at_ms: NOW - 2_000 }]), none, NOW);
    assert.equal(
      ranOut[0].title,
      "Title of t: bob's lease ran out 2 s ago, no heartbeat; the task goes back on the board with the run's next change",
    );
  });

  it('an open run whose every task is done (or cancelled, one at least done) waits for a person to complete it', () => {
    const done = [task('a', { status: 'done', updated_ts: 30 }), task('b', { status: 'done', updated_ts: 35 })];
    const items = attentionOf('/root', run(done), none, NOW);
    assert.deepEqual(
      items.map((i) => [i.kind, i.action, i.since_ms, i.title, i.key]),
      [['run_work_done', 'complete_run', 35, 'All 2 tasks are done: complete the run, or add tasks', '/root|r|run_work_done|2-0']],
    );
    const step = (step_id: string, status: RunRecord['steps'][number]['status']) => ({ step_id, title: step_id, status });
    const withCancelled = attentionOf(
      '/root',
      run([...done, task('c', { status: 'cancelled', updated_ts: 40, task_rev: 5 })], {
        steps: [step('s1', 'done'), step('s2', 'in_progress')],
      }),
      none,
      NOW,
    );
    assert.deepEqual(
      withCancelled.map((i) => [i.title, i.key, i.since_ms]),
      [
        [
          'All 3 tasks are done or cancelled (1 cancelled), 1 of 2 steps not done: complete the run, or add tasks',
          '/root|r|run_work_done|3-1+c@5',
          40,
        ],
      ],
    );
    // The cancelled task reopened, then cancelled again: the same counts, another occurrence.
    const again = attentionOf('/root', run([...done, task('c', { status: 'cancelled', updated_ts: 60, task_rev: 7 })]), none, NOW);
    assert.equal(again[0].key, '/root|r|run_work_done|3-1+c@7');
    // Work still open, nothing done, no task at all, a finished run: no such item.
    for (const [tasks, over, why] of [
      [[...done, task('d', { status: 'runnable' })], {}, 'a task still to do'],
      [[...done, task('d', { status: 'failed', attempt: 1 })], {}, 'a failed task (its own item)'],
      [[task('c', { status: 'cancelled' })], {}, 'every task cancelled, none done'],
      [[], {}, 'no task'],
      [done, { status: 'completed' }, 'completed already'],
    ] as const) {
      const kinds = attentionOf('/root', run([...tasks], over), none, NOW).map((i) => i.kind);
      assert.ok(!kinds.includes('run_work_done'), why);
    }
    // A paused run whose work is done: both items (resume, or complete it).
    const paused = attentionOf('/root', run(done, { status: 'paused', status_changed_at_ms: 50 }), none, NOW).map((i) => i.kind);
    assert.deepEqual(paused, ['run_paused', 'run_work_done']);
  });

  it('a short lease heartbeated on time is not listed, however short: only one past half its length since its last heartbeat', () => {
    // A 20 s lease (within the 30 s warning), heartbeated just now: a healthy agent.
    const fresh = task('s', { status: 'in_progress', lease_owner: 'bob', updated_ts: NOW, lease_expires_at_ms: NOW + 20_000 });
    assert.deepEqual(attentionOf('/root', run([fresh]), none, NOW), []);
    assert.deepEqual(attentionOf('/root', run([fresh]), none, NOW + 9_000), [], 'before half its length');
    const late = attentionOf('/root', run([fresh]), none, NOW + 11_000);
    assert.deepEqual(
      late.map((i) => [i.kind, i.title]),
      [['lease_expiring', "Title of s: bob's lease runs out in 9 s, no heartbeat"]],
    );
  });

  it('a run whose log has damage no repair accepted is read-only: one item, Repair, finished or not', () => {
    const damage = [
      { line: 3, message: 'not JSON\nat offset 4' },
      { line: 9, message: 'seq 4 repeats' },
    ];
    for (const status of ['running', 'completed'] as const) {
      const items = attentionOf('/root', { ...run([], { status }), damage }, none, NOW);
      assert.deepEqual(
        items.map((i) => [i.kind, i.action, i.since_ms, i.key, i.title]),
        [
          [
            'run_damaged',
            'repair',
            50,
            '/root|r|run_damaged|3+2',
            "Read-only: its log has 2 damaged lines (line 3: not JSON); its agents' writes are refused until it is repaired",
          ],
        ],
        status,
      );
    }
    assert.deepEqual(attentionOf('/root', { ...run([]), damage: [] }, none, NOW), [], 'repaired: nothing');
  });

  it('a plan waiting for approval needs its person: one item, Approve Plan, per time it was asked', () => {
    const step = (step_id: string) => ({ step_id, title: step_id, status: 'pending' as const });
    const waiting = { status: 'awaiting_approval', status_changed_at_ms: 44, steps: [step('s1'), step('s2')] };
    const items = attentionOf('/root', run([], waiting), none, NOW);
    assert.deepEqual(
      items.map((i) => [i.kind, i.action, i.since_ms, i.key, i.title]),
      [['plan_awaiting_approval', 'approve_plan', 44, '/root|r|plan_awaiting_approval|44', 'A plan of 2 steps waits for approval']],
    );
    assert.deepEqual(attentionOf('/root', run([], { ...waiting, status: 'running' }), none, NOW), [], 'approved: nothing');
  });

  it('the same condition arising again after it was resolved is a new item (a new key)', () => {
    const first = attentionOf('/root', run([task('x', { status: 'failed', attempt: 3, max_attempts: 3, task_rev: 4 })]), none, NOW)[0];
    const second = attentionOf('/root', run([task('x', { status: 'failed', attempt: 4, max_attempts: 4, task_rev: 9 })]), none, NOW)[0];
    assert.notEqual(first.key, second.key);
  });
});
