// @ts-check
// The blackboard commands and the Blackboard tree of the selected run.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { command, runboard, createRun, children, label, waitFor } = require('./helpers');

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
    assert.deepStrictEqual(Object.keys(byLabel), ['Facts', 'Decisions', 'Open questions', 'Artifacts', 'Waiting tasks']);
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
});
