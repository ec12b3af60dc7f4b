// Batch task creation (SPEC.md §6 with PROTOCOL.md's fixes): the whole batch is validated first
// — contract, ids, statuses, duplicates, dependencies known and acyclic — then written as one
// context.task.created event per task in batch order; any bad row rejects the whole batch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideCreateTasks } from '../../../server/src/engine/taskCreation';
import { normalizeContract } from '../../../server/src/engine/taskContract';
import { assertAbsent, expectDomainError, RunHarness, T0 } from './harness';
import { LIMITS } from '../../../contract/limits';

const where = { task_id: 't', index: 0 };

describe('payload contract normalization (SPEC §6.2)', () => {
  it('payload must be an object or null for every task type', () => {
    for (const payload of ['text', 3, true, [], [1]]) {
      expectDomainError(() => normalizeContract('anything', payload, { task_id: 'x', index: 4 }), 'TASK_CONTRACT_INVALID', {
        task_id: 'x',
        index: 4,
      });
      expectDomainError(() => normalizeContract('research', payload, where), 'TASK_CONTRACT_INVALID');
    }
  });

  it('title and description, when given, are text: views show them (a number showed as nothing)', () => {
    for (const payload of [{ title: 123 }, { description: 42 }, { title: { text: 'x' } }]) {
      const e = expectDomainError(() => normalizeContract('build', payload, where), 'TASK_CONTRACT_INVALID', where);
      assert.match(e.message, /^Task t: payload\.(title|description) must be text \(a JSON string\), not (number|object)\.$/);
    }
    assert.deepEqual(normalizeContract('build', { title: 'T', description: null }, where).payload, { title: 'T', description: null });
  });

  it('no known kind: type trimmed, payload stored unchanged (null when absent)', () => {
    assert.deepEqual(normalizeContract('  build  ', { write_required: true, a: 1 }, where), {
      task_type: 'build',
      payload: { write_required: true, a: 1 },
    });
    assert.deepEqual(normalizeContract('build', undefined, where), { task_type: 'build', payload: null });
    assert.deepEqual(normalizeContract('build', null, where), { task_type: 'build', payload: null });
    assert.deepEqual(
      normalizeContract('Implementation', {}, where),
      { task_type: 'Implementation', payload: {} },
      'matching is exact lower-case',
    );
    assert.deepEqual(normalizeContract('x', { task_kind: 'RESEARCH' }, where), { task_type: 'x', payload: { task_kind: 'RESEARCH' } });
  });

  for (const kind of ['inspection', 'research', 'validation', 'fix_proposal'] as const) {
    it(`${kind}: canonical type, task_kind, strict_nonwriting, write_required removed`, () => {
      const r = normalizeContract(` ${kind} `, { write_required: true, note: 'n' }, where);
      assert.deepEqual(r, { task_type: kind, payload: { note: 'n', task_kind: kind, execution_mode: 'strict_nonwriting' } });
    });
  }

  it('fix-proposal is an alias of fix_proposal, in task_type and in payload.task_kind', () => {
    assert.equal(normalizeContract('fix-proposal', null, where).task_type, 'fix_proposal');
    assert.deepEqual(normalizeContract('anything', { task_kind: ' fix-proposal ' }, where), {
      task_type: 'fix_proposal',
      payload: { task_kind: 'fix_proposal', execution_mode: 'strict_nonwriting' },
    });
  });

  it('payload.task_kind, when a known kind, wins over task_type', () => {
    assert.equal(normalizeContract('build', { task_kind: 'research' }, where).task_type, 'research');
    assert.equal(normalizeContract('validation', { task_kind: 'research' }, where).task_type, 'research');
    assert.equal(normalizeContract('validation', { task_kind: 'unknown-kind' }, where).task_type, 'validation');
    assert.deepEqual(normalizeContract('research', null, where).payload, { task_kind: 'research', execution_mode: 'strict_nonwriting' });
  });

  it('implementation: strict_write, output_target rewritten to {path, kind?, operation?}; write_required kept', () => {
    const r = normalizeContract(
      'implementation',
      {
        write_required: true,
        output_target: { file: ' src/a.ts ', type: ' module ', mode: ' create ', extra: 1 },
      },
      where,
    );
    assert.deepEqual(r, {
      task_type: 'implementation',
      payload: {
        write_required: true,
        task_kind: 'implementation',
        execution_mode: 'strict_write',
        output_target: { path: 'src/a.ts', kind: 'module', operation: 'create' },
      },
    });
  });

  it('output_target: the path comes from the first present key of path, file, file_path, target', () => {
    const path = (t: Record<string, unknown>) =>
      (normalizeContract('implementation', { output_target: t }, where).payload as { output_target: { path: string } }).output_target.path;
    assert.equal(path({ path: 'p', file: 'f', file_path: 'fp', target: 't' }), 'p');
    assert.equal(path({ file: 'f', file_path: 'fp', target: 't' }), 'f');
    assert.equal(path({ file_path: 'fp', target: 't' }), 'fp');
    assert.equal(path({ target: 't' }), 't');
    // A present key that is not a non-blank string does not fall through to the next one.
    for (const t of [
      { path: 5, file: 'f' },
      { path: '  ', file: 'f' },
      { path: null, file: 'f' },
      { file: {}, target: 't' },
    ]) {
      expectDomainError(() => normalizeContract('implementation', { output_target: t }, where), 'TASK_OUTPUT_TARGET_REQUIRED');
    }
  });

  it('output_target kind/operation: first present key, blank or non-string → omitted', () => {
    const target = (t: Record<string, unknown>) =>
      (normalizeContract('implementation', { output_target: { path: 'p', ...t } }, where).payload as { output_target: unknown })
        .output_target;
    assert.deepEqual(target({ kind: 'k', type: 't', operation: 'o', mode: 'm' }), { path: 'p', kind: 'k', operation: 'o' });
    assert.deepEqual(target({ kind: 3, type: 't' }), { path: 'p' }, 'a present non-string kind does not fall through to type');
    assert.deepEqual(target({ operation: ' ', mode: 'm' }), { path: 'p' });
    assert.deepEqual(target({}), { path: 'p' });
  });

  it('implementation without a usable output_target → TASK_OUTPUT_TARGET_REQUIRED {task_id, index}', () => {
    for (const payload of [
      null,
      undefined,
      {},
      { output_target: 'src/a.ts' },
      { output_target: [] },
      { output_target: null },
      { output_target: {} },
    ]) {
      expectDomainError(() => normalizeContract('implementation', payload, { task_id: 'impl', index: 2 }), 'TASK_OUTPUT_TARGET_REQUIRED', {
        task_id: 'impl',
        index: 2,
      });
    }
    expectDomainError(() => normalizeContract('build', { task_kind: 'implementation' }, where), 'TASK_OUTPUT_TARGET_REQUIRED');
  });
});

describe('createTasks: building tasks', () => {
  it('writes one context.task.created event per task, in batch order, with the task record', () => {
    const h = new RunHarness();
    const ts = h.ctx.advance(100);
    const tasks = h.createTasks([
      { id: ' a ', task_type: ' build ', workflow_id: ' wf ', workflow_node_id: '  ', parent_task_id: 'p', priority: 5, max_attempts: 2 },
      { task_type: 'research', depends_on_task_ids: [' a ', '', '  '], decision_ids: ['d1'], artifact_ids: ['x1'] },
    ]);
    const events = h.log.slice(1);
    assert.deepEqual(
      events.map((e) => [e.seq, e.type, e.task_id]),
      [
        [2, 'context.task.created', 'a'],
        [3, 'context.task.created', 'task-2'],
      ],
    );
    assert.deepEqual(tasks[0], {
      id: 'a',
      task_type: 'build',
      payload: null,
      status: 'pending',
      depends_on_task_ids: [],
      decision_ids: [],
      artifact_ids: [],
      priority: 5,
      attempt: 0,
      max_attempts: 2,
      task_rev: 1,
      created_ts: ts,
      updated_ts: ts,
      workflow_id: 'wf',
      parent_task_id: 'p',
    });
    assertAbsent(
      tasks[0],
      'workflow_node_id',
      'assigned_agent',
      'lease_owner',
      'lease_token',
      'lease_expires_at_ms',
      'next_retry_at_ms',
      'last_error',
    );
    assert.equal(tasks[1].id, 'task-2', 'a missing id is generated');
    assert.deepEqual(tasks[1].depends_on_task_ids, ['a']);
    assert.equal(tasks[1].max_attempts, 3, 'default max_attempts');
    assert.equal(tasks[1].priority, 0);
    assert.deepEqual(tasks[1].payload, { task_kind: 'research', execution_mode: 'strict_nonwriting' });
    assert.deepEqual(events[0].payload, { task_id: 'a', task_type: 'build', task_rev: 1, workflow_id: 'wf', task: tasks[0] });
    assert.deepEqual(events[1].payload, { task_id: 'task-2', task_type: 'research', task_rev: 1, task: tasks[1] });
    assert.equal(events[0].status, 'queued', 'event status = the run status');
    assert.deepEqual([...h.state.tasks.values()], tasks);
  });

  it('blank ids are generated; ids are trimmed and checked (TASK_ID_INVALID)', () => {
    const h = new RunHarness();
    const [t] = h.createTasks([{ id: '   ' }]);
    assert.match(t.id, /^task-\d+$/);
    for (const id of ['has space', 'a/b', '.hidden', 'x'.repeat(129), 'ü']) {
      expectDomainError(() => h.createTasks([{ id }]), 'TASK_ID_INVALID', { task_id: id.trim() });
    }
    h.createTasks([{ id: 'CON' }, { id: 'con' }]);
    assert.ok(h.state.tasks.has('CON') && h.state.tasks.has('con'), 'device names and case are fine for task ids');
  });

  it('statuses pending, runnable, blocked are accepted; others → TASK_STATUS_INVALID {task_id}', () => {
    const h = new RunHarness();
    const created = h.createTasks([{ status: 'pending' }, { status: 'runnable' }, { status: 'blocked' }]);
    assert.deepEqual(
      created.map((t) => t.status),
      ['pending', 'runnable', 'blocked'],
    );
    for (const status of ['in_progress', 'done', 'failed'] as const) {
      expectDomainError(() => h.createTasks([{ id: `t-${status}`, status }]), 'TASK_STATUS_INVALID', { task_id: `t-${status}`, index: 0 });
    }
  });

  it('contract errors carry the row id and its index in the batch', () => {
    const h = new RunHarness();
    expectDomainError(() => h.createTasks([{ id: 'ok' }, { id: 'bad', payload: 'text' }]), 'TASK_CONTRACT_INVALID', {
      task_id: 'bad',
      index: 1,
    });
    expectDomainError(
      () => h.createTasks([{ id: 'ok' }, { id: 'ok2' }, { id: 'impl', task_type: 'implementation', payload: {} }]),
      'TASK_OUTPUT_TARGET_REQUIRED',
      { task_id: 'impl', index: 2 },
    );
    assert.equal(h.state.tasks.size, 0);
  });

  it('a row without task_type is work, or implementation when its payload names the file it writes (then it needs a path)', () => {
    const h = new RunHarness();
    const [plain, writes] = h.createTasks([
      { id: 'plain', task_type: undefined, payload: { title: 'Plain' } },
      { id: 'writes', task_type: undefined, payload: { title: 'Writes', output_target: { path: 'CHANGELOG.md' } } },
    ]);
    assert.deepEqual([plain.task_type, writes.task_type], ['work', 'implementation']);
    assert.equal((writes.payload as { execution_mode?: string }).execution_mode, 'strict_write');
    for (const target of [{}, 'src/a.ts']) {
      const inferred = expectDomainError(
        () => h.createTasks([{ id: 'nowhere', task_type: undefined, payload: { output_target: target } }]),
        'TASK_OUTPUT_TARGET_REQUIRED',
        { task_id: 'nowhere', index: 0 },
      );
      // Said where the type came from: the task never asked to be an implementation task.
      assert.match(
        inferred.message,
        /^Task nowhere: it has payload\.output_target, so without a task_type it is an implementation task, which needs output_target to be \{"path": "<file>"\}/,
      );
    }
  });

  it('payload title/description over 64 KiB → LIMIT_EXCEEDED', () => {
    const h = new RunHarness();
    expectDomainError(() => h.createTasks([{ payload: { title: 't'.repeat(LIMITS.textBytes + 1) } }]), 'LIMIT_EXCEEDED');
  });
});

describe('createTasks: whole-batch validation', () => {
  it('a duplicate of an existing task → TASK_DUPLICATE_ID {task_id}', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'a' }]);
    const dup = expectDomainError(() => h.createTasks([{ id: 'b' }, { id: ' a ' }]), 'TASK_DUPLICATE_ID', { task_id: 'a', index: 1 });
    assert.equal(dup.message, 'tasks[1] takes id a, which this run already has.');
    assert.deepEqual([...h.state.tasks.keys()], ['a']);
  });

  it('an id repeated inside the batch → TASK_DUPLICATE_ID', () => {
    const h = new RunHarness();
    const dup = expectDomainError(() => h.createTasks([{ id: 'x' }, { id: 'y' }, { id: 'x' }]), 'TASK_DUPLICATE_ID', {
      task_id: 'x',
      index: 2,
    });
    assert.equal(dup.message, 'tasks[2] takes id x, which this batch already has.');
    assert.equal(h.state.tasks.size, 0);
  });

  it('unknown dependencies → TASK_DEPENDENCY_UNKNOWN {task_id, depends_on: the unknown ids}', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'old' }]);
    expectDomainError(
      () =>
        h.createTasks([
          { id: 'a', depends_on_task_ids: ['old'] },
          { id: 'b', depends_on_task_ids: ['old', 'ghost', 'a', 'phantom'] },
        ]),
      'TASK_DEPENDENCY_UNKNOWN',
      { task_id: 'b', index: 1, depends_on: ['ghost', 'phantom'] },
    );
    assert.equal(h.state.tasks.size, 1);
    // One task without an id: named as "the task", not by an id made up for it (no task was made).
    const lone = expectDomainError(() => h.createTasks([{ depends_on_task_ids: ['ghost'] }]), 'TASK_DEPENDENCY_UNKNOWN');
    assert.equal(lone.message, 'The task depends on unknown task(s): ghost.');
  });

  it('dependencies may point at the run or anywhere in the batch, also forward', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'old' }]);
    const created = h.createTasks([{ id: 'a', depends_on_task_ids: ['c', 'old'] }, { id: 'b', depends_on_task_ids: ['a'] }, { id: 'c' }]);
    assert.deepEqual(
      created.map((t) => t.id),
      ['a', 'b', 'c'],
    );
  });

  it('a self-dependency is a cycle', () => {
    const h = new RunHarness();
    expectDomainError(() => h.createTasks([{ id: 'ok' }, { id: 'self', depends_on_task_ids: ['self'] }]), 'TASK_DEPENDENCY_CYCLE', {
      task_id: 'self',
      index: 1,
      depends_on: ['self'],
    });
  });

  it('a longer cycle names exactly the tasks on it', () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'old' }]);
    const err = expectDomainError(
      () =>
        h.createTasks([
          { id: 'entry', depends_on_task_ids: ['x'] },
          { id: 'x', depends_on_task_ids: ['y', 'old'] },
          { id: 'y', depends_on_task_ids: ['z'] },
          { id: 'z', depends_on_task_ids: ['x'] },
          { id: 'free' },
        ]),
      'TASK_DEPENDENCY_CYCLE',
    );
    assert.deepEqual([...(err.details.depends_on as string[])].sort(), ['x', 'y', 'z']);
    assert.ok(['x', 'y', 'z'].includes(err.details.task_id as string));
    assert.equal(h.state.tasks.size, 1);
  });

  it('a diamond is not a cycle', () => {
    const h = new RunHarness();
    h.createTasks([
      { id: 'top', depends_on_task_ids: ['left', 'right'] },
      { id: 'left', depends_on_task_ids: ['bottom'] },
      { id: 'right', depends_on_task_ids: ['bottom'] },
      { id: 'bottom' },
    ]);
    assert.equal(h.state.tasks.size, 4);
  });

  it('any bad row rejects the whole batch: no events, no tasks', () => {
    const h = new RunHarness();
    const good = { id: 'good' };
    const bad = [
      { id: 'bad', status: 'done' as const },
      { id: 'bad', payload: [] },
      { id: 'bad', depends_on_task_ids: ['nobody'] },
      { id: 'bad', depends_on_task_ids: ['bad'] },
      { id: 'good' },
      { id: 'bad thing' },
    ];
    for (const row of bad) {
      assert.throws(() => decideCreateTasks(h.state, h.parseTasks([good, row]), h.ctx));
      assert.throws(() => h.createTasks([row, good]));
    }
    assert.equal(h.state.tasks.size, 0);
    assert.equal(h.log.length, 1);
  });

  it('500 tasks in a batch are fine; 501 → LIMIT_EXCEEDED {limit, max}', () => {
    const h = new RunHarness();
    const rows = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}` }));
    expectDomainError(() => h.createTasks(rows(LIMITS.batchTasks + 1, 'x')), 'LIMIT_EXCEEDED', { max: LIMITS.batchTasks });
    assert.equal(h.state.tasks.size, 0);
    const created = h.createTasks(rows(LIMITS.batchTasks, 'y'));
    assert.equal(created.length, 500);
    assert.equal(h.run.last_event_seq, 501, 'one event per task, consecutive seqs');
    assert.deepEqual(
      h.log.slice(1).map((e) => e.task_id),
      created.map((t) => t.id),
    );
  });

  it('a terminal run → RUN_TERMINAL {status}', () => {
    for (const status of ['completed', 'failed', 'cancelled'] as const) {
      const h = new RunHarness();
      h.appendEvent({ type: 'end', status });
      expectDomainError(() => h.createTasks([{ id: 'late' }]), 'RUN_TERMINAL', { status });
      h.appendEvent({ type: 'run_reopened', status: 'running' });
      h.createTasks([{ id: 'late' }]);
      assert.equal(h.task('late').status, 'pending');
    }
  });

  it('creation does not touch the run status or the blackboard revision', () => {
    const h = new RunHarness();
    h.appendEvent({ type: 'go', status: 'running' });
    h.createTasks([{ id: 'a' }]);
    assert.equal(h.run.status, 'running');
    assert.equal(h.blackboard.revision, 0);
    assert.equal(h.task('a').created_ts, T0);
  });
});
