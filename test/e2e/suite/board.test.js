// The task board seen from the extension: an editor-tab board per run, the cards it is sent
// (titles as text, "mine" for leases this editor holds, why tasks wait), and the status item's
// counts.
const assert = require('assert');
const path = require('path');
const vscode = require('vscode');
const { runboard, root, createRun, waitFor } = require('./helpers');

suite('task board', () => {
  test('Open Task Board in Editor renders the run’s cards and follows changes', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Board run');
    await vscode.commands.executeCommand('runboard.createTasksFromFile', { ...ref, file: path.join(root(), 'tasks.json') });
    await api.whenIdle();
    await vscode.commands.executeCommand('runboard.openBoard', ref);
    const key = `${ref.root}\u0000${ref.run_id}`;
    const entry = await waitFor(() => api.ctx.boardPanels.sessions.get(key), 'the board panel');
    const model = await waitFor(() => entry.session.last, 'the webview to ask for its model');
    assert.strictEqual(model.run.run_id, ref.run_id);
    assert.strictEqual(model.pinned, true);
    assert.strictEqual(model.tasks.length, 6);
    const byId = Object.fromEntries(model.tasks.map((t) => [t.id, t]));
    assert.strictEqual(byId['release-note'].title, 'Draft a release note');
    assert.deepStrictEqual(byId['write-changelog'].waits, ['waits for survey-docs (pending), inspect-layout (pending)']);
    assert.strictEqual(byId['survey-docs'].mine, false);

    const before = api.ctx.status.counts().inProgress;
    await vscode.commands.executeCommand('runboard.claimTask', { ...ref, task_id: 'survey-docs' });
    const mine = await waitFor(() => entry.session.last.tasks.find((t) => t.id === 'survey-docs' && t.status === 'in_progress'), 'the claim on the board');
    assert.strictEqual(mine.mine, true);
    assert.match(mine.lease_owner, /^vscode:/);
    assert.strictEqual(api.ctx.status.counts().inProgress, before + 1);
    await waitFor(() => /\d+ in progress/.test(api.ctx.status.text), 'status text');
    entry.panel.dispose();
    assert.strictEqual(api.ctx.boardPanels.sessions.has(key), false);
  });
});
