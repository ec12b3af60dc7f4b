// @ts-check
// Attention (issue 20): a task fails to exhaustion → the Runs view's badge counts it, the
// Attention node on top of the tree lists it, and a notification offers Requeue → Requeue clears
// it, badge and node alike. A second look does not say it again. Go to Task… reveals a task by a query.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { runboard, createRun, children, label, waitFor } = require('./helpers');
const createTasks = /** @type {typeof import('../../../server/src/protocol').Requests.createTasks} */ (/** @type {unknown} */ ('runboard/createTasks'));
const claimTask = /** @type {typeof import('../../../server/src/protocol').Requests.claimTask} */ (/** @type {unknown} */ ('runboard/claimTask'));
const transitionTask = /** @type {typeof import('../../../server/src/protocol').Requests.transitionTask} */ (/** @type {unknown} */ ('runboard/transitionTask'));

suite('attention', () => {
  test('a task failed to exhaustion: badge, Attention node and a notification offering Requeue, which clears it', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const before = ctx.attention.items.length;
    const ref = await createRun(api, 'Attention: a task that fails for good');
    await ctx.server.request(createTasks, {
      root: ref.root,
      run_id: ref.run_id,
      tasks: [{ id: 'flaky', task_type: 'w', max_attempts: 1, payload: { title: 'Deploy the flaky service' } }],
    });
    // An agent claims it and fails it: its only attempt is used up.
    const { task } = await ctx.server.request(claimTask, { root: ref.root, run_id: ref.run_id, agent_id: 'agent-7', task_id: 'flaky' });
    assert.ok(task);
    await ctx.server.request(transitionTask, { root: ref.root, run_id: ref.run_id, task_id: 'flaky', action: 'fail', lease_token: task.lease_token, error: 'the cluster refused it' });

    const mine = () => ctx.attention.items.find((i) => i.run_id === ref.run_id && i.task_id === 'flaky');
    const item = await waitFor(() => mine(), 'the attention item');
    assert.strictEqual(item.kind, 'task_exhausted');
    await waitFor(() => ctx.runsView.badge?.value === before + 1, `the badge to count ${before + 1}`);

    const top = await children(ctx.runsTree, undefined);
    assert.strictEqual(top[0].node.kind, 'attention', 'the Attention node is on top');
    assert.strictEqual(label(top[0].item), 'Attention');
    const rows = await children(ctx.runsTree, top[0].node);
    const row = rows.find((r) => r.node.kind === 'attentionItem' && r.node.item.key === item.key);
    assert.ok(row, 'the item is listed under Attention');
    assert.match(String(label(row.item)), /^Deploy the flaky service failed, no attempts left \(1\/1\): the cluster refused it$/);
    assert.strictEqual(row.item.description, ref.run_id);
    assert.strictEqual(row.item.command?.command, 'runboard.resolveAttention');
    assert.ok(row.item.accessibilityInformation?.label.startsWith('Needs you:'));

    const notice = await waitFor(() => ctx.notices.find((n) => n.message.includes('Deploy the flaky service failed')), 'the notification');
    assert.deepStrictEqual(Object.keys(notice.actions), ['Requeue']);
    const told = ctx.notices.filter((n) => n.message.includes('Deploy the flaky service failed')).length;
    await notice.actions.Requeue();

    await waitFor(() => !mine(), 'the item to clear');
    await waitFor(() => (ctx.runsView.badge?.value ?? 0) === before, 'the badge to go back');
    // The runs model hears of the requeue by its own way (the run's events): it may come a moment later.
    const requeued = await waitFor(() => {
      const t = ctx.model.task({ ...ref, task_id: 'flaky' });
      return t?.status === 'runnable' && t;
    }, 'the runs model to see the task runnable');
    assert.strictEqual(requeued.max_attempts, 2, 'one more attempt');
    await ctx.attention.refresh();
    assert.strictEqual(ctx.notices.filter((n) => n.message.includes('Deploy the flaky service failed')).length, told, 'said once');
  });

  test('a task failed with attempts left: listed with a notification offering Retry, which makes it runnable and clears it', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const ref = await createRun(api, 'Attention: a task that failed once');
    await ctx.server.request(createTasks, {
      root: ref.root,
      run_id: ref.run_id,
      tasks: [
        { id: 'build', task_type: 'w', payload: { title: 'Build the release' } },
        { id: 'ship', task_type: 'w', depends_on_task_ids: ['build'] },
      ],
    });
    const { task } = await ctx.server.request(claimTask, { root: ref.root, run_id: ref.run_id, agent_id: 'agent-8', task_id: 'build' });
    assert.ok(task);
    await ctx.server.request(transitionTask, { root: ref.root, run_id: ref.run_id, task_id: 'build', action: 'fail', lease_token: task.lease_token, error: 'tests red' });

    const mine = () => ctx.attention.items.find((i) => i.run_id === ref.run_id && i.task_id === 'build');
    const item = await waitFor(() => mine(), 'the attention item');
    assert.deepStrictEqual([item.kind, item.action, item.title], ['task_failed', 'retry', 'Build the release failed (1 of 3 attempts used): tests red']);
    const notice = await waitFor(() => ctx.notices.find((n) => n.message.includes('Build the release failed (1 of 3 attempts used)')), 'the notification');
    assert.deepStrictEqual(Object.keys(notice.actions), ['Retry']);
    await notice.actions.Retry();

    await waitFor(() => !mine(), 'the item to clear');
    await waitFor(() => ctx.model.task({ ...ref, task_id: 'build' })?.status === 'runnable', 'the runs model to see the task runnable');
  });

  test('every task of an open run done: listed, and the notification offers Complete Run, which completes it and clears the item', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const ref = await createRun(api, 'Attention: all its work done');
    await ctx.server.request(createTasks, { root: ref.root, run_id: ref.run_id, tasks: [{ id: 'only', task_type: 'w', payload: { title: 'The only task' } }] });
    const { task } = await ctx.server.request(claimTask, { root: ref.root, run_id: ref.run_id, agent_id: 'agent-9', task_id: 'only' });
    assert.ok(task);
    await ctx.server.request(transitionTask, { root: ref.root, run_id: ref.run_id, task_id: 'only', action: 'complete', lease_token: task.lease_token });

    const mine = () => ctx.attention.items.find((i) => i.run_id === ref.run_id && i.kind === 'run_work_done');
    const item = await waitFor(() => mine(), 'the attention item');
    assert.deepStrictEqual([item.action, item.title], ['complete_run', 'Its one task is done: complete the run, or add tasks']);
    const notice = await waitFor(() => ctx.notices.find((n) => n.message.includes(item.title)), 'the notification');
    assert.deepStrictEqual(Object.keys(notice.actions), ['Complete Run']);
    await notice.actions['Complete Run']();

    await waitFor(() => !mine(), 'the item to clear');
    await waitFor(() => ctx.model.get(ref)?.run.status === 'completed', 'the runs model to see the run completed');
  });

  test('a damaged run: listed as read-only, Repair Run… accepts the damage, and the item clears', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const ref = await createRun(api, 'Attention: a damaged log');
    // Another program leaves a line that is no event at the end of the log.
    fs.appendFileSync(path.join(ref.root, '.runboard', 'runs', ref.run_id, 'events.jsonl'), '{"half of": "a line"}\n');
    const mine = () => ctx.attention.items.find((i) => i.run_id === ref.run_id && i.kind === 'run_damaged');
    const item = await waitFor(() => mine(), 'the attention item');
    assert.strictEqual(item.action, 'repair');
    assert.match(item.title, /^Read-only: its log has a damaged line \(line 2: /);
    const notice = await waitFor(() => ctx.notices.find((n) => n.message.includes(item.title)), 'the notification');
    assert.deepStrictEqual(Object.keys(notice.actions), ['Repair…']);
    const done = /** @type {import('../../../contract/results').RepairRunResult} */ (
      await vscode.commands.executeCommand('runboard.repairRun', { root: ref.root, run_id: ref.run_id, choice: 'accept' })
    );
    assert.strictEqual(done?.event?.type, 'context.log.repaired');
    await waitFor(() => !mine(), 'the item to clear');
  });
});

suite('go to task', () => {
  test('a query in the task filter syntax that one task matches goes to it: its run selected, the task revealed in the Runs tree', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const ref = await createRun(api, 'Go to task');
    await ctx.server.request(createTasks, {
      root: ref.root,
      run_id: ref.run_id,
      tasks: [
        { id: 'needle-task', task_type: 'w', labels: ['haystack-unique'], payload: { title: 'Find the needle' } },
        { id: 'other-task', task_type: 'w', payload: { title: 'Something else' } },
      ],
    });
    await api.whenIdle();
    const went = await vscode.commands.executeCommand('runboard.goToTask', { query: 'label:haystack-unique needle' });
    assert.deepStrictEqual(went, { root: ref.root, run_id: ref.run_id, task_id: 'needle-task' });
    assert.strictEqual(ctx.selection.current?.run_id, ref.run_id);
    await waitFor(() => ctx.runsView.selection[0]?.kind === 'task' && ctx.runsView.selection[0].ref.task_id === 'needle-task', 'the task selected in the Runs tree');
  });
});
