// @ts-check
// The task board seen from the extension: an editor-tab board per run, the cards it is sent
// (titles as text, "mine" for leases this editor holds, why tasks wait), and the status item's
// counts.
const assert = require('assert');
const path = require('path');
const vscode = require('vscode');
const { command, runboard, root, cli, createRun, waitFor } = require('./helpers');

suite('task board', () => {
  test('Open Task Board in Editor renders the run’s cards and follows changes', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Board run');
    await command('runboard.createTasksFromFile', { ...ref, file: path.join(root(), 'tasks.json') });
    await api.whenIdle();
    await command('runboard.openBoard', ref);
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
    await command('runboard.claimTask', { ...ref, task_id: 'survey-docs' });
    const mine = await waitFor(() => entry.session.last.tasks.find((t) => t.id === 'survey-docs' && t.status === 'in_progress'), 'the claim on the board');
    assert.strictEqual(mine.mine, true);
    assert.match(mine.lease_owner, /^vscode:/);
    assert.strictEqual(api.ctx.status.counts().inProgress, before + 1);
    await waitFor(() => /\d+ in progress/.test(api.ctx.status.text), 'status text');
    entry.panel.dispose();
    assert.strictEqual(api.ctx.boardPanels.sessions.has(key), false);
  });

  test('a board restored before its run is loaded takes the run\'s title once it is', async () => {
    const api = await runboard();
    const runId = `restored-${Date.now()}`;
    // What a window reload does: the serializer gets the panel and its saved state, maybe before the runs are in.
    const panel = vscode.window.createWebviewPanel('runboard.boardPanel', 'Task board', vscode.ViewColumn.Active, { enableScripts: true });
    await api.ctx.boardPanels.deserializeWebviewPanel(panel, { root: root(), run_id: runId });
    assert.strictEqual(panel.title, 'Task board');
    cli(['run', 'create', '--id', runId, 'Restored run: tidy up']);
    await waitFor(() => panel.title === 'Board: Restored run: tidy up' || undefined, `the title to follow the run (${panel.title})`);
    panel.dispose();
  });

  test('"Show another run" in an editor-tab board moves its title and key to that run (issue 14)', async () => {
    const api = await runboard();
    const a = await createRun(api, 'Board run A');
    const b = await createRun(api, 'Board run B');
    const keyOf = (ref) => `${ref.root}\u0000${ref.run_id}`;
    const panels = api.ctx.boardPanels.sessions;
    await command('runboard.openBoard', a);
    const entry = await waitFor(() => panels.get(keyOf(a)), 'the board of A');
    await waitFor(() => entry.session.last, 'the webview to ask for its model');
    // What the board's "Show another run" does once a run is picked.
    entry.session.show(b);
    assert.strictEqual(entry.session.last.run.run_id, b.run_id);
    assert.strictEqual(entry.panel.title, 'Board: Board run B');
    assert.strictEqual(panels.get(keyOf(b)), entry);
    assert.strictEqual(panels.has(keyOf(a)), false);
    // Opening B reveals this panel; opening A makes a new one.
    const count = panels.size;
    await command('runboard.openBoard', b);
    assert.strictEqual(panels.size, count);
    await command('runboard.openBoard', a);
    const other = await waitFor(() => panels.get(keyOf(a)), 'a new board of A');
    assert.notStrictEqual(other, entry);
    // Switching the new panel to B, which the first one shows, reveals that one and keeps this on A.
    await waitFor(() => other.session.last, 'the second webview');
    other.session.show(b);
    assert.strictEqual(other.session.last.run.run_id, a.run_id);
    assert.strictEqual(panels.get(keyOf(a)), other);
    other.panel.dispose();
    entry.panel.dispose();
    assert.strictEqual(panels.size, count - 1);
  });
});
