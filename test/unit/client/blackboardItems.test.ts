// How closed questions and superseded decisions read in the Blackboard: what became of an item
// (answered, resolved, reopened, superseded by / supersedes, who), in one line and in full.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Blackboard, BlackboardItem } from '../../../contract/schemas/records';
import { itemDescription, itemsOf, itemTooltip } from '../../../client/src/runs/blackboardItems';

const old: BlackboardItem = { id: 'decision-1', ts_ms: 1, text: 'Use tabs', superseded_by: 'decision-2' };
const next: BlackboardItem = { id: 'decision-2', ts_ms: 2, text: 'Use spaces', supersedes: 'decision-1', by: 'vscode:ann' };
const answered: BlackboardItem = {
  id: 'question-1',
  ts_ms: 1,
  text: 'Who owns releases?',
  question_status: 'answered',
  answer: { ts_ms: 3, by: 'vscode:ann', text: 'Bob does', decision_id: 'decision-3' },
};
const resolvedAfterAnswer: BlackboardItem = {
  ...answered,
  id: 'question-2',
  question_status: 'resolved',
  resolution: { ts_ms: 4, by: 'cli-agent', text: 'moot' },
};
const reopened: BlackboardItem = { ...answered, id: 'question-3', question_status: 'open', reopened: { ts_ms: 5, text: 'Bob left' } };

const bb = {
  facts: [],
  decisions: [old, next],
  open_questions: [reopened],
  closed_questions: [answered, resolvedAfterAnswer],
} as unknown as Blackboard;

describe('blackboard item wording', () => {
  it('a superseded decision names its successor; the successor what it supersedes and who', () => {
    assert.equal(itemDescription('decisions', old, bb), 'superseded by “Use spaces”');
    assert.equal(itemDescription('decisions', next, bb), 'supersedes “Use tabs” by vscode:ann');
    assert.match(itemTooltip(old, bb), /Superseded by “Use spaces” \(decision-2\)/);
  });

  it('a closed question says how it closed last, by whom, with the answer or note', () => {
    assert.equal(itemDescription('closed_questions', answered, bb), 'answered by vscode:ann: Bob does (decision decision-3)');
    assert.equal(itemDescription('closed_questions', resolvedAfterAnswer, bb), 'resolved by cli-agent: moot');
    assert.match(itemTooltip(answered, bb), /Answered by vscode:ann .*: Bob does — recorded as decision decision-3/);
  });

  it('a reopened question says why; a plain item when it was added', () => {
    assert.equal(
      itemDescription('open_questions', reopened, bb),
      'reopened: Bob left; earlier answered by vscode:ann: Bob does (decision decision-3)',
      'what it said before stays in view',
    );
    assert.equal(itemDescription('facts', { id: 'f', ts_ms: 7, text: 'x' }, bb), new Date(7).toLocaleString());
  });

  it('itemsOf lists every text item with its list', () => {
    assert.deepEqual(
      itemsOf(bb).map((e) => `${e.section}:${e.item.id}`),
      [
        'decisions:decision-1',
        'decisions:decision-2',
        'open_questions:question-3',
        'closed_questions:question-1',
        'closed_questions:question-2',
      ],
    );
  });
});
