// The blackboard through the CLI (issue 17, run format 4): `blackboard` shows it; questions are
// answered (with a decision), resolved and reopened, decisions superseded — as the CLI's agent —
// and open questions are listed apart from closed ones, in words and in --json; bad ids and
// questions in the wrong state are domain errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, cli, cliJson, removeTempWorkspaces, seedRun, tempWorkspace } from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);

/** A run with two open questions and a decision; their ids. */
function seedItems(root: string): { archived: string; dates: string; rfc: string } {
  cliJson(root, ['run', 'create', 'Export CSV\n1. Decide the format\n2. Write it', '--id', 'r']);
  const add = (noun: string, text: string) => cliJson(root, [noun, 'add', text]).patch.payload.id as string;
  return { archived: add('question', 'Archived rows?'), dates: add('question', 'Dates in UTC?'), rfc: add('decision', 'Use RFC 4180') };
}

const board = (root: string) => cliJson(root, ['blackboard']).blackboard;
const ids = (items: { id: string }[]) => items.map((i) => i.id);
/** The lines of `runboard blackboard`'s section `title` (up to the next blank line). */
function section(root: string, title: string): string {
  const out = cli(['--root', root, 'blackboard']).stdout;
  const at = out.indexOf(`\n${title}\n`);
  return at < 0 ? '' : out.slice(at + title.length + 2).split('\n\n')[0];
}

describe('runboard blackboard, question and decision', () => {
  it('question answer closes it with the answer and a new decision; it is no longer open in the output or --json', () => {
    const root = tempWorkspace();
    const { archived, dates } = seedItems(root);
    assert.deepEqual(ids(board(root).open_questions), [archived, dates]);
    assert.match(section(root, 'Open questions'), new RegExp(`${archived} {2}Archived rows\\?`));

    const answered = cliJson(root, [
      '--agent',
      'ana',
      'question',
      'answer',
      archived,
      'Yes, keep them',
      '--decision',
      'Export archived rows',
    ]);
    assert.equal(answered.patch.op, 'answer_question');
    const bb = board(root);
    assert.deepEqual(ids(bb.open_questions), [dates]);
    assert.deepEqual(ids(bb.closed_questions), [archived]);
    const closed = bb.closed_questions[0];
    assert.equal(closed.question_status, 'answered');
    assert.deepEqual([closed.answer.text, closed.answer.by], ['Yes, keep them', 'ana']);
    const decision = bb.decisions.find((d: any) => d.id === closed.answer.decision_id);
    assert.deepEqual([decision.text, decision.answers_question, decision.by], ['Export archived rows', archived, 'ana']);

    assert.doesNotMatch(section(root, 'Open questions'), new RegExp(archived));
    assert.match(
      section(root, 'Closed questions'),
      new RegExp(`${archived} {2}Archived rows\\?\\n +answered by ana: Yes, keep them \\(decision ${decision.id}\\)`),
    );
    const shown = cli(['--root', root, 'run', 'show']).stdout;
    assert.match(shown, /Blackboard {2}2 decisions, 1 open question, 1 closed question/);
    assert.match(shown, new RegExp(`Open questions\\n {2}${dates} {2}Dates in UTC\\?`));
    assert.doesNotMatch(shown, new RegExp(archived));
    assert.match(cli(['--root', root, 'run', 'events']).stdout, new RegExp(`answer_question: ${archived} — Yes, keep them`));

    const human = cli(['--root', root, 'question', 'answer', dates, 'UTC everywhere', '--decision-id', decision.id]);
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`^Answered ${dates} \\(#\\d+\\): UTC everywhere\\n {2}decision +${decision.id}$`, 'm'));
    assert.equal(board(root).open_questions.length, 0);
    assert.equal(section(root, 'Open questions'), '');
  });

  it('question resolve closes it without an answer; reopen opens it again with the earlier outcome kept', () => {
    const root = tempWorkspace();
    const { archived } = seedItems(root);
    cliJson(root, ['--agent', 'ana', 'question', 'resolve', archived, '--note', 'The archive is gone']);
    let q = board(root).closed_questions.find((x: any) => x.id === archived);
    assert.deepEqual([q.question_status, q.resolution.text, q.resolution.by], ['resolved', 'The archive is gone', 'ana']);
    assert.match(section(root, 'Closed questions'), /resolved by ana: The archive is gone/);

    const reopened = cli(['--root', root, '--agent', 'bo', 'question', 'reopen', archived, '--reason', 'It is back']);
    assert.equal(reopened.status, 0, reopened.stderr);
    assert.match(reopened.stdout, new RegExp(`^Reopened ${archived} \\(#\\d+\\): It is back$`, 'm'));
    const bb = board(root);
    q = bb.open_questions.find((x: any) => x.id === archived);
    assert.deepEqual([q.question_status, q.reopened.text, q.reopened.by], ['open', 'It is back', 'bo']);
    assert.equal(q.resolution.text, 'The archive is gone', 'the earlier resolution stays for reference');
    assert.deepEqual(ids(bb.closed_questions), []);
    assert.match(section(root, 'Open questions'), /reopened by bo: It is back; earlier resolved by ana: The archive is gone/);
    assert.equal(section(root, 'Closed questions'), '');
  });

  it('decision supersede adds the successor; both say so, and a superseded one cannot be superseded again', () => {
    const root = tempWorkspace();
    const { rfc } = seedItems(root);
    const result = cliJson(root, ['--agent', 'ana', 'decision', 'supersede', rfc, 'RFC 4180 with a BOM', '--step', 'step-1']);
    const successor = result.patch.payload.decision.id as string;
    const decisions = board(root).decisions;
    const old = decisions.find((d: any) => d.id === rfc);
    const next = decisions.find((d: any) => d.id === successor);
    assert.equal(old.superseded_by, successor);
    assert.deepEqual([next.text, next.supersedes, next.step_id, next.by], ['RFC 4180 with a BOM', rfc, 'step-1', 'ana']);
    const shown = section(root, 'Decisions');
    assert.match(shown, new RegExp(`${rfc} {2}Use RFC 4180\\n +superseded by ${successor}`));
    assert.match(shown, new RegExp(`${successor} {2}\\[step-1\\] RFC 4180 with a BOM\\n +supersedes ${rfc}`));
    assert.match(cli(['--root', root, 'blackboard']).stdout, /2 decisions \(1 superseded\)/);
    const again = cliJson(root, ['decision', 'supersede', rfc, 'Another'], 1);
    assert.equal(again.error.code, 'BLACKBOARD_ITEM_CLOSED');
    assert.match(again.error.message, new RegExp(`superseded by ${successor}`));
  });

  it('unknown ids, questions in the wrong state and conflicting options are refused with their codes', () => {
    const root = tempWorkspace();
    const { archived, rfc } = seedItems(root);
    assert.equal(cliJson(root, ['question', 'answer', 'question-nope', 'x'], 1).error.code, 'BLACKBOARD_ITEM_NOT_FOUND');
    assert.equal(cliJson(root, ['question', 'reopen', archived], 1).error.code, 'BLACKBOARD_ITEM_CLOSED', 'it is open already');
    cliJson(root, ['question', 'resolve', archived]);
    assert.equal(cliJson(root, ['question', 'answer', archived, 'late'], 1).error.code, 'BLACKBOARD_ITEM_CLOSED');
    assert.equal(cliJson(root, ['decision', 'supersede', 'decision-nope', 'x'], 1).error.code, 'BLACKBOARD_ITEM_NOT_FOUND');
    const both = cli(['--root', root, 'question', 'answer', archived, 'x', '--decision', 'y', '--decision-id', rfc]);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /cannot be used with/);
    assert.equal(cli(['--root', root, 'question', 'answer', archived]).status, 2, 'the answer is required');
  });

  it('question add and the others keep working; every new command has an example in --help', () => {
    const root = tempWorkspace();
    seedRun(root, 'r');
    assert.match(cli(['--root', root, 'question', 'add', 'Why?']).stdout, /^Added question-\S+ \(#2\): Why\?$/m);
    assert.match(cli(['--root', root, 'blackboard']).stdout, /^Blackboard of r {2}rev 2: 1 open question$/m);
    for (const command of [
      ['blackboard'],
      ['question', 'answer'],
      ['question', 'resolve'],
      ['question', 'reopen'],
      ['decision', 'supersede'],
    ]) {
      const help = cli([...command, '--help']);
      assert.equal(help.status, 0);
      assert.match(help.stdout, new RegExp(`Example:\\n {2}runboard ${command.join(' ')} `), command.join(' '));
    }
    const empty = tempWorkspace();
    seedRun(empty, 'e');
    assert.match(cli(['--root', empty, 'blackboard']).stdout, /^Blackboard of e {2}rev 0: empty\n$/);
  });
});
