// Replay is the live fold (PROTOCOL.md §replay): folding the log from scratch, or from cached
// records of any age, yields exactly the live state; a healthy run shows no drift, and every
// drift flag fires on its own divergence.
import { METHOD_PARAMS, parseParams } from '../../../contract/schemas/params';
import { decideSetWorktree } from '../../../server/src/engine/taskWorktree';
import { decideEditTask } from '../../../server/src/engine/taskEdit';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandStamp, fingerprintParams, stampEvents } from '../../../server/src/engine/commandIndex';
import { Blackboard, BLACKBOARD_OPS, EventRecord, RunRecord } from '../../../contract/schemas/records';
import { computeDrift } from '../../../server/src/engine/replay';
import { applyEvent, RunState, stateFromRecords, stateSeq, toBlackboard, toRunRecord } from '../../../server/src/engine/state';
import { decideCreateTasks } from '../../../server/src/engine/taskCreation';
import { decideExpireLeases, decideTransition } from '../../../server/src/engine/taskLifecycle';
import { foldAll, pictureOf, RunHarness, testContext } from './harness';
import { EVENT } from '../../../contract/events';
import { isTerminal } from '../../../contract/statuses';
import { DriftFlags } from '../../../contract/results';
import { decideClaim } from '../../../server/src/engine/taskClaim';

const OBJECTIVE = 'Port the exporter\n1. Read the legacy format\n2. Write the new format\n3. Compare the outputs';

function stampOf(commandId: string, method: string, params: unknown): CommandStamp {
  return { command_id: commandId, command_method: method, command_fingerprint: fingerprintParams(params) };
}

/** A run that writes every kind of event the engine knows, with time moving between commands. */
function fullRun(): RunHarness {
  const h = new RunHarness({ objective: OBJECTIVE, recordHistory: true });
  const tick = () => h.ctx.advance(1_000);
  h.appendEvent({ type: 'planning_started', status: 'planning' });
  tick();
  h.validateWorkspace('/ws/one', { phase: 'start' });
  h.appendEvent({ type: 'plan_approved', status: 'running' });
  tick();
  h.appendEvent({ type: 'step_completed', status: 'running', step_id: 'step-1', payload: { why_next_step: 'on to step 2' } });
  h.appendEvent({ type: 'tool_effect_recorded', status: 'running', step_id: 'step-2', payload: { step_status: 'working', error: 'warn' } });
  h.patch('add_fact', { text: 'legacy format is CSV' });
  h.patch('add_decision', { text: 'emit JSON lines', step_id: 'step-2' });
  h.patch('add_open_question', { id: 'question-encoding', text: 'which encoding?' });
  h.patch('add_artifact', { path: 'out/a.jsonl', artifact_type: 'output' });
  h.patch('set_rolling_summary', 'reading done');
  h.patch('set_latest_context_pack', 'pack-1');
  tick();

  const taskParams = {
    run_id: h.runId,
    command_id: 'cmd-create',
    tasks: [
      { id: 'read', task_type: 'research', priority: 2 },
      { id: 'write', task_type: 'implementation', payload: { output_target: { path: 'src/w.ts' } }, depends_on_task_ids: ['read'] },
      { id: 'check', task_type: 'validation', depends_on_task_ids: ['write'], max_attempts: 1 },
      { id: 'docs', priority: -1 },
      { id: 'spare', status: 'blocked' as const },
    ],
  };
  h.commit(
    stampEvents(decideCreateTasks(h.state, h.parseTasks(taskParams.tasks), h.ctx).events, stampOf('cmd-create', 'createTasks', taskParams)),
  );
  tick();
  const claimParams = { run_id: h.runId, agent_id: 'agent-a', command_id: 'cmd-claim' };
  h.commit(
    stampEvents(
      h.decide((s, c) => decideClaim(s, claimParams, c)),
      stampOf('cmd-claim', 'claimTask', claimParams),
    ),
  );
  const read = h.task('read');
  h.transition({ task_id: 'read', action: 'heartbeat', lease_token: read.lease_token, lease_ms: 60_000 });
  h.transition({ task_id: 'read', action: 'status', status: 'in_progress', lease_token: read.lease_token });
  tick();
  const completeParams = {
    run_id: h.runId,
    task_id: 'read',
    action: 'complete' as const,
    lease_token: read.lease_token,
    command_id: 'cmd-done',
  };
  h.commit(
    stampEvents(
      h.decide((s, c) => decideTransition(s, h.transitionRequest(completeParams), c)),
      stampOf('cmd-done', 'transitionTask', completeParams),
    ),
  );
  const write = h.claim({ agent_id: 'agent-b' })!;
  h.transition({ task_id: 'write', action: 'fail', lease_token: write.lease_token, error: 'type error' });
  h.transition({ task_id: 'write', action: 'retry' });
  const write2 = h.claim({ agent_id: 'agent-b', task_id: 'write' })!;
  h.transition({ task_id: 'write', action: 'release', lease_token: write2.lease_token });
  const write3 = h.claim({ agent_id: 'agent-c' })!;
  h.transition({ task_id: 'write', action: 'complete', lease_token: write3.lease_token, agent_id: 'agent-c' });
  h.transition({ task_id: 'spare', action: 'status', status: 'runnable' });
  h.transition({ task_id: 'spare', action: 'status', status: 'blocked' });
  h.claim({ agent_id: 'agent-d', task_id: 'check', lease_ms: 5_000 });
  h.claim({ agent_id: 'agent-e', task_id: 'docs', lease_ms: 5_000 });
  h.ctx.advance(6_000);
  h.commit(h.decide((s, c) => decideExpireLeases(s, c))); // check fails (max_attempts 1), docs is requeued
  const docs = h.claim({ agent_id: 'agent-f', task_id: 'docs' })!;
  h.requeue({ task_id: 'docs', force: true, reason: 'reassign' });
  assert.equal(docs.id, 'docs');
  tick();
  h.validateWorkspace('/ws/two', { phase: 'resume' });
  h.rebindWorkspace('/ws/two');
  h.appendEvent({ type: 'session_run_started', status: 'running', step_id: 'step-2' });
  h.appendEvent({ type: 'session_run_finished', status: 'running', step_id: 'step-2' });
  h.appendEvent({ type: 'run_paused', status: 'running' });
  h.appendEvent({ type: 'run_resumed', status: 'paused' });
  h.appendEvent({ type: 'revision_requested', status: 'running', payload: { feedback: 'smaller diff' } });
  h.appendEvent({ type: 'task_retry_requested', status: 'blocked', step_id: 'step-3' });
  h.appendEvent({ type: 'step_failed', status: 'running', step_id: 'step-3', payload: { error: 'diff too big' } });
  tick();
  h.appendEvent({ type: 'run_finished', status: 'completed' });
  h.appendEvent({ type: 'run_reopened', status: 'completed', payload: { reason: 'one more check' } });
  h.patch('add_fact', { text: 'reopened' });
  const edit = parseParams(METHOD_PARAMS.editTask, { run_id: h.runId, task_id: 'docs', priority: 7, labels: ['late'] });
  h.commit(h.decide((s, c) => decideEditTask(s, edit, c)));
  // Format 4: cancelled tasks (one cascading to its dependent, one reopened) and items that close.
  h.createTasks([{ id: 'spike' }, { id: 'spike-report', depends_on_task_ids: ['spike'] }]);
  h.cancel({ task_id: 'spike', reason: 'out of scope', cascade: true, agent_id: 'ann' });
  h.requeue({ task_id: 'spike-report', reason: 'wanted after all' });
  h.patch('add_open_question', { id: 'question-db', text: 'Which database?' });
  h.patch('answer_question', { question_id: 'question-db', text: 'SQLite', decision: 'Use SQLite', by: 'ann' });
  h.patch('reopen_question', { question_id: 'question-db', reason: 'scale' });
  h.patch('resolve_question', { question_id: 'question-db', note: 'moot' });
  const decision = h.blackboard.decisions.find((d) => d.answers_question === 'question-db')!;
  h.patch('supersede_decision', { decision_id: decision.id, text: 'Use PostgreSQL' });
  // Format 5: a task's git worktree recorded, then settled.
  const worktree = { path: '/ws/two.worktrees/r/spike-report', branch: 'runboard/r/spike-report', base: 'main', state: 'active' as const };
  for (const wt of [worktree, { ...worktree, state: 'removed' as const }]) {
    const set = parseParams(METHOD_PARAMS.setTaskWorktree, { run_id: h.runId, task_id: 'spike-report', worktree: wt });
    h.commit(h.decide((s, c) => decideSetWorktree(s, set, c)));
  }
  tick();
  h.finishRun({ status: 'failed', reason: 'the check failed' });
  h.appendEvent({ type: 'run_reopened', status: 'failed' });
  h.finishRun({ status: 'completed', force: true });
  h.appendEvent({ type: 'run_reopened', status: 'completed' });
  tick();
  h.appendEvent({ type: 'run_cancelled', status: 'running' });
  return h;
}

const FULL = fullRun();

function noDrift(): DriftFlags {
  return {
    status_mismatch: false,
    why_next_step_mismatch: false,
    step_count_mismatch: false,
    step_status_mismatch: false,
    blackboard_revision_mismatch: false,
    blackboard_task_count_mismatch: false,
    blackboard_task_status_mismatch: false,
    last_event_seq_mismatch: false,
    run_content_mismatch: false,
    blackboard_content_mismatch: false,
    mismatch: false,
  };
}

/** A state rebuilt from cached records taken at `runSeq` (run) and `boardSeq` (blackboard), as the store loads it. */
function restoredAt(log: readonly EventRecord[], runSeq: number, boardSeq: number, commandSeq = 0): RunState {
  const runPart = foldAll(FULL.runId, log.slice(0, runSeq));
  const boardPart = foldAll(FULL.runId, log.slice(0, boardSeq));
  const commandPart = foldAll(FULL.runId, log.slice(0, commandSeq));
  // Through JSON, as the records come from run.json / blackboard.json.
  const run = JSON.parse(JSON.stringify(toRunRecord(runPart))) as RunRecord;
  const board = JSON.parse(JSON.stringify(toBlackboard(boardPart))) as Blackboard;
  return stateFromRecords(run, board, { seq: commandPart.commandsSeq, entries: structuredClone([...commandPart.commands]) });
}

describe('the full run', () => {
  it('uses every event type of the engine and several run event rows', () => {
    const types = new Set(FULL.log.map((e) => e.type));
    // context.log.repaired is the store's (a repair of a damaged log), not an engine decision.
    for (const type of Object.values(EVENT).filter((t) => t !== EVENT.logRepaired))
      assert.ok(types.has(type), `the full run writes ${type}`);
    for (const type of [
      'planning_started',
      'plan_approved',
      'run_paused',
      'run_resumed',
      'run_cancelled',
      'run_reopened',
      'session_run_started',
    ]) {
      assert.ok(types.has(type), type);
    }
    assert.ok(FULL.log.some((e) => e.type === EVENT.taskFailed && (e.payload as { stale_requeue?: boolean }).stale_requeue));
    assert.ok(FULL.log.some((e) => e.command_id !== undefined));
    assert.equal(FULL.run.status, 'cancelled');
    assert.deepEqual(
      [...FULL.state.tasks.values()].map((t) => [t.id, t.status]),
      [
        ['read', 'done'],
        ['write', 'done'],
        ['check', 'failed'],
        ['docs', 'runnable'],
        ['spare', 'blocked'],
        ['spike', 'cancelled'],
        ['spike-report', 'runnable'],
      ],
    );
    const ops = new Set(FULL.log.map((e) => (e.payload as { op?: string } | null)?.op).filter((op) => op !== undefined));
    for (const op of BLACKBOARD_OPS) assert.ok(ops.has(op), `the full run patches ${op}`);
  });
});

describe('replay from scratch', () => {
  it('folding every event into the empty state equals the live state (run, blackboard, command index)', () => {
    assert.deepEqual(pictureOf(foldAll(FULL.runId, FULL.log)), pictureOf(FULL.state));
  });

  it('the log read back as JSON folds to the same state (no undefined-valued keys anywhere)', () => {
    const fromDisk = JSON.parse(JSON.stringify(FULL.log)) as EventRecord[];
    assert.deepEqual(pictureOf(foldAll(FULL.runId, fromDisk)), pictureOf(FULL.state));
    assert.deepEqual(JSON.parse(JSON.stringify(pictureOf(FULL.state))), pictureOf(FULL.state));
  });

  it('computeDrift shows no drift for the healthy run', () => {
    const replay = foldAll(FULL.runId, FULL.log);
    assert.deepEqual(computeDrift(toRunRecord(replay), toBlackboard(replay), FULL.run, FULL.blackboard), noDrift());
  });

  it('every prefix of the log folds to the state the live run had at that seq', () => {
    const history = FULL.history!;
    assert.equal(history.length, FULL.log.length);
    for (let k = 1; k <= FULL.log.length; k++) {
      assert.equal(JSON.stringify(pictureOf(foldAll(FULL.runId, FULL.log.slice(0, k)))), history[k - 1], `prefix of ${k} events`);
    }
  });
});

describe('snapshot catch-up', () => {
  const last = FULL.log.length;
  const cuts = Array.from({ length: last }, (_, i) => i + 1);

  it('records at any seq plus the rest of the log equal folding everything', () => {
    for (const k of cuts) {
      const state = restoredAt(FULL.log, k, k, k);
      assert.equal(stateSeq(state), k);
      for (const e of FULL.log.slice(k)) applyEvent(state, e);
      assert.deepEqual(pictureOf(state), pictureOf(FULL.state), `cut at ${k}`);
    }
  });

  it('folding the whole log over newer records applies each event once (per-part seqs)', () => {
    for (const k of cuts) {
      const state = restoredAt(FULL.log, k, k, k);
      for (const e of FULL.log) applyEvent(state, e);
      assert.deepEqual(pictureOf(state), pictureOf(FULL.state), `cut at ${k}`);
    }
  });

  it('a run part newer than its blackboard part (and the other way round) catches up correctly', () => {
    const pairs: Array<[number, number]> = [];
    for (let runSeq = 1; runSeq <= last; runSeq += 3) {
      for (let boardSeq = 1; boardSeq <= last; boardSeq += 4) if (runSeq !== boardSeq) pairs.push([runSeq, boardSeq]);
    }
    assert.ok(pairs.some(([r, b]) => r > b) && pairs.some(([r, b]) => r < b));
    for (const [runSeq, boardSeq] of pairs) {
      const state = restoredAt(FULL.log, runSeq, boardSeq, Math.min(runSeq, boardSeq));
      assert.equal(stateSeq(state), Math.min(runSeq, boardSeq));
      for (const e of FULL.log.slice(stateSeq(state))) applyEvent(state, e);
      assert.deepEqual(pictureOf(state), pictureOf(FULL.state), `run at ${runSeq}, blackboard at ${boardSeq}`);
    }
  });

  it('a restored state decides exactly like the live one (task indexes rebuilt)', () => {
    for (const k of cuts) {
      const folded = foldAll(FULL.runId, FULL.log.slice(0, k));
      const restored = restoredAt(FULL.log, k, k, k);
      assert.equal(restored.index.nextLeaseExpiry(), folded.index.nextLeaseExpiry(), `lease queue at ${k}`);
      for (const now of [FULL.log[k - 1].ts_ms, FULL.log[k - 1].ts_ms + 120_000]) {
        const expire = (s: RunState) => decideExpireLeases(s, testContext(now));
        assert.deepEqual(expire(restored), expire(folded), `expiry at ${k}, now ${now}`);
        if (isTerminal(folded.header.status)) continue; // claims are refused there (RUN_TERMINAL)
        const claim = (s: RunState) => decideClaim(s, { agent_id: 'probe' }, testContext(now));
        assert.deepEqual(claim(restored), claim(folded), `claim at ${k}, now ${now}`);
      }
    }
  });

  it('a checkpoint-like copy is independent of the state it was taken from', () => {
    const h = new RunHarness();
    h.patch('add_fact', { text: 'one' });
    const run = toRunRecord(h.state);
    const board = toBlackboard(h.state);
    const copy = stateFromRecords(run, board);
    h.patch('add_fact', { text: 'two' });
    h.addTask({ id: 't' });
    assert.equal(board.facts.length, 1, 'toBlackboard returned a copy');
    assert.equal(run.tasks.length, 0);
    assert.equal(copy.blackboard.facts.length, 1);
    assert.equal(copy.tasks.size, 0);
    applyEvent(copy, h.log[2]);
    assert.equal(board.facts.length, 1, 'folding into the copy leaves the records alone');
    assert.equal(h.blackboard.facts.length, 2);
  });
});

describe('drift flags', () => {
  const persisted = FULL.run;
  const persistedBoard = FULL.blackboard;

  function driftWith(edit: (run: RunRecord, board: Blackboard) => void): DriftFlags {
    const run = structuredClone(persisted);
    const board = structuredClone(persistedBoard);
    edit(run, board);
    return computeDrift(run, board, persisted, persistedBoard);
  }

  function only(...flags: Array<keyof DriftFlags>): DriftFlags {
    const expected = noDrift();
    for (const f of flags) expected[f] = true;
    expected.mismatch = flags.length > 0;
    return expected;
  }

  it('the run compared with itself has no drift', () => {
    assert.deepEqual(
      driftWith(() => {}),
      noDrift(),
    );
  });

  it('status_mismatch', () => {
    assert.deepEqual(
      driftWith((r) => {
        r.status = 'running';
      }),
      only('status_mismatch'),
    );
  });

  it('why_next_step_mismatch (other text, or null against text)', () => {
    assert.deepEqual(
      driftWith((r) => {
        r.why_next_step = 'something else';
      }),
      only('why_next_step_mismatch'),
    );
    assert.deepEqual(
      driftWith((r) => {
        r.why_next_step = null;
      }),
      only('why_next_step_mismatch'),
    );
  });

  it('step_count_mismatch (an extra step in the replay)', () => {
    assert.deepEqual(
      driftWith((r) => {
        r.steps.push({ step_id: 'step-x', title: 'x', status: 'pending' });
      }),
      only('step_count_mismatch'),
    );
  });

  it('a step missing from the replay is both a count and a status mismatch', () => {
    assert.deepEqual(
      driftWith((r) => {
        r.steps.pop();
      }),
      only('step_count_mismatch', 'step_status_mismatch'),
    );
  });

  it('step_status_mismatch', () => {
    assert.deepEqual(
      driftWith((r) => {
        r.steps[0].status = r.steps[0].status === 'done' ? 'failed' : 'done';
      }),
      only('step_status_mismatch'),
    );
  });

  it('blackboard_revision_mismatch', () => {
    assert.deepEqual(
      driftWith((_r, b) => {
        b.revision -= 1;
      }),
      only('blackboard_revision_mismatch'),
    );
  });

  it('blackboard_task_count_mismatch (an extra task in the replay)', () => {
    assert.deepEqual(
      driftWith((_r, b) => {
        b.tasks.push({ ...b.tasks[0], id: 'extra' });
      }),
      only('blackboard_task_count_mismatch'),
    );
  });

  it('a task missing from the replay is both a task count and a task status mismatch', () => {
    assert.deepEqual(
      driftWith((_r, b) => {
        b.tasks.pop();
      }),
      only('blackboard_task_count_mismatch', 'blackboard_task_status_mismatch'),
    );
  });

  it('blackboard_task_status_mismatch', () => {
    assert.deepEqual(
      driftWith((_r, b) => {
        b.tasks[1].status = 'runnable';
      }),
      only('blackboard_task_status_mismatch'),
    );
  });

  it('last_event_seq_mismatch', () => {
    assert.deepEqual(
      driftWith((r) => {
        r.last_event_seq -= 1;
      }),
      only('last_event_seq_mismatch'),
    );
  });

  it('a replay to an earlier seq shows what changed since', () => {
    const h = new RunHarness({ objective: OBJECTIVE });
    h.appendEvent({ type: 'planning_started', status: 'planning' });
    h.addTask({ id: 't' });
    const upTo = h.run.last_event_seq;
    h.patch('add_fact', { text: 'later' });
    const early = foldAll(h.runId, h.log.slice(0, upTo));
    assert.deepEqual(
      computeDrift(toRunRecord(early), toBlackboard(early), h.run, h.blackboard),
      only('blackboard_revision_mismatch', 'last_event_seq_mismatch', 'run_content_mismatch', 'blackboard_content_mismatch'),
    );
    h.claim({ agent_id: 'a' });
    h.appendEvent({ type: 'plan_approved', status: 'running' });
    assert.deepEqual(
      computeDrift(toRunRecord(early), toBlackboard(early), h.run, h.blackboard),
      only(
        'status_mismatch',
        'why_next_step_mismatch',
        'step_status_mismatch',
        'blackboard_revision_mismatch',
        'blackboard_task_status_mismatch',
        'last_event_seq_mismatch',
        'run_content_mismatch',
        'blackboard_content_mismatch',
      ),
    );
  });

  // A cache edited by hand in what no other flag compares (red-team, 2026-12-07: replay said "No drift").
  it('run_content_mismatch (the objective, a task payload, a lease holder edited in the persisted record)', () => {
    const edits: Array<(r: RunRecord) => void> = [
      (r) => (r.objective = 'EDITED'),
      (r) => (r.tasks[0].payload = { ...(r.tasks[0].payload as object), title: 'EDITED' }),
      (r) => (r.steps[0].title = 'EDITED'),
      (r) => r.tasks.pop(),
    ];
    for (const edit of edits) {
      const run = structuredClone(persisted);
      edit(run);
      assert.deepEqual(computeDrift(persisted, persistedBoard, run, persistedBoard), only('run_content_mismatch'), String(edit));
    }
  });

  it('blackboard_content_mismatch (facts and decisions emptied, a question reworded)', () => {
    const edits: Array<(b: Blackboard) => void> = [
      (b) => (b.facts = []),
      (b) => (b.decisions = []),
      (b) => (b.open_questions[0] = { ...b.open_questions[0], text: 'EDITED' }),
      (b) => (b.tasks[0] = { ...b.tasks[0], lease_owner: 'mallory' }),
    ];
    assert.ok(persistedBoard.facts.length > 0 && persistedBoard.decisions.length > 0 && persistedBoard.open_questions.length > 0);
    for (const edit of edits) {
      const board = structuredClone(persistedBoard);
      edit(board);
      assert.deepEqual(computeDrift(persisted, persistedBoard, persisted, board), only('blackboard_content_mismatch'), String(edit));
    }
  });

  it('a field the persisted record lacks (a cache written before the field existed) is no drift', () => {
    const older = structuredClone(persisted) as Partial<RunRecord>;
    const olderBoard = structuredClone(persistedBoard);
    delete older.status_changed_at_ms;
    delete (olderBoard.tasks[0] as Partial<(typeof olderBoard.tasks)[0]>).labels;
    assert.deepEqual(computeDrift(persisted, persistedBoard, older as RunRecord, olderBoard), noDrift());
  });
});
