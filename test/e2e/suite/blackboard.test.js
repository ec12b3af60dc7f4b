// @ts-check
// The blackboard commands and the Blackboard tree of the selected run: items added; questions
// answered, resolved and reopened, decisions superseded (issue 17).
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { command, runboard, createRun, children, blackboardRows, label, menuCommands, waitFor } = require('./helpers');

/** The Blackboard's rows of a section by their label (the item's first line). */
async function rowsByLabel(api, ref, section) {
  await api.whenIdle();
  return Object.fromEntries((await blackboardRows(api, ref, section)).map((r) => [label(r.item), r]));
}

/** The id of the blackboard item of a run with this text. */
function itemId(api, ref, text) {
  const bb = api.ctx.model.get(ref).blackboard;
  const found = [...bb.decisions, ...bb.open_questions, ...bb.closed_questions].find((i) => i.text === text);
  assert.ok(found, `no blackboard item “${text}”`);
  return found.id;
}

suite('blackboard', () => {
  test('facts, decisions, questions and artifacts show under the selected run', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Blackboard run');
    await command('runboard.addFact', { ...ref, text: 'The repo has no changelog' });
    await command('runboard.addDecision', { ...ref, text: 'Keep a Changelog format' });
    await command('runboard.addQuestion', { ...ref, text: 'Who owns releases?' });
    fs.writeFileSync(path.join(ref.root, 'NOTES.md'), '# notes\n');
    const patch = await command('runboard.addArtifact', { ...ref, path: path.join(ref.root, 'NOTES.md'), artifact_type: 'report' });
    assert.strictEqual(patch.op, 'add_artifact');
    await api.whenIdle();
    api.ctx.selection.select(ref);
    const sections = await children(api.ctx.blackboardTree);
    const byLabel = Object.fromEntries(sections.map((s) => [label(s.item), s]));
    assert.deepStrictEqual(Object.keys(byLabel), ['Facts', 'Decisions', 'Open questions', 'Closed questions', 'Artifacts', 'Waiting tasks']);
    assert.deepStrictEqual((await children(api.ctx.blackboardTree, byLabel.Facts.node)).map((c) => label(c.item)), ['The repo has no changelog']);
    assert.deepStrictEqual((await children(api.ctx.blackboardTree, byLabel.Decisions.node)).map((c) => label(c.item)), ['Keep a Changelog format']);
    assert.deepStrictEqual((await children(api.ctx.blackboardTree, byLabel['Open questions'].node)).map((c) => label(c.item)), ['Who owns releases?']);
    const [artifact] = await children(api.ctx.blackboardTree, byLabel.Artifacts.node);
    assert.strictEqual(label(artifact.item), 'NOTES.md', 'stored relative to the run folder');
    assert.strictEqual(artifact.item.description, 'report');
    // Clicking it opens the file relative to the run's root.
    await command(artifact.item.command.command, ...artifact.item.command.arguments);
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.fsPath === path.join(ref.root, 'NOTES.md'), 'the artifact editor');
    await command('workbench.action.closeActiveEditor');
  });

  test('answer a question: it leaves Open questions for Closed questions with its answer, and may record a decision', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Answer questions');
    await command('runboard.addQuestion', { ...ref, text: 'Who owns releases?' });
    await command('runboard.addQuestion', { ...ref, text: 'Which license?' });
    let open = await rowsByLabel(api, ref, 'Open questions');
    const row = open['Who owns releases?'];
    assert.strictEqual(row.item.contextValue, 'blackboard.question.open;answer;resolve;');
    assert.deepStrictEqual(menuCommands('runboard.blackboard', row.item.contextValue), ['runboard.answerQuestion', 'runboard.resolveQuestion']);
    // As the tree's menu calls it: with the node (and here the answer, which it would ask for).
    await command('runboard.answerQuestion', { ...row.node, text: 'Bob does', decision: true });
    open = await rowsByLabel(api, ref, 'Open questions');
    assert.deepStrictEqual(Object.keys(open), ['Which license?']);
    const closed = await rowsByLabel(api, ref, 'Closed questions');
    const answered = closed['Who owns releases?'];
    assert.match(answered.item.description, /^answered by vscode:.*: Bob does \(decision “.+”\)$/);
    assert.match(String(answered.item.tooltip), /Answered by vscode:.*: Bob does — recorded as decision decision-/);
    assert.deepStrictEqual(menuCommands('runboard.blackboard', answered.item.contextValue), ['runboard.reopenQuestion']);
    const decisions = await rowsByLabel(api, ref, 'Decisions');
    assert.match(decisions['Bob does'].item.description, /^answers “Who owns releases\?” by vscode:/);
  });

  test('resolve a question, then reopen it', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Resolve and reopen');
    await command('runboard.addQuestion', { ...ref, text: 'Do we need a CLA?' });
    await api.whenIdle();
    const question_id = itemId(api, ref, 'Do we need a CLA?');
    await command('runboard.resolveQuestion', { ...ref, question_id, note: 'the project is private' });
    const closed = await rowsByLabel(api, ref, 'Closed questions');
    assert.match(closed['Do we need a CLA?'].item.description, /^resolved by vscode:.*: the project is private$/);
    assert.strictEqual(closed['Do we need a CLA?'].item.contextValue, 'blackboard.question.resolved;reopen;');
    await command('runboard.reopenQuestion', { ...ref, question_id, reason: 'going public' });
    const open = await rowsByLabel(api, ref, 'Open questions');
    assert.match(open['Do we need a CLA?'].item.description, /^reopened by vscode:.*: going public; earlier resolved by vscode:.*: the project is private$/);
    assert.deepStrictEqual(Object.keys(await rowsByLabel(api, ref, 'Closed questions')), []);
  });

  test('supersede a decision: the old one shows its successor, the new one what it supersedes', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Supersede decisions');
    await command('runboard.addDecision', { ...ref, text: 'Indent with tabs' });
    let decisions = await rowsByLabel(api, ref, 'Decisions');
    const old = decisions['Indent with tabs'];
    assert.strictEqual(old.item.contextValue, 'blackboard.decision.current;supersede;');
    assert.deepStrictEqual(menuCommands('runboard.blackboard', old.item.contextValue), ['runboard.supersedeDecision']);
    await command('runboard.supersedeDecision', { ...old.node, text: 'Indent with two spaces' });
    decisions = await rowsByLabel(api, ref, 'Decisions');
    const superseded = decisions['Indent with tabs'];
    assert.strictEqual(superseded.item.description, 'superseded by “Indent with two spaces”');
    assert.strictEqual(superseded.item.contextValue, 'blackboard.decision.superseded;');
    assert.deepStrictEqual(menuCommands('runboard.blackboard', superseded.item.contextValue), []);
    assert.match(decisions['Indent with two spaces'].item.description, /^supersedes “Indent with tabs” by vscode:/);
  });
});
