// Questions and decisions that close (issue 17, PROTOCOL.md §patchBlackboard; runs of format 4):
// answered and resolved questions leave open_questions for closed_questions, reopen brings them
// back, a superseded decision names its successor; wrong ids and states are refused with nothing written.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectDomainError, foldAll, pictureOf, RunHarness, T0 } from './harness';

function withQuestion(): { h: RunHarness; q: string } {
  const h = new RunHarness();
  h.patch('add_open_question', { id: 'question-db', text: 'Which database?' });
  return { h, q: 'question-db' };
}

describe('blackboard: questions and decisions that close', () => {
  it('answer_question closes the question with the answer and who; with decision it also records one', () => {
    const { h, q } = withQuestion();
    h.patch('add_open_question', { id: 'question-other', text: 'Still open?' });
    const at = h.ctx.advance(1000);
    const e = h.patch('answer_question', { question_id: q, text: 'PostgreSQL', decision: 'Use PostgreSQL 16', by: 'ann' });
    const decision = (e.payload as { payload: { decision: { id: string } } }).payload.decision;
    assert.deepEqual(
      h.blackboard.open_questions.map((x) => x.id),
      ['question-other'],
      'no longer open',
    );
    assert.deepEqual(h.blackboard.closed_questions, [
      {
        id: q,
        ts_ms: T0,
        text: 'Which database?',
        question_status: 'answered',
        answer: { ts_ms: at, by: 'ann', text: 'PostgreSQL', decision_id: decision.id },
      },
    ]);
    assert.deepEqual(h.blackboard.decisions, [{ id: decision.id, ts_ms: at, text: 'Use PostgreSQL 16', answers_question: q, by: 'ann' }]);
    assert.equal(h.blackboard.revision, e.seq);
    assert.deepEqual(pictureOf(foldAll(h.runId, h.log)), pictureOf(h.state), 'a load from the log agrees');
  });

  it('resolve_question closes without an answer; reopen_question brings it back, keeping what was said', () => {
    const { h, q } = withQuestion();
    h.patch('resolve_question', { question_id: q, note: 'no longer relevant' });
    assert.equal(h.blackboard.open_questions.length, 0);
    assert.equal(h.blackboard.closed_questions[0].question_status, 'resolved');
    assert.deepEqual(h.blackboard.closed_questions[0].resolution, { ts_ms: T0, text: 'no longer relevant' });
    h.patch('reopen_question', { question_id: q, reason: 'it came back', by: 'bob' });
    assert.equal(h.blackboard.closed_questions.length, 0);
    const back = h.blackboard.open_questions[0];
    assert.equal(back.question_status, 'open');
    assert.deepEqual(back.reopened, { ts_ms: T0, by: 'bob', text: 'it came back' });
    assert.equal(back.resolution?.text, 'no longer relevant', 'the earlier resolution stays for reference');
    h.patch('answer_question', { question_id: q, text: 'now answered' });
    assert.equal(h.blackboard.closed_questions[0].answer?.text, 'now answered');
  });

  it('supersede_decision adds the successor and marks the old one; a superseded decision is not superseded twice', () => {
    const h = new RunHarness();
    h.patch('add_decision', { id: 'decision-a', text: 'Use MySQL' });
    const e = h.patch('supersede_decision', { decision_id: 'decision-a', text: 'Use PostgreSQL', by: 'ann' });
    const next = (e.payload as { payload: { decision: { id: string } } }).payload.decision.id;
    assert.deepEqual(
      h.blackboard.decisions.map((d) => [d.id, d.superseded_by, d.supersedes]),
      [
        ['decision-a', next, undefined],
        [next, undefined, 'decision-a'],
      ],
    );
    expectDomainError(() => h.patch('supersede_decision', { decision_id: 'decision-a', text: 'x' }), 'BLACKBOARD_ITEM_CLOSED', {
      status: 'superseded',
    });
    assert.deepEqual(pictureOf(foldAll(h.runId, h.log)), pictureOf(h.state));
  });

  it('unknown ids, closed or open questions in the wrong op, and bad payloads are refused with nothing written', () => {
    const { h, q } = withQuestion();
    h.patch('add_decision', { id: 'decision-x', text: 'x' });
    const before = h.log.length;
    expectDomainError(() => h.patch('answer_question', { question_id: 'question-none', text: 'a' }), 'BLACKBOARD_ITEM_NOT_FOUND', {
      id: 'question-none',
    });
    expectDomainError(() => h.patch('reopen_question', { question_id: q }), 'BLACKBOARD_ITEM_CLOSED', { status: 'open' });
    expectDomainError(() => h.patch('answer_question', { question_id: q, text: '' }), 'BLACKBOARD_PAYLOAD_INVALID');
    expectDomainError(() => h.patch('answer_question', { question_id: q, text: 'a', decision: '  ' }), 'BLACKBOARD_PAYLOAD_INVALID');
    expectDomainError(
      () => h.patch('answer_question', { question_id: q, text: 'a', decision: 'd', decision_id: 'decision-x' }),
      'BLACKBOARD_PAYLOAD_INVALID',
    );
    expectDomainError(
      () => h.patch('answer_question', { question_id: q, text: 'a', decision_id: 'decision-none' }),
      'BLACKBOARD_ITEM_NOT_FOUND',
    );
    expectDomainError(() => h.patch('supersede_decision', { decision_id: q, text: 'a' }), 'BLACKBOARD_ITEM_NOT_FOUND');
    assert.equal(h.log.length, before);
    h.patch('answer_question', { question_id: q, text: 'yes', decision_id: 'decision-x' });
    expectDomainError(() => h.patch('resolve_question', { question_id: q }), 'BLACKBOARD_ITEM_CLOSED', { status: 'answered' });
  });

  it('runs of an older format refuse the closing ops (RUN_FORMAT_TOO_OLD)', () => {
    const h = new RunHarness({ format: 3 });
    h.patch('add_open_question', { id: 'question-q', text: 'q?' });
    expectDomainError(() => h.patch('answer_question', { question_id: 'question-q', text: 'a' }), 'RUN_FORMAT_TOO_OLD');
  });
});
