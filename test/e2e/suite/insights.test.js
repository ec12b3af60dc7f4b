// @ts-check
// Run stats and the dependency graph (issue 20), in the real workbench: each opens as an editor
// tab per run whose page asks for its model (so its script ran under the webview's CSP); the
// graph's chain is the longest path of unfinished tasks computed here from tasks.json, and follows
// the run as agents finish tasks; the stats are the server's runStats at the run's last seq, the
// same numbers `runboard stats --json` prints; a panel restored after a reload comes back to its run.
const assert = require('assert');
const vscode = require('vscode');
const { runboard, runWithTasks, command, cli, waitFor, root } = require('./helpers');
const claimTask = /** @type {typeof import('../../../server/src/protocol').Requests.claimTask} */ (/** @type {unknown} */ ('runboard/claimTask'));
const transitionTask = /** @type {typeof import('../../../server/src/protocol').Requests.transitionTask} */ (/** @type {unknown} */ ('runboard/transitionTask'));

const keyOf = (/** @type {{root: string, run_id: string}} */ ref) => `${ref.root}\u0000${ref.run_id}`;

/** The longest chain of unfinished tasks, computed independently of contract/dependencyGraph.ts: every path, by brute force. */
function longestChain(/** @type {{id: string, status: string, depends_on_task_ids: string[]}[]} */ tasks) {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const open = (/** @type {string} */ id) => ['done', 'cancelled'].indexOf(byId.get(id)?.status ?? 'done') < 0;
  /** @returns {string[]} */
  const longestTo = (/** @type {string} */ id) =>
    [[], ...(byId.get(id)?.depends_on_task_ids ?? []).filter(open).map(longestTo)].reduce((a, b) => (b.length > a.length ? b : a)).concat(id);
  return tasks.filter((t) => open(t.id)).map((t) => longestTo(t.id)).reduce((a, b) => (b.length > a.length ? b : a), []);
}

suite('run stats and dependency graph', () => {
  test('Show Dependency Graph draws the run and its longest remaining chain, live', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const ref = await runWithTasks(api, 'Graph: the changelog');
    await command('runboard.showGraph', ref);
    const entry = await waitFor(() => ctx.graphPanels.open.get(keyOf(ref)), 'the graph panel');
    assert.strictEqual(entry.panel.title, 'Graph: Graph: the changelog');
    const model = await waitFor(() => entry.session.last, 'the graph page to ask for its model');
    assert.strictEqual(model.run?.run_id, ref.run_id);
    assert.strictEqual(model.nodes.length, 6);
    assert.deepStrictEqual(
      model.edges.map((e) => `${e.from}>${e.to}`).sort(),
      ['inspect-layout>write-changelog', 'link-changelog>validate-links', 'survey-docs>write-changelog', 'validate-links>release-note', 'write-changelog>link-changelog'],
    );
    const tasks = () => ctx.model.get(ref)?.run.tasks ?? [];
    assert.strictEqual(model.chain.length, longestChain(tasks()).length);
    assert.strictEqual(model.chain.length, 5);
    assert.deepStrictEqual(model.nodes.filter((n) => n.on_chain).map((n) => n.id).sort(), [...model.chain].sort());
    assert.deepStrictEqual(
      model.edges.filter((e) => e.on_chain).map((e) => `${e.from}>${e.to}`),
      model.chain.slice(1).map((id, i) => `${model.chain[i]}>${id}`).filter((e) => model.edges.some((x) => `${x.from}>${x.to}` === e)),
    );

    // Agents finish both tasks the chain starts from: it shrinks to the four that remain.
    for (const task_id of ['survey-docs', 'inspect-layout']) {
      const { task } = await ctx.server.request(claimTask, { root: ref.root, run_id: ref.run_id, agent_id: 'agent-g', task_id });
      await ctx.server.request(transitionTask, { root: ref.root, run_id: ref.run_id, task_id, action: 'complete', lease_token: task?.lease_token, result: 'ok' });
    }
    const after = await waitFor(() => entry.session.last?.chain.length === 4 && entry.session.last, 'the chain to follow the run');
    assert.deepStrictEqual(after.chain, ['write-changelog', 'link-changelog', 'validate-links', 'release-note']);
    assert.deepStrictEqual(after.chain, longestChain(tasks()));
    assert.strictEqual(after.nodes.find((n) => n.id === 'survey-docs')?.status, 'done');
    assert.strictEqual(after.nodes.find((n) => n.id === 'survey-docs')?.agent, 'agent-g');
    entry.panel.dispose();
    assert.strictEqual(ctx.graphPanels.open.has(keyOf(ref)), false);
  });

  test('Show Run Stats shows the server’s flow metrics of the run, the numbers the CLI prints', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const ref = await runWithTasks(api, 'Stats: the changelog');
    for (const task_id of ['survey-docs', 'inspect-layout']) {
      const { task } = await ctx.server.request(claimTask, { root: ref.root, run_id: ref.run_id, agent_id: `agent-${task_id}`, task_id });
      await ctx.server.request(transitionTask, { root: ref.root, run_id: ref.run_id, task_id, action: 'complete', lease_token: task?.lease_token, result: 'ok' });
    }
    await api.whenIdle();
    await command('runboard.showStats', ref);
    const entry = await waitFor(() => ctx.statsPanels.open.get(keyOf(ref)), 'the stats panel');
    const model = await waitFor(() => entry.session.last?.stats && entry.session.last, 'the stats page to get its numbers');
    assert.strictEqual(model.error, undefined);
    assert.strictEqual(model.titles['survey-docs'], 'Survey the existing docs');
    const fromCli = cli(['--run', ref.run_id, 'stats']);
    assert.strictEqual(model.stats?.seq, fromCli.seq);
    assert.deepStrictEqual(model.stats?.tasks, fromCli.tasks);
    assert.deepStrictEqual(model.stats?.cycle_by_agent.map((c) => c.key).sort(), ['agent-inspect-layout', 'agent-survey-docs']);
    const done = model.stats?.tasks.filter((t) => t.status === 'done') ?? [];
    assert.strictEqual(done.length, 2);
    for (const t of done) assert.ok(t.work_ms !== undefined && t.wait_ms !== undefined && t.cycle_ms === t.wait_ms + t.work_ms, JSON.stringify(t));

    // Another writer changes the run: the panel reads the numbers again.
    const { task } = await ctx.server.request(claimTask, { root: ref.root, run_id: ref.run_id, agent_id: 'agent-late', task_id: 'write-changelog' });
    assert.ok(task);
    const later = await waitFor(() => (entry.session.last?.stats?.seq ?? 0) > (model.stats?.seq ?? 0) && entry.session.last, 'the numbers to follow the run');
    assert.strictEqual(later.stats?.tasks.find((t) => t.task_id === 'write-changelog')?.attempts, 1);
    entry.panel.dispose();
  });

  test('a stats or graph tab restored after a reload shows its run again; a run that is gone says so', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const ref = await runWithTasks(api, 'Restored insights');
    for (const [panels, viewType] of /** @type {const} */ ([
      [ctx.statsPanels, 'runboard.statsPanel'],
      [ctx.graphPanels, 'runboard.graphPanel'],
    ])) {
      const panel = vscode.window.createWebviewPanel(viewType, 'restoring', vscode.ViewColumn.Active, { enableScripts: true });
      await panels.deserializeWebviewPanel(panel, { root: ref.root, run_id: ref.run_id });
      const entry = await waitFor(() => panels.open.get(keyOf(ref)), `${viewType} restored`);
      const model = await waitFor(() => entry.session.last?.run && entry.session.last, `${viewType}'s model`);
      assert.strictEqual(model.run?.run_id, ref.run_id);
      panel.dispose();
      const gone = vscode.window.createWebviewPanel(viewType, 'restoring', vscode.ViewColumn.Active, { enableScripts: true });
      await panels.deserializeWebviewPanel(gone, { root: root(), run_id: 'run-that-was-deleted' });
      const none = await waitFor(() => [...panels.open.values()].find((e) => e.panel === gone)?.session.last, `${viewType} of a missing run`);
      assert.strictEqual(none.run, null);
      assert.strictEqual(gone.title.endsWith('run-that-was-deleted'), true, gone.title);
      gone.dispose();
    }
  });
});
