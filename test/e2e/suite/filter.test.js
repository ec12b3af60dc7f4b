// @ts-check
// The task filter in the editor (contract/taskFilter.ts' syntax): the board's filter box — the
// webview sends its text, the extension sends only the matching cards, the counts, and why a text
// is no filter — and the Runs tree's Filter Tasks… / Clear Task Filter, with Go to Task… on a task
// the filter hides.
const assert = require('assert');
const vscode = require('vscode');
const { command, runboard, cli, createRun, runWithTasks, runRow, taskGroups, waitFor, lastNotice } = require('./helpers');

/** The editor-tab board of a run, once its webview asked for the model. */
async function openBoard(api, ref) {
  await command('runboard.openBoard', ref);
  const entry = await waitFor(() => api.ctx.boardPanels.sessions.get(`${ref.root}\u0000${ref.run_id}`), 'the board panel');
  await waitFor(() => entry.session.last, 'the webview to ask for its model');
  return entry;
}

const ids = (model) => model.tasks.map((t) => t.id).sort();

suite('task filter', () => {
  test('board filter box: only the matching cards and their count, an unknown key as an error over every card, live updates filtered', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Filter board run');
    const { panel, session } = await openBoard(api, ref);
    try {
      assert.deepStrictEqual(session.last.filter, { text: '', active: false, shown: 6, total: 6, count: '', hidden: {} });

      await session.onMessage({ type: 'filter', text: 'type:implementation' });
      let model = session.last;
      assert.deepStrictEqual(ids(model), ['link-changelog', 'write-changelog']);
      assert.strictEqual(model.filter.count, '2 of 6 tasks');
      assert.strictEqual(
        Object.values(model.filter.hidden).reduce((a, b) => a + b, 0),
        4,
        'the columns are told what the filter hides',
      );

      await session.onMessage({ type: 'filter', text: 'foo:bar' });
      model = session.last;
      assert.match(model.filter.error, /Unknown filter key "foo:" — use status:/);
      assert.strictEqual(model.tasks.length, 6, 'a text that is no filter hides nothing');
      assert.strictEqual(model.filter.count, '6 tasks, not filtered');

      // Tasks another process adds while the board is filtered: the matching one shows, the other stays hidden.
      await session.onMessage({ type: 'filter', text: 'label:urgent' });
      assert.deepStrictEqual(ids(session.last), []);
      cli(['--run', ref.run_id, 'tasks', 'add', 'Hot fix', '--id', 'hot-fix', '--label', 'urgent']);
      cli(['--run', ref.run_id, 'tasks', 'add', 'Tidy up', '--id', 'tidy-up', '--label', 'later']);
      model = await waitFor(() => session.last.filter.total === 8 && session.last, 'both new tasks on the board');
      assert.deepStrictEqual(ids(model), ['hot-fix']);
      assert.strictEqual(model.filter.count, '1 of 8 tasks');
      assert.strictEqual(model.filter.text, 'label:urgent');

      await session.onMessage({ type: 'filter', text: '' });
      assert.strictEqual(session.last.tasks.length, 8);
      assert.strictEqual(session.last.filter.active, false);
    } finally {
      panel.dispose();
    }
  });

  test('board filter box: a rebuilt webview brings its text back from its state', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Filter restored board run');
    // What a window reload does: the serializer gets the panel, and its webview says ready with the state it saved.
    const panel = vscode.window.createWebviewPanel('runboard.boardPanel', 'Task board', vscode.ViewColumn.Active, { enableScripts: true });
    try {
      const state = { root: ref.root, run_id: ref.run_id, filter: 'id:survey' };
      await api.ctx.boardPanels.deserializeWebviewPanel(panel, state);
      const entry = [...api.ctx.boardPanels.sessions.values()].find((e) => e.panel === panel);
      assert.ok(entry, 'the restored panel has a board session');
      await entry.session.onMessage({ type: 'ready', state });
      assert.deepStrictEqual(ids(entry.session.last), ['survey-docs']);
      assert.strictEqual(entry.session.last.filter.text, 'id:survey');
    } finally {
      panel.dispose();
    }
  });

  test('Filter Tasks… leaves matching tasks in the Runs tree, refuses an unknown key, gives way to Go to Task…, and Clear Task Filter ends it', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const ref = await runWithTasks(api, 'Filter tree run');
    const bare = await createRun(api, 'Filter tree run without tasks');
    const needle = `needle-${Date.now()}`;
    cli(['--run', ref.run_id, 'tasks', 'add', 'A needle to find', '--id', needle, '--type', 'research']);
    await waitFor(() => ctx.model.task({ ...ref, task_id: needle }), 'the needle in the model');
    try {
      assert.strictEqual(await command('runboard.filterTasks', 'type:implementation'), 'type:implementation');
      assert.strictEqual(ctx.runsView.message, 'Filtered: type:implementation');
      let groups = await taskGroups(api, ref);
      assert.deepStrictEqual(Object.keys(groups), ['pending'], 'only the groups that hold a matching task');
      assert.deepStrictEqual(groups.pending.map((r) => r.node.ref.task_id).sort(), ['link-changelog', 'write-changelog']);
      assert.doesNotMatch(String((await runRow(api, ref)).item.description), /no task matches/);
      assert.match(String((await runRow(api, bare)).item.description), /^no task matches · /, 'a run without a match stays, saying so');

      assert.strictEqual(await command('runboard.filterTasks', 'foo:bar'), undefined);
      assert.match(lastNotice(api).message, /Filter Tasks…: Unknown filter key "foo:"/);
      assert.strictEqual(ctx.runsTree.taskFilterText, 'type:implementation', 'the filter in force stays');

      // A task the filter hides, asked for by name: the filter is cleared and the task revealed.
      const went = await command('runboard.goToTask', { query: `id:${needle}` });
      assert.deepStrictEqual(went, { root: ref.root, run_id: ref.run_id, task_id: needle });
      assert.strictEqual(ctx.runsTree.taskFilterText, '');
      assert.strictEqual(ctx.runsView.message, undefined);
      await waitFor(
        () => ctx.runsView.selection[0]?.kind === 'task' && ctx.runsView.selection[0].ref.task_id === needle,
        'the hidden task revealed in the Runs tree',
      );

      assert.strictEqual(await command('runboard.filterTasks', { query: 'id:survey' }), 'id:survey');
      groups = await taskGroups(api, ref);
      assert.deepStrictEqual(
        Object.values(groups).flatMap((rows) => rows.map((r) => r.node.ref.task_id)),
        ['survey-docs'],
      );
      assert.strictEqual(await command('runboard.clearTaskFilter'), '');
      assert.strictEqual(ctx.runsView.message, undefined);
      groups = await taskGroups(api, ref);
      assert.strictEqual(Object.values(groups).flat().length, 7, 'every task again');
    } finally {
      ctx.runsTree.setTaskFilter('');
    }
  });
});
