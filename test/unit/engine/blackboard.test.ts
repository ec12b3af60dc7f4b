// Blackboard patches (SPEC.md §5 with PROTOCOL.md's fixes): payloads validated before anything
// is written, ids and times generated, each item stored once, revision = the patch event's seq.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizePatch } from '../../../server/src/engine/blackboard';
import { patchRowFor } from '../../../server/src/engine/patches';
import { assertAbsent, expectDomainError, RunHarness, T0, testContext } from './harness';
import { LIMITS } from '../../../contract/limits';

const LIST_OPS = [
  ['add_fact', 'facts', 'fact'],
  ['add_decision', 'decisions', 'decision'],
  ['add_open_question', 'open_questions', 'question'],
] as const;

/** A run of two steps, step-1 and step-2. */
const TWO_STEPS = { create: { steps: ['Build', 'Test'] } };

describe('blackboard: list items', () => {
  for (const [op, key, prefix] of LIST_OPS) {
    it(`${op}: one context.blackboard.patched event, id ${prefix}-…, ts_ms = now, stored once`, () => {
      const h = new RunHarness();
      const ts = h.ctx.advance(500);
      const e = h.patch(op, { text: 'The build uses esbuild' });
      assert.equal(e.type, 'context.blackboard.patched');
      assert.equal(e.status, h.run.status);
      assertAbsent(e, 'step_id', 'task_id');
      const item = { id: `${prefix}-2`, ts_ms: ts, text: 'The build uses esbuild' };
      assert.deepEqual(e.payload, { op, payload: item }, 'the payload carries the generated id and time');
      assert.deepEqual(h.blackboard[key], [item]);
      assert.equal(h.blackboard.revision, e.seq);
      assert.equal(h.blackboard.last_event_seq, e.seq);
      assert.equal(h.run.last_event_seq, e.seq);
      assert.equal(h.run.revision, e.revision);
    });
  }

  it('keeps a given id, ts_ms, step_id and source_event_id; extra keys are dropped', () => {
    const h = new RunHarness(TWO_STEPS);
    h.patch('add_decision', { id: 'decision-use-zod', ts_ms: 42, text: 'Use zod', step_id: 'step-1', source_event_id: 'evt-1', extra: 1 });
    assert.deepEqual(h.blackboard.decisions, [
      { id: 'decision-use-zod', ts_ms: 42, text: 'Use zod', step_id: 'step-1', source_event_id: 'evt-1' },
    ]);
  });

  it('stores several items in order, each exactly once', () => {
    const h = new RunHarness();
    h.patch('add_fact', { text: 'one' });
    h.patch('add_fact', { text: 'two' });
    h.patch('add_open_question', { text: 'why?' });
    h.patch('add_fact', { text: 'three' });
    assert.deepEqual(
      h.blackboard.facts.map((f) => f.text),
      ['one', 'two', 'three'],
    );
    assert.equal(h.blackboard.open_questions.length, 1);
    assert.equal(new Set(h.blackboard.facts.map((f) => f.id)).size, 3);
  });

  it('a missing, non-string, empty or blank text is BLACKBOARD_PAYLOAD_INVALID {op}', () => {
    const h = new RunHarness();
    h.patch('add_fact', { text: ' a fact ' });
    for (const payload of [
      { text: '' },
      { text: ' \n\t' },
      undefined,
      null,
      'text',
      7,
      [],
      {},
      { text: 5 },
      { text: null },
      { text: 'x', ts_ms: -1 },
      { text: 'x', id: '  ' },
    ]) {
      expectDomainError(() => h.patch('add_fact', payload), 'BLACKBOARD_PAYLOAD_INVALID', { op: 'add_fact' });
    }
    expectDomainError(() => h.patch('add_open_question', { txt: 'typo' }), 'BLACKBOARD_PAYLOAD_INVALID', { op: 'add_open_question' });
    assert.equal(h.blackboard.facts.length, 1);
    assert.equal(h.log.length, 2, 'rejected patches record nothing');
  });

  it("an item's step_id names one of the run's steps: any other is STEP_NOT_FOUND naming them, and nothing is recorded", () => {
    const h = new RunHarness(TWO_STEPS);
    h.patch('add_fact', { text: 'tagged', step_id: ' step-2 ' });
    h.patch('add_fact', { text: 'untagged', step_id: ' ' });
    assert.deepEqual(
      h.blackboard.facts.map((f) => f.step_id),
      ['step-2', undefined],
      'stored as the run names it; blank is none',
    );
    for (const op of ['add_fact', 'add_decision', 'add_open_question', 'add_artifact'] as const) {
      const payload = op === 'add_artifact' ? { path: 'p', artifact_type: 't', step_id: 'step-9' } : { text: 'x', step_id: 'step-9' };
      expectDomainError(() => h.patch(op, payload), 'STEP_NOT_FOUND', { step_id: 'step-9', steps: ['step-1', 'step-2'] });
    }
    const plain = new RunHarness();
    expectDomainError(() => plain.patch('add_fact', { text: 'x', step_id: 'step-1' }), 'STEP_NOT_FOUND', { step_id: 'step-1', steps: [] });
    assert.equal(h.blackboard.facts.length, 2);
  });

  it('a given id already on the blackboard (any list) is BLACKBOARD_PAYLOAD_INVALID', () => {
    const h = new RunHarness();
    h.patch('add_fact', { id: 'shared-id', text: 'a' });
    expectDomainError(() => h.patch('add_decision', { id: 'shared-id', text: 'b' }), 'BLACKBOARD_PAYLOAD_INVALID', { op: 'add_decision' });
    expectDomainError(() => h.patch('add_artifact', { id: 'shared-id', path: 'p', artifact_type: 't' }), 'BLACKBOARD_PAYLOAD_INVALID');
  });

  it('a text over 64 KiB is LIMIT_EXCEEDED; exactly 64 KiB is accepted', () => {
    const h = new RunHarness();
    h.patch('add_fact', { text: 'x'.repeat(LIMITS.textBytes) });
    expectDomainError(() => h.patch('add_fact', { text: 'x'.repeat(LIMITS.textBytes + 1) }), 'LIMIT_EXCEEDED', { max: LIMITS.textBytes });
    expectDomainError(() => h.patch('add_decision', { text: '€'.repeat(30_000) }), 'LIMIT_EXCEEDED');
    assert.equal(h.blackboard.facts.length, 1);
    assert.equal(h.blackboard.decisions.length, 0);
  });
});

describe('blackboard: artifacts', () => {
  it('add_artifact is a context.artifact.added event; id artifact-…; required path and artifact_type', () => {
    const h = new RunHarness(TWO_STEPS);
    const e = h.patch('add_artifact', { path: 'out/report.md', artifact_type: 'report', step_id: 'step-2' });
    assert.equal(e.type, 'context.artifact.added');
    const artifact = { id: 'artifact-2', ts_ms: T0, path: 'out/report.md', artifact_type: 'report', step_id: 'step-2' };
    assert.deepEqual(e.payload, { op: 'add_artifact', payload: artifact });
    assert.deepEqual(h.blackboard.artifacts, [artifact]);
    assert.equal(h.blackboard.revision, e.seq);
  });

  it('refuses artifacts without a non-blank path or artifact_type', () => {
    const h = new RunHarness();
    for (const payload of [
      { path: 'a' },
      { artifact_type: 'b' },
      { path: ' ', artifact_type: 'b' },
      { path: 'a', artifact_type: '' },
      { text: 'x' },
      null,
    ]) {
      expectDomainError(() => h.patch('add_artifact', payload), 'BLACKBOARD_PAYLOAD_INVALID', { op: 'add_artifact' });
    }
  });

  it('a path over 64 KiB is LIMIT_EXCEEDED', () => {
    const h = new RunHarness();
    expectDomainError(() => h.patch('add_artifact', { path: 'p'.repeat(LIMITS.textBytes + 1), artifact_type: 'file' }), 'LIMIT_EXCEEDED');
  });
});

describe('blackboard: summaries', () => {
  for (const [op, key] of [
    ['set_rolling_summary', 'rolling'],
    ['set_latest_context_pack', 'latest_context_pack'],
  ] as const) {
    it(`${op} sets summaries.${key} and nothing else; payload must be a string`, () => {
      const h = new RunHarness();
      const e = h.patch(op, 'first');
      h.patch(op, 'second');
      assert.deepEqual(e.payload, { op, payload: 'first' });
      const other = key === 'rolling' ? 'latest_context_pack' : 'rolling';
      assert.equal(h.blackboard.summaries[key], 'second');
      assert.equal(h.blackboard.summaries[other], '');
      for (const bad of [1, null, { text: 'x' }, ['x']]) {
        expectDomainError(() => h.patch(op, bad), 'BLACKBOARD_PAYLOAD_INVALID', { op });
      }
      expectDomainError(() => h.patch(op, 's'.repeat(LIMITS.textBytes + 1)), 'LIMIT_EXCEEDED');
      h.patch(op, '');
      assert.equal(h.blackboard.summaries[key], '', 'an empty string clears it');
    });
  }
});

describe('blackboard: task ops and revision', () => {
  for (const op of ['add_task', 'update_task_lease', 'update_task_state']) {
    it(`${op} → TASK_PATCH_OP_DISABLED, nothing recorded`, () => {
      const h = new RunHarness();
      expectDomainError(() => h.patch(op, { task_id: 't1', status: 'done' }), 'TASK_PATCH_OP_DISABLED');
      expectDomainError(() => normalizePatch(h.state.blackboard, op, null, testContext()), 'TASK_PATCH_OP_DISABLED');
      assert.equal(h.log.length, 1);
    });
  }

  it('an op unknown to the engine is BLACKBOARD_PAYLOAD_INVALID (params parsing normally stops it first)', () => {
    const h = new RunHarness();
    // Object.prototype member names included: they must not be mistaken for list ops.
    for (const op of ['add_wish', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expectDomainError(() => normalizePatch(h.state.blackboard, op, { text: 'x' }, testContext()), 'BLACKBOARD_PAYLOAD_INVALID', { op });
    }
  });

  it('revision is the seq of the last blackboard event; task and run events do not move it', () => {
    const h = new RunHarness();
    assert.equal(h.blackboard.revision, 0);
    const e = h.patch('add_fact', { text: 'a' });
    h.addTask();
    h.claim({ agent_id: 'a1' });
    h.appendEvent({ type: 'note', status: 'running' });
    assert.equal(h.blackboard.revision, e.seq);
    assert.ok(h.run.last_event_seq > e.seq);
    assert.equal(h.blackboard.last_event_seq, h.run.last_event_seq, 'the blackboard part still follows the log');
    const e2 = h.patch('set_rolling_summary', 'sum');
    assert.equal(h.blackboard.revision, e2.seq);
  });

  it('a terminal run still accepts blackboard patches', () => {
    const h = new RunHarness();
    h.finish();
    const e = h.patch('add_fact', { text: 'written after the end' });
    assert.equal(e.status, 'completed');
    assert.equal(h.blackboard.facts.length, 1);
  });

  it('the blackboard projection carries the run tasks', () => {
    const h = new RunHarness();
    const [t] = h.createTasks([{ id: 'task-a' }]);
    assert.deepEqual(h.blackboard.tasks, [t]);
  });
});

describe('patch rows (listPatches)', () => {
  it('one row per blackboard event and per task event; none for run events', () => {
    const h = new RunHarness();
    const fact = h.patch('add_fact', { text: 'a' });
    const [created] = h.createTasks([{ id: 't1' }]);
    h.claim({ agent_id: 'a1' });
    const heartbeat = h.transition({ task_id: 't1', action: 'heartbeat', lease_token: h.task('t1').lease_token });
    const complete = h.transition({ task_id: 't1', action: 'complete', lease_token: h.task('t1').lease_token });
    const rows = h.log.map(patchRowFor).filter((r) => r !== undefined);
    assert.deepEqual(
      rows.map((r) => [r.seq, r.op]),
      [
        [fact.seq, 'add_fact'],
        [3, 'add_task'],
        [4, 'update_task_state'],
        [heartbeat.seq, 'update_task_lease'],
        [complete.seq, 'update_task_state'],
      ],
    );
    assert.equal(rows[0].patch_id, `bbp-${fact.event_id.slice(4)}`);
    assert.deepEqual(rows[0].payload, (fact.payload as { payload: unknown }).payload);
    assert.deepEqual(rows[1].payload, created);
    assert.equal((rows[4].payload as { task_id: string; status: string }).task_id, 't1');
    assert.equal((rows[4].payload as { status: string }).status, 'done');
    assert.equal(patchRowFor(h.log[0]), undefined, 'context.run.created has no patch row');
  });
});
