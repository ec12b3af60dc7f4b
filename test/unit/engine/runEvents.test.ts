// Run creation and the run event transition table (SPEC.md §4.2, §4.3, §1.2) with PROTOCOL.md's
// fixes: the event records the resulting status, times come from the event, steps are never
// created by events, terminal runs take only run_reopened, reserved types are refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METHOD_PARAMS, parseParams } from '../../../contract/schemas/params';
import { decideAppendEvent, decideCreateRun } from '../../../server/src/engine/runDecisions';
import { applyRunTransition, materializePlan, parseStepStatus, WHY } from '../../../server/src/engine/runTransitions';
import { emptyRunState } from '../../../server/src/engine/state';
import { assertAbsent, expectDomainError, RunHarness, T0, testContext } from './harness';
import { LIMITS } from '../../../contract/limits';
import { RUN_STATUSES, RunStatus, StepStatus } from '../../../contract/statuses';

const OBJECTIVE = ['Ship the export feature', '- Write the parser module', '- Add unit tests for it', '- Document the command line'].join(
  '\n',
);

/** A run whose plan was materialized: steps step-1..4, all pending, status awaiting_approval. */
function plannedRun(): RunHarness {
  const h = new RunHarness({ objective: OBJECTIVE });
  h.appendEvent({ type: 'planning_started', status: 'planning' });
  assert.deepEqual(
    h.run.steps.map((s) => [s.step_id, s.status]),
    [
      ['step-1', 'pending'],
      ['step-2', 'pending'],
      ['step-3', 'pending'],
      ['step-4', 'pending'],
    ],
  );
  return h;
}

function stepStatus(h: RunHarness, id: string): StepStatus | undefined {
  return h.run.steps.find((s) => s.step_id === id)?.status;
}

function stepStatuses(h: RunHarness): string[] {
  return h.run.steps.map((s) => s.status);
}

describe('createRun', () => {
  it('is event seq 1, context.run.created, carrying {run, format: 5}', () => {
    const h = new RunHarness({ runId: 'r1', objective: 'Do things' });
    assert.equal(h.log.length, 1);
    const e = h.log[0];
    assert.equal(e.seq, 1);
    assert.equal(e.type, 'context.run.created');
    assert.equal(e.status, 'queued');
    assert.equal(e.revision, 1);
    assert.equal(e.ts_ms, T0);
    assert.equal(e.run_id, 'r1');
    assert.equal(e.event_id, 'evt-1');
    assert.deepEqual(e.payload, { run: h.run, format: 5 });
  });

  it('starts the run with the defaults of SPEC §1.4', () => {
    const run = new RunHarness({ runId: 'r1', objective: 'Do things' }).run;
    assert.deepEqual(run, {
      run_id: 'r1',
      run_type: 'interactive',
      tenant_context: { org_id: 'local', workspace_id: 'local', source: 'local_implicit' },
      mcp_servers: [],
      status: 'queued',
      objective: 'Do things',
      workspace: { workspace_id: '', canonical_path: '', lease_epoch: 0 },
      steps: [],
      tasks: [],
      why_next_step: null,
      revision: 1,
      last_event_seq: 1,
      created_at_ms: T0,
      updated_at_ms: T0,
      format: 5,
    });
  });

  it('trims optional texts, drops blank ones, keeps the objective verbatim', () => {
    const ctx = testContext();
    const p = parseParams(METHOD_PARAMS.createRun, {
      objective: '  untrimmed objective  ',
      run_type: ' batch ',
      source_client: '   ',
      model_provider: ' openai ',
      model_id: ' gpt ',
      mcp_servers: [' fs ', '', '  ', 'git'],
      workspace: { workspace_id: 'ws-1' },
    });
    const [e] = decideCreateRun('r2', p, undefined, ctx);
    const run = (e.payload as { run: Record<string, unknown> }).run;
    assert.equal(run.objective, '  untrimmed objective  ');
    assert.equal(run.run_type, 'batch');
    assert.equal(run.model_provider, 'openai');
    assert.equal(run.model_id, 'gpt');
    assert.deepEqual(run.mcp_servers, ['fs', 'git']);
    assertAbsent(run, 'source_client', 'started_at_ms', 'ended_at_ms', 'last_error');
    assert.deepEqual(run.workspace, { workspace_id: 'ws-1', canonical_path: '', lease_epoch: 0 });
  });

  it('binds the normalized workspace path with lease_epoch 1', () => {
    const run = new RunHarness({ canonicalPath: '/ws/project' }).run;
    assert.deepEqual(run.workspace, { workspace_id: '', canonical_path: '/ws/project', lease_epoch: 1 });
  });

  it('refuses an objective over 64 KiB (bytes, not characters) with LIMIT_EXCEEDED', () => {
    const ctx = testContext();
    const create = (objective: string) => decideCreateRun('r', parseParams(METHOD_PARAMS.createRun, { objective }), undefined, ctx);
    assert.equal(create('a'.repeat(LIMITS.textBytes)).length, 1);
    expectDomainError(() => create('a'.repeat(LIMITS.textBytes + 1)), 'LIMIT_EXCEEDED', { limit: 'objective', max: LIMITS.textBytes });
    // 21 846 × "€" (3 bytes each) is 65 538 bytes although only 21 846 characters.
    expectDomainError(() => create('€'.repeat(21_846)), 'LIMIT_EXCEEDED');
    assert.equal(create('€'.repeat(21_845)).length, 1);
  });
});

describe('appendEvent: every event', () => {
  it("refuses a payload text the run keeps (reason, error, feedback, why_next_step) over 64 KiB, writing nothing (a pause's reason became status_reason whole)", () => {
    const h = new RunHarness();
    for (const key of ['reason', 'error', 'feedback', 'why_next_step']) {
      const before = h.log.length;
      expectDomainError(
        () => h.appendEvent({ type: 'run_paused', status: 'running', payload: { [key]: 'a'.repeat(LIMITS.textBytes + 1) } }),
        'LIMIT_EXCEEDED',
        { limit: `payload.${key}`, max: LIMITS.textBytes },
      );
      assert.equal(h.log.length, before);
    }
    h.appendEvent({ type: 'run_paused', status: 'running', payload: { reason: 'a'.repeat(LIMITS.textBytes) } });
    assert.equal(h.run.status_reason?.length, LIMITS.textBytes);
  });

  it('records the resulting status, moves revision/last_event_seq by one and takes its time', () => {
    const h = plannedRun();
    const types: Array<[string, RunStatus]> = [
      ['plan_approved', 'queued'],
      ['note', 'blocked'],
      ['session_run_started', 'blocked'],
      ['run_paused', 'running'],
      ['run_resumed', 'paused'],
      ['revision_requested', 'running'],
      ['task_retry_requested', 'blocked'],
      ['step_completed', 'running'],
      ['run_cancelled', 'running'],
      ['run_reopened', 'cancelled'],
    ];
    for (const [type, declared] of types) {
      const before = h.run;
      const ts = h.ctx.advance(1_000);
      const e = h.appendEvent({ type, status: declared });
      const after = h.run;
      assert.equal(e.status, after.status, `${type}: event.status is the resulting status`);
      assert.equal(e.ts_ms, ts);
      assert.equal(e.seq, before.last_event_seq + 1);
      assert.equal(e.revision, before.revision + 1);
      assert.equal(after.last_event_seq, e.seq);
      assert.equal(after.revision, e.revision);
      assert.equal(after.updated_at_ms, ts);
    }
  });

  it('stores the type as given (trimmed), the step_id and a null payload when none is given', () => {
    const h = plannedRun();
    const e = h.appendEvent({ type: '  Step_Started  ', status: 'running', step_id: 'step-2' });
    assert.equal(e.type, 'Step_Started');
    assert.equal(e.step_id, 'step-2');
    assert.equal(e.payload, null);
    assert.equal(stepStatus(h, 'step-2'), 'in_progress', 'matching is case-insensitive');
    const e2 = h.appendEvent({ type: 'note', status: 'running' });
    assertAbsent(e2, 'step_id', 'task_id', 'command_id');
  });
});

describe('appendEvent: transition table rows (SPEC §4.2)', () => {
  it('session_run_started: running, step → in_progress, why, started_at_ms set once, last_error cleared', () => {
    const h = plannedRun();
    h.appendEvent({ type: 'note', status: 'running', payload: { error: 'boom' } });
    assert.equal(h.run.last_error, 'boom');
    const startedAt = h.run.started_at_ms;
    assert.equal(startedAt, T0, 'planning_started set it');
    h.ctx.advance(5_000);
    const e = h.appendEvent({ type: 'session_run_started', status: 'queued', step_id: ' step-3 ' });
    assert.equal(e.status, 'running');
    assert.equal(stepStatus(h, 'step-3'), 'in_progress');
    assert.equal(h.run.why_next_step, WHY.sessionRunning);
    assert.equal(h.run.started_at_ms, startedAt, 'already set: unchanged');
    assertAbsent(h.run, 'last_error', 'ended_at_ms');
    h.appendEvent({ type: 'session_run_started', status: 'running', payload: { why_next_step: '  keep going  ' } });
    assert.equal(h.run.why_next_step, 'keep going', 'payload why, trimmed');
  });

  it('session_run_started sets started_at_ms to the event time on a fresh run; no session-run step is created', () => {
    const h = new RunHarness();
    const ts = h.ctx.advance(7_000);
    h.appendEvent({ type: 'session_run_started', status: 'running' });
    assert.equal(h.run.started_at_ms, ts);
    assert.deepEqual(h.run.steps, [], 'steps are never created by events');
  });

  it('session_run_finished: the declared status; the step by that status; error; ended_at_ms when terminal', () => {
    const cases: Array<[RunStatus, StepStatus]> = [
      ['completed', 'done'],
      ['cancelled', 'blocked'],
      ['blocked', 'blocked'],
      ['paused', 'blocked'],
      ['failed', 'failed'],
      ['running', 'done'],
    ];
    for (const [status, stepResult] of cases) {
      const h = plannedRun();
      const ts = h.ctx.advance(3_000);
      const e = h.appendEvent({ type: 'session_run_finished', status, step_id: 'step-1', payload: { error: ' it broke ' } });
      assert.equal(e.status, status);
      assert.equal(stepStatus(h, 'step-1'), stepResult, `finished ${status}`);
      assert.equal(h.run.why_next_step, WHY.sessionFinished);
      assert.equal(h.run.last_error, 'it broke');
      if (status === 'completed' || status === 'cancelled' || status === 'failed') assert.equal(h.run.ended_at_ms, ts);
      else assertAbsent(h.run, 'ended_at_ms');
    }
  });

  it('planning_started: awaiting_approval whatever was declared, plan from the objective, fixed why', () => {
    const h = new RunHarness({ objective: OBJECTIVE });
    h.appendEvent({ type: 'note', status: 'running', payload: { error: 'old' } });
    const ts = h.ctx.advance(2_000);
    const e = h.appendEvent({ type: 'planning_started', status: 'planning', payload: { why_next_step: 'ignored' } });
    assert.equal(e.status, 'awaiting_approval');
    assert.equal(h.run.status, 'awaiting_approval');
    assert.equal(h.run.why_next_step, WHY.awaitingApproval);
    assert.equal(h.run.started_at_ms, ts);
    assertAbsent(h.run, 'last_error', 'ended_at_ms');
    assert.deepEqual(
      h.run.steps.map((s) => s.title),
      ['Ship the export feature', 'Write the parser module', 'Add unit tests for it', 'Document the command line'],
    );
  });

  it('planning_started keeps existing steps', () => {
    const h = plannedRun();
    h.appendEvent({ type: 'step_completed', status: 'running', step_id: 'step-1' });
    const steps = h.run.steps;
    h.appendEvent({ type: 'planning_started', status: 'planning' });
    assert.deepEqual(h.run.steps, steps);
  });

  it('plan_approved: running, the first pending/runnable step → in_progress, a why naming it', () => {
    const h = plannedRun();
    h.appendEvent({ type: 'step_completed', status: 'awaiting_approval', step_id: 'step-1' });
    h.appendEvent({ type: 'note', status: 'awaiting_approval', step_id: 'step-2', payload: { step_status: 'blocked' } });
    h.appendEvent({ type: 'note', status: 'awaiting_approval', step_id: 'step-4', payload: { step_status: 'runnable' } });
    const e = h.appendEvent({ type: 'plan_approved', status: 'queued' });
    assert.equal(e.status, 'running');
    assert.deepEqual(stepStatuses(h), ['done', 'blocked', 'in_progress', 'runnable']);
    assert.match(h.run.why_next_step ?? '', /step-3/);
  });

  it('plan_approved without a pending or runnable step leaves the steps and why alone', () => {
    const h = new RunHarness();
    h.appendEvent({ type: 'note', status: 'queued', payload: { why_next_step: 'previous why' } });
    h.appendEvent({ type: 'plan_approved', status: 'queued' });
    assert.equal(h.run.status, 'running');
    assert.equal(h.run.why_next_step, 'previous why');
    assert.equal(h.run.started_at_ms, T0);
  });

  it('run_paused / run_resumed / run_cancelled: fixed status and why; cancel stamps ended_at_ms with the event time', () => {
    const h = plannedRun();
    h.appendEvent({ type: 'plan_approved', status: 'awaiting_approval' });
    assert.equal(h.appendEvent({ type: 'run_paused', status: 'running' }).status, 'paused');
    assert.equal(h.run.why_next_step, WHY.paused);
    assert.equal(h.appendEvent({ type: 'run_resumed', status: 'paused' }).status, 'running');
    assert.equal(h.run.why_next_step, WHY.resumed);
    const ts = h.ctx.advance(9_000);
    assert.equal(h.appendEvent({ type: 'run_cancelled', status: 'running' }).status, 'cancelled');
    assert.equal(h.run.why_next_step, WHY.cancelled);
    assert.equal(h.run.ended_at_ms, ts);
  });

  it('task_retry_requested: running; an existing step → runnable; a why naming the step even when unknown', () => {
    const h = plannedRun();
    h.appendEvent({ type: 'step_failed', status: 'blocked', step_id: 'step-2', payload: { error: 'nope' } });
    assert.equal(h.run.last_error, 'nope');
    h.appendEvent({ type: 'task_retry_requested', status: 'blocked', step_id: 'step-2' });
    assert.equal(h.run.status, 'running');
    assert.equal(stepStatus(h, 'step-2'), 'runnable');
    assert.match(h.run.why_next_step ?? '', /step-2/);
    assertAbsent(h.run, 'last_error', 'ended_at_ms');
    const steps = h.run.steps;
    expectDomainError(() => h.appendEvent({ type: 'task_retry_requested', status: 'running', step_id: 'step-99' }), 'STEP_NOT_FOUND', {
      step_id: 'step-99',
    });
    // One in a log (upstream, an older Runboard) folds as before: no step created, the why names it.
    const folded = applyRunTransition(h.run, { type: 'task_retry_requested', status: 'running', step_id: 'step-99' }, h.ctx.now);
    assert.deepEqual(folded.steps, steps, 'an unknown step is not created');
    assert.match(folded.why_next_step ?? '', /step-99/);
    const why = h.run.why_next_step;
    h.appendEvent({ type: 'task_retry_requested', status: 'running' });
    assert.equal(h.run.why_next_step, why, 'no step id: why unchanged');
  });

  it('revision_requested: blocked, why with the trimmed feedback when given', () => {
    const h = plannedRun();
    h.appendEvent({ type: 'revision_requested', status: 'running', payload: { feedback: '  use smaller steps  ' } });
    assert.equal(h.run.status, 'blocked');
    assert.match(h.run.why_next_step ?? '', /use smaller steps$/);
    h.appendEvent({ type: 'revision_requested', status: 'running', payload: { feedback: '   ' } });
    assert.equal(h.run.why_next_step, 'A revision was requested.');
  });

  for (const [types, defaultStatus] of [
    [['step_started', 'task_started'], 'in_progress'],
    [['step_completed', 'task_completed', 'step_done'], 'done'],
    [['step_failed', 'task_failed'], 'failed'],
  ] as const) {
    for (const type of types) {
      it(`${type}: the declared status; step → payload step status, default ${defaultStatus}; payload why`, () => {
        const h = plannedRun();
        const e = h.appendEvent({ type, status: 'blocked', step_id: 'step-2', payload: { why_next_step: ' why now ' } });
        assert.equal(e.status, 'blocked');
        assert.equal(stepStatus(h, 'step-2'), defaultStatus);
        assert.equal(h.run.why_next_step, 'why now');
        h.appendEvent({ type, status: 'running', step_id: 'step-3', payload: { step_status: 'Ready' } });
        assert.equal(stepStatus(h, 'step-3'), 'runnable', 'payload step status wins over the default');
        const steps = h.run.steps;
        const refused = expectDomainError(() => h.appendEvent({ type, status: 'running', step_id: 'no-such-step' }), 'STEP_NOT_FOUND', {
          step_id: 'no-such-step',
          steps: steps.map((x) => x.step_id),
        });
        assert.match(refused.message, /has no step no-such-step; its steps are step-1, step-2/);
        // In a log (upstream, an older Runboard) it folds as before: ignored.
        assert.deepEqual(applyRunTransition(h.run, { type, status: 'running', step_id: 'no-such-step' }, h.ctx.now).steps, steps);
        h.appendEvent({ type: type.toUpperCase(), status: 'running', step_id: 'step-4' });
        assert.equal(stepStatus(h, 'step-4'), defaultStatus, 'any case');
      });
    }
  }

  it('step_failed records payload.error (trimmed) as last_error; step_completed does not', () => {
    const h = plannedRun();
    h.appendEvent({ type: 'step_completed', status: 'running', step_id: 'step-1', payload: { error: 'ignored' } });
    assertAbsent(h.run, 'last_error');
    h.appendEvent({ type: 'task_failed', status: 'running', step_id: 'step-2', payload: { error: '  disk full ' } });
    assert.equal(h.run.last_error, 'disk full');
  });

  it('any other type: the declared status; the step moves only when a payload step status parses', () => {
    const h = plannedRun();
    const e = h.appendEvent({ type: 'tool_effect_recorded', status: 'running', step_id: 'step-1' });
    assert.equal(e.status, 'running');
    assert.equal(stepStatus(h, 'step-1'), 'pending', 'no payload status: unchanged');
    h.appendEvent({ type: 'tool_effect_recorded', status: 'running', step_id: 'step-1', payload: { step_status: 'sideways' } });
    assert.equal(stepStatus(h, 'step-1'), 'pending', 'unparseable: unchanged');
    h.appendEvent({ type: 'x', status: 'running', step_id: 'step-1', payload: { stepStatus: 'working' } });
    assert.equal(stepStatus(h, 'step-1'), 'in_progress', 'stepStatus alias key');
    h.appendEvent({ type: 'x', status: 'running', step_id: 'step-1', payload: { 'step-state': 'COMPLETE' } });
    assert.equal(stepStatus(h, 'step-1'), 'done', 'step-state alias key');
    h.appendEvent({ type: 'x', status: 'running', step_id: 'step-2', payload: { step_status: 'blocked', stepStatus: 'done' } });
    assert.equal(stepStatus(h, 'step-2'), 'blocked', 'step_status is read first');
    h.appendEvent({ type: 'x', status: 'running', payload: { why_next_step: ' next: tests ', error: ' flaky ' } });
    assert.equal(h.run.why_next_step, 'next: tests');
    assert.equal(h.run.last_error, 'flaky');
    h.appendEvent({ type: 'x', status: 'running', payload: { why_next_step: '   ', error: '' } });
    assert.equal(h.run.why_next_step, 'next: tests', 'blank why keeps the old one');
    assert.equal(h.run.last_error, 'flaky', 'blank error keeps the old one');
  });

  it('reaching a terminal status through any row stamps ended_at_ms with that event time', () => {
    for (const status of ['completed', 'failed', 'cancelled'] as const) {
      const h = plannedRun();
      h.ctx.advance(1_000);
      assertAbsent(h.run, 'ended_at_ms');
      const ts = h.ctx.advance(60_000);
      h.appendEvent({ type: 'all_done', status });
      assert.equal(h.run.ended_at_ms, ts, status);
      assert.equal(h.run.status, status);
    }
  });

  it('started_at_ms and ended_at_ms come from the events, not from the time of folding', () => {
    const h = new RunHarness();
    const started = h.ctx.advance(1_000);
    h.appendEvent({ type: 'plan_approved', status: 'running' });
    const ended = h.ctx.advance(1_000);
    h.appendEvent({ type: 'done', status: 'completed' });
    assert.equal(h.run.started_at_ms, started);
    assert.equal(h.run.ended_at_ms, ended);
  });
});

describe('appendEvent: reserved and disabled types', () => {
  for (const type of ['context.task.created', 'Context.Task.Claimed', 'CONTEXT.TASK.anything', '  context.task.x  ']) {
    it(`${JSON.stringify(type)} → TASK_EVENT_APPEND_DISABLED`, () => {
      const h = new RunHarness();
      expectDomainError(() => h.appendEvent({ type, status: 'running' }), 'TASK_EVENT_APPEND_DISABLED');
      assert.equal(h.log.length, 1);
    });
  }

  for (const type of [
    'context.run.created',
    'Context.Blackboard.Patched',
    'CONTEXT.artifact.added',
    'context.anything',
    'workspace_validated',
    'Workspace_Mismatch',
    'WORKSPACE_REBOUND',
    ' workspace_rebound ',
  ]) {
    it(`${JSON.stringify(type)} → EVENT_TYPE_RESERVED with the type`, () => {
      const h = new RunHarness();
      expectDomainError(() => h.appendEvent({ type, status: 'running' }), 'EVENT_TYPE_RESERVED', { type: type.trim() });
      assert.equal(h.log.length, 1);
    });
  }

  it('a step_id over 64 KiB → LIMIT_EXCEEDED', () => {
    const h = new RunHarness();
    expectDomainError(
      () => h.appendEvent({ type: 'note', status: 'running', step_id: 's'.repeat(LIMITS.textBytes + 1) }),
      'LIMIT_EXCEEDED',
      {
        limit: 'step_id',
      },
    );
  });

  it('names that merely contain a reserved word are ordinary events', () => {
    const h = new RunHarness();
    for (const type of ['my.context.task', 'workspace_validated_by_me', 'contexts']) h.appendEvent({ type, status: 'running' });
    assert.equal(h.log.length, 4);
  });
});

describe('appendEvent: terminal runs', () => {
  const types = [
    'session_run_started',
    'session_run_finished',
    'planning_started',
    'plan_approved',
    'run_paused',
    'run_resumed',
    'run_cancelled',
    'task_retry_requested',
    'revision_requested',
    'step_started',
    'step_completed',
    'step_failed',
    'note',
  ];
  for (const terminal of ['completed', 'failed', 'cancelled'] as const) {
    it(`a ${terminal} run refuses every type but run_reopened with RUN_TERMINAL {status}`, () => {
      const h = plannedRun();
      h.appendEvent({ type: 'finish', status: terminal });
      const seq = h.run.last_event_seq;
      for (const type of types) {
        for (const status of RUN_STATUSES) {
          expectDomainError(() => h.appendEvent({ type, status }), 'RUN_TERMINAL', { status: terminal });
        }
      }
      assert.equal(h.run.last_event_seq, seq, 'nothing recorded');
    });
  }

  it('run_reopened (any case) → running, ended_at_ms cleared, why quoting the reason', () => {
    const h = plannedRun();
    h.appendEvent({ type: 'run_cancelled', status: 'running' });
    assert.ok(h.run.ended_at_ms !== undefined);
    const e = h.appendEvent({ type: 'Run_Reopened', status: 'cancelled', payload: { reason: ' one more try ' } });
    assert.equal(e.status, 'running');
    assert.equal(h.run.status, 'running');
    assertAbsent(h.run, 'ended_at_ms');
    assert.equal(h.run.why_next_step, `${WHY.reopened} Reason: “one more try”`);
    // Reopened, the run takes ordinary events again.
    h.appendEvent({ type: 'note', status: 'running' });
    h.appendEvent({ type: 'run_completed', status: 'completed' });
    h.appendEvent({ type: 'run_reopened', status: 'completed' });
    assert.equal(h.run.why_next_step, WHY.reopened, 'no reason: the plain note');
  });

  it('the reserved-type checks come before the terminal check', () => {
    const h = new RunHarness();
    h.finish();
    expectDomainError(() => h.appendEvent({ type: 'context.task.x', status: 'running' }), 'TASK_EVENT_APPEND_DISABLED');
    expectDomainError(() => h.appendEvent({ type: 'workspace_mismatch', status: 'running' }), 'EVENT_TYPE_RESERVED');
  });

  it('decideAppendEvent itself refuses (no events returned) on a terminal state', () => {
    const h = new RunHarness();
    h.finish('failed');
    const p = parseParams(METHOD_PARAMS.appendEvent, { run_id: h.runId, type: 'step_started', status: 'running' });
    expectDomainError(() => decideAppendEvent(h.state, p, h.ctx), 'RUN_TERMINAL', { status: 'failed' });
    // and the state before the first event is not terminal
    assert.equal(emptyRunState('x').header.status, 'queued');
  });
});

describe('plan materialization (SPEC §4.3)', () => {
  it('cleans bullet and number prefixes, drops short and empty lines, numbers steps step-1…', () => {
    const steps = materializePlan(
      [
        '',
        '   ',
        '# Heading of the plan',
        '1. Parse the input files',
        '2) Validate every record',
        '--12.3)Write the report',
        '* short',
        '- [x] Tick the checkbox',
        '   ** Indented bullet line  ',
      ].join('\r\n'),
    );
    assert.deepEqual(steps, [
      { step_id: 'step-1', title: 'Heading of the plan', status: 'pending' },
      { step_id: 'step-2', title: 'Parse the input files', status: 'pending' },
      { step_id: 'step-3', title: 'Validate every record', status: 'pending' },
      { step_id: 'step-4', title: 'Write the report', status: 'pending' },
      // A space stops the stripping; "[" is stripped only when it comes before the space.
      { step_id: 'step-5', title: '[x] Tick the checkbox', status: 'pending' },
      { step_id: 'step-6', title: 'Indented bullet line', status: 'pending' },
    ]);
  });

  it('strips only the leading set, stopping at the first other character', () => {
    assert.equal(materializePlan('[1] Bracketed number')[0].title, 'Bracketed number');
    assert.equal(materializePlan('[ ] Open checkbox item')[0].title, '] Open checkbox item');
    assert.equal(materializePlan('a. Lettered item here')[0].title, 'a. Lettered item here');
  });

  it('keeps lines of at least 8 bytes (UTF-8), counted after cleaning', () => {
    assert.deepEqual(
      materializePlan('abcdefgh').map((s) => s.title),
      ['abcdefgh'],
    );
    assert.equal(materializePlan('abcdefg')[0].title, 'Plan the approach', 'seven bytes: too short, defaults');
    assert.deepEqual(
      materializePlan('ééééé').map((s) => s.title),
      ['ééééé'],
      '5 characters, 10 bytes',
    );
    assert.equal(materializePlan('éé€').length, 3, '7 bytes: too short, defaults');
    assert.equal(materializePlan('12345678 ab')[0].title, 'Plan the approach', 'digits are stripped, leaving "ab"');
  });

  it('takes the first six qualifying lines', () => {
    const steps = materializePlan(Array.from({ length: 9 }, (_, i) => `Step number ${i + 1} of the plan`).join('\n'));
    assert.equal(steps.length, 6);
    assert.equal(steps[5].title, 'Step number 6 of the plan');
  });

  it('falls back to three default pending steps', () => {
    for (const objective of ['', 'tiny', '- - -\n1.\n#']) {
      const steps = materializePlan(objective);
      assert.deepEqual(
        steps.map((s) => s.step_id),
        ['step-1', 'step-2', 'step-3'],
      );
      assert.ok(steps.every((s) => s.status === 'pending' && s.title.length > 0));
    }
  });
});

describe('step status parser (SPEC §1.2: one parser, every alias)', () => {
  const table: Array<[string, StepStatus]> = [
    ['pending', 'pending'],
    ['runnable', 'runnable'],
    ['ready', 'runnable'],
    ['in_progress', 'in_progress'],
    ['in-progress', 'in_progress'],
    ['working', 'in_progress'],
    ['active', 'in_progress'],
    ['doing', 'in_progress'],
    ['blocked', 'blocked'],
    ['done', 'done'],
    ['completed', 'done'],
    ['complete', 'done'],
    ['failed', 'failed'],
    ['error', 'failed'],
  ];
  for (const [text, status] of table) {
    it(`${text} → ${status}, trimmed and in any case`, () => {
      assert.equal(parseStepStatus(text), status);
      assert.equal(parseStepStatus(`  ${text.toUpperCase()} `), status);
    });
  }

  it('anything else does not parse', () => {
    for (const v of [
      '',
      ' ',
      'in progress',
      'finished',
      'cancelled',
      'todo',
      'constructor',
      '__proto__',
      'toString',
      1,
      null,
      undefined,
      {},
      ['done'],
    ]) {
      assert.equal(parseStepStatus(v), undefined, JSON.stringify(v));
    }
  });
});
