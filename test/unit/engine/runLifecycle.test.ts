// Runs as people write them (issue 15), in run format 2: steps given at creation, step events that
// move the plan along, runs that finish (finishRun, auto_finish) — and runs of format 1, which
// keep folding as they did.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stepsFromObjective } from '../../../contract/planSteps';
import { METHOD_PARAMS, ParamsError, parseParams } from '../../../contract/schemas/params';
import { whyNothingToClaim } from '../../../server/src/engine/taskClaim';
import { expectDomainError, foldAll, pictureOf, RunHarness } from './harness';

const stepsOf = (h: RunHarness) => h.run.steps.map((s) => `${s.step_id}:${s.status}`);

describe('steps from the objective', () => {
  it('every non-blank line is a step, list markers stripped, none dropped; one line makes none', () => {
    assert.deepEqual(stepsFromObjective('Survey docs\nWrite changelog\nLink it'), ['Survey docs', 'Write changelog', 'Link it']);
    assert.deepEqual(stepsFromObjective('Ship it\r\n\r\n- [ ] Parse\n  2) Test\n* [x] Doc\n## Wrap up\n'), [
      'Ship it',
      'Parse',
      'Test',
      'Doc',
      'Wrap up',
    ]);
    assert.deepEqual(stepsFromObjective('2024 report: 3 charts'), []);
    assert.deepEqual(stepsFromObjective('One line\n\n   \n'), []);
    assert.deepEqual(stepsFromObjective('Title\n2024 plan'), ['Title', '2024 plan'], 'a number without its marker stays');
  });

  it('createRun makes them the plan, pending, with the first as what comes next', () => {
    const h = new RunHarness({ create: { steps: ['Survey docs', 'Write changelog', 'Link it'] } });
    assert.deepEqual(stepsOf(h), ['step-1:pending', 'step-2:pending', 'step-3:pending']);
    assert.equal(h.run.why_next_step, 'Start with step step-1: Survey docs');
    assert.equal(h.run.format, 5, 'runs are made at the current format');
  });

  it(`more than 50 steps is LIMIT_EXCEEDED, and a blank step a params error`, () => {
    expectDomainError(() => new RunHarness({ create: { steps: Array.from({ length: 51 }, (_, i) => `Step ${i}`) } }), 'LIMIT_EXCEEDED');
    assert.throws(() => parseParams(METHOD_PARAMS.createRun, { objective: 'x', steps: ['a', '  '] }), ParamsError);
  });

  it('a params error says one thing per field: a huge priority, its own bound (not also the integer range)', () => {
    const tasks = [{ task_type: 'w', priority: 1e16 }];
    assert.throws(
      () => parseParams(METHOD_PARAMS.createTasks, { run_id: 'r', tasks }),
      (e) => e instanceof ParamsError && e.message === 'Invalid params: tasks.0.priority: Too big: expected number to be <=2147483647',
    );
  });

  it('the same mistake in many tasks is said once, at its first three places and how many more (the issues keep every place)', () => {
    const tasks = Array.from({ length: 300 }, (_, i) => ({ task_type: 'w', priority: 1e16 + i }));
    assert.throws(
      () => parseParams(METHOD_PARAMS.createTasks, { run_id: 'r', tasks }),
      (e) =>
        e instanceof ParamsError &&
        e.message ===
          'Invalid params: tasks.0.priority, tasks.1.priority, tasks.2.priority and 297 more: Too big: expected number to be <=2147483647' &&
        e.issues.length === 300,
    );
  });

  it('completing a step starts the next pending one and says so; the last says every step is done', () => {
    const h = new RunHarness({ create: { steps: ['Survey docs', 'Write changelog', 'Link it'] } });
    h.appendEvent({ type: 'step_started', status: 'running', step_id: 'step-1' });
    assert.equal(h.run.why_next_step, 'Continue with step step-1: Survey docs');
    h.appendEvent({ type: 'step_completed', status: 'running', step_id: 'step-1' });
    assert.deepEqual(stepsOf(h), ['step-1:done', 'step-2:in_progress', 'step-3:pending']);
    assert.equal(h.run.why_next_step, 'Continue with step step-2: Write changelog');
    h.appendEvent({ type: 'step_completed', status: 'running', step_id: 'step-2' });
    h.appendEvent({ type: 'step_completed', status: 'running', step_id: 'step-3' });
    assert.deepEqual(stepsOf(h), ['step-1:done', 'step-2:done', 'step-3:done']);
    assert.equal(h.run.why_next_step, 'Every step is done.');
    assert.deepEqual(pictureOf(foldAll(h.runId, h.log)), pictureOf(h.state), 'a load from the log agrees');
  });

  it('an explicit why_next_step wins, and a failed step is said', () => {
    const h = new RunHarness({ create: { steps: ['One step', 'Two step'] } });
    h.appendEvent({ type: 'step_completed', status: 'running', step_id: 'step-1', payload: { why_next_step: 'Ask the reviewer' } });
    assert.equal(h.run.why_next_step, 'Ask the reviewer');
    h.appendEvent({ type: 'step_failed', status: 'running', step_id: 'step-2', payload: { error: 'no access' } });
    assert.equal(h.run.why_next_step, 'Step step-2 is failed: Two step');
  });

  it('a run of format 1 folds step events as before: the next step stays pending and why_next_step is kept', () => {
    const h = new RunHarness({ format1: true, objective: 'Ship it\n- Write the parser module\n- Add unit tests for it' });
    h.appendEvent({ type: 'planning_started', status: 'planning' });
    const why = h.run.why_next_step;
    h.appendEvent({ type: 'step_completed', status: 'running', step_id: 'step-1' });
    assert.deepEqual(stepsOf(h).slice(0, 2), ['step-1:done', 'step-2:pending']);
    assert.equal(h.run.why_next_step, why);
    assert.equal(h.run.format, undefined);
  });
});

describe('runs that finish', () => {
  it('finishRun completes a run with pending tasks and none in progress; they stay pending', () => {
    const h = new RunHarness();
    h.addTask({ id: 'a' });
    const e = h.finishRun({ status: 'completed', reason: 'good enough' });
    assert.deepEqual(
      [e.type, h.run.status, h.run.why_next_step, h.task('a').status],
      ['run_completed', 'completed', 'Completed: good enough', 'pending'],
    );
    assert.ok(h.run.ended_at_ms !== undefined);
    expectDomainError(() => h.finishRun({ status: 'failed' }), 'RUN_TERMINAL');
  });

  it("a pause's reason is the run's status_reason while the pause lasts; a claim meanwhile says it", () => {
    const h = new RunHarness();
    h.createTasks([{ id: 'a' }]);
    h.appendEvent({ type: 'run_paused', status: 'running', payload: { reason: '  waiting for the API key ' } });
    assert.deepEqual([h.run.status, h.run.status_reason], ['paused', 'waiting for the API key']);
    assert.equal(h.claim({ agent_id: 'x' }), null);
    assert.deepEqual(whyNothingToClaim(h.state, { agent_id: 'x' }, 0), { reason: 'run_paused', paused_reason: 'waiting for the API key' });
    // A task event meanwhile (its own reason) does not touch it.
    h.requeue({ task_id: 'a', reason: "the task's own" });
    assert.equal(h.run.status_reason, 'waiting for the API key');
    h.appendEvent({ type: 'run_resumed', status: 'paused' });
    assert.deepEqual([h.run.status, h.run.status_reason], ['running', undefined]);
    assert.ok(!('status_reason' in h.run), 'gone, not undefined');
  });

  it('completing while a task is in progress is TASKS_IN_PROGRESS, naming it, unless forced', () => {
    const h = new RunHarness();
    h.taskIn('in_progress', { id: 'busy' });
    const err = expectDomainError(() => h.finishRun({ status: 'completed' }), 'TASKS_IN_PROGRESS');
    assert.deepEqual(err.details.task_ids, ['busy']);
    assert.match(err.message, /busy.*force/);
    h.finishRun({ status: 'completed', force: true });
    assert.deepEqual([h.run.status, h.task('busy').status], ['completed', 'in_progress']);
  });

  it('an event that would complete the run is held to the same rule: not past a task in progress', () => {
    const h = new RunHarness();
    const busy = h.taskIn('in_progress', { id: 'busy' });
    for (const event of [
      { type: 'run_completed', status: 'running' },
      { type: 'shipped', status: 'completed' },
    ] as const) {
      const err = expectDomainError(() => h.appendEvent(event), 'TASKS_IN_PROGRESS');
      assert.deepEqual(err.details.task_ids, ['busy']);
      assert.match(
        err.message,
        /complete the run itself with force, not by an event \(runboard run complete --force; MCP complete_run with force: true\)/,
      );
    }
    assert.equal(h.run.status, 'queued', 'nothing written');
    // Failing it needs no wait, as finishRun's failed does not.
    h.appendEvent({ type: 'run_failed', status: 'running' });
    assert.equal(h.run.status, 'failed');
    h.appendEvent({ type: 'run_reopened', status: 'running' });
    h.transition({ task_id: 'busy', action: 'complete', lease_token: busy.lease_token });
    h.appendEvent({ type: 'run_completed', status: 'running' });
    assert.equal(h.run.status, 'completed');
  });

  it('failing needs no wait, and keeps the reason as the last error', () => {
    const h = new RunHarness();
    h.taskIn('in_progress', { id: 'busy' });
    h.finishRun({ status: 'failed', reason: 'the API is gone' });
    assert.deepEqual([h.run.status, h.run.last_error, h.run.why_next_step], ['failed', 'the API is gone', 'Failed: the API is gone']);
  });

  it('with auto_finish, the commit that completes the last open task also completes the run', () => {
    const h = new RunHarness({ create: { auto_finish: true } });
    h.createTasks([{ id: 'a' }, { id: 'b' }]);
    const a = h.claim({ agent_id: 'x', task_id: 'a' })!;
    const b = h.claim({ agent_id: 'y', task_id: 'b' })!;
    h.transition({ task_id: 'a', action: 'complete', lease_token: a.lease_token });
    assert.equal(h.run.status, 'queued');
    const events = h.transitionEvents({ task_id: 'b', action: 'complete', lease_token: b.lease_token });
    assert.deepEqual(
      events.map((e) => e.type),
      ['context.task.completed', 'run_completed'],
    );
    assert.deepEqual([h.run.status, h.run.why_next_step], ['completed', 'Completed: every task is done (auto_finish)']);
    assert.deepEqual(pictureOf(foldAll(h.runId, h.log)), pictureOf(h.state));
  });

  it('without auto_finish, or with a task still open, completing a task leaves the run as it is', () => {
    const plain = new RunHarness();
    const t = plain.taskIn('in_progress', { id: 'a' });
    assert.equal(plain.transitionEvents({ task_id: 'a', action: 'complete', lease_token: t.lease_token }).length, 1);
    const open = new RunHarness({ create: { auto_finish: true } });
    open.addTask({ id: 'later' });
    const u = open.taskIn('in_progress', { id: 'now' });
    assert.equal(open.transitionEvents({ task_id: 'now', action: 'complete', lease_token: u.lease_token }).length, 1);
    assert.equal(open.run.status, 'queued');
  });

  it('run_completed appended to a run of format 1 moves only its status, as any other event did', () => {
    const h = new RunHarness({ format1: true });
    h.appendEvent({ type: 'run_completed', status: 'completed', payload: { reason: 'done' } });
    assert.deepEqual([h.run.status, h.run.why_next_step], ['completed', null]);
  });

  it('a plan waiting for approval still waits after a pause and a resume (or a mismatch and a rebind): only plan_approved starts it', () => {
    const h = new RunHarness({ objective: 'Ship it\n- Write the parser module\n- Add unit tests for it' });
    h.appendEvent({ type: 'planning_started', status: 'planning' });
    assert.equal(h.run.status, 'awaiting_approval');
    h.appendEvent({ type: 'run_paused', status: 'paused', payload: { reason: 'lunch' } });
    assert.equal(h.run.paused_from, 'awaiting_approval');
    h.appendEvent({ type: 'run_resumed', status: 'running' });
    assert.deepEqual(
      [h.run.status, h.run.why_next_step, h.run.paused_from],
      ['awaiting_approval', 'A plan is waiting for approval.', undefined],
    );
    assert.deepEqual(stepsOf(h).slice(0, 1), ['step-1:pending'], 'no step started by the resume');
    h.validateWorkspace('/ws/a');
    h.validateWorkspace('/ws/elsewhere');
    assert.deepEqual([h.run.status, h.run.paused_from], ['paused', 'awaiting_approval']);
    h.rebindWorkspace('/ws/elsewhere');
    assert.equal(h.run.status, 'awaiting_approval');
    h.appendEvent({ type: 'plan_approved', status: 'running' });
    assert.deepEqual([h.run.status, stepsOf(h)[0]], ['running', 'step-1:in_progress']);
    // Paused while running: resumed to running, as before.
    h.appendEvent({ type: 'run_paused', status: 'paused' });
    h.appendEvent({ type: 'run_resumed', status: 'running' });
    assert.equal(h.run.status, 'running');
    assert.deepEqual(pictureOf(foldAll(h.runId, h.log)), pictureOf(h.state), 'a load from the log agrees');
  });
});
