// @ts-check
// Cancelled tasks (issue 17): Cancel Task… with a reason, alone (its dependents wait, "dependency
// cancelled") or with the tasks that wait on it (cascade); the Runs tree's Cancelled group, the
// board's column and who/why; Reopen on a cancelled task, alone or with the tasks its cancel took
// along; a task another agent holds needs force.
const assert = require('assert');
const { command, runboard, cli, runWithTasks, taskGroups, blackboardRows, menuCommands, waitFor } = require('./helpers');

/** The task ids the dependency chain of the fixture takes after survey-docs. */
const CHAIN = ['write-changelog', 'link-changelog', 'validate-links', 'release-note'];

suite('cancel tasks', () => {
  test('cancel a task alone: its dependent waits with "dependency cancelled"; the tree, the board and Reopen', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Cancel one task');
    const tref = { ...ref, task_id: 'survey-docs' };
    const result = await command('runboard.cancelTask', { ...tref, reason: 'the docs moved', cascade: false });
    assert.deepStrictEqual(result.cancelled.map((t) => t.id), ['survey-docs']);
    assert.strictEqual(result.task.status, 'cancelled');
    assert.match(result.task.cancelled.by, /^vscode:/, 'cancelled as the editor’s agent id');
    assert.strictEqual(result.task.cancelled.reason, 'the docs moved');
    await api.whenIdle();

    const waiting = Object.fromEntries((await blackboardRows(api, ref, 'Waiting tasks')).map((r) => [r.node.task.id, r.item.description]));
    assert.ok(!('survey-docs' in waiting), 'a cancelled task does not wait');
    assert.match(waiting['write-changelog'], /^dependency cancelled: survey-docs — /);
    assert.match(waiting['write-changelog'], /waits for inspect-layout \(pending\)/);

    const groups = await taskGroups(api, ref);
    const [row] = groups.cancelled;
    assert.strictEqual(row.node.ref.task_id, 'survey-docs');
    assert.strictEqual(row.item.contextValue, 'task.cancelled;requeue;edit;');
    assert.deepStrictEqual(menuCommands('runboard.runs', row.item.contextValue), ['runboard.editTask', 'runboard.openTaskDetails', 'runboard.reopenTask']);
    assert.match(row.item.description, /^cancelled by vscode:.* at .*: the docs moved$/);
    assert.strictEqual(/** @type {import('vscode').ThemeIcon} */ (row.item.iconPath).id, 'stop-circle');

    await command('runboard.openBoard', ref);
    const entry = await waitFor(() => api.ctx.boardPanels.sessions.get(`${ref.root}\u0000${ref.run_id}`), 'the board panel');
    const card = await waitFor(() => entry.session.last?.tasks.find((t) => t.id === 'survey-docs' && t.status === 'cancelled'), 'the cancelled card');
    assert.deepStrictEqual(card.actions, ['requeue', 'edit', 'details']);
    assert.match(card.waits[0], /^cancelled by vscode:.*: the docs moved$/);
    const dependent = entry.session.last.tasks.find((t) => t.id === 'write-changelog');
    assert.match(dependent.waits[0], /^dependency cancelled: survey-docs/);
    assert.ok(dependent.actions.includes('cancel'));
    entry.panel.dispose();

    const reopened = await command('runboard.reopenTask', tref);
    assert.strictEqual(reopened.status, 'runnable');
    assert.strictEqual(reopened.cancelled, undefined);
    await api.whenIdle();
    const after = Object.fromEntries((await blackboardRows(api, ref, 'Waiting tasks')).map((r) => [r.node.task.id, r.item.description]));
    assert.strictEqual(after['write-changelog'], 'waits for survey-docs (runnable), inspect-layout (pending)');
  });

  test('cancel with cascade: the task and every task that waits on it are cancelled, each saying with which', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Cancel with cascade');
    const result = await command('runboard.cancelTask', { ...ref, task_id: 'survey-docs', reason: 'out of scope', cascade: true });
    assert.deepStrictEqual(result.cancelled.map((t) => t.id).sort(), ['survey-docs', ...CHAIN].sort());
    await api.whenIdle();
    const groups = await taskGroups(api, ref);
    assert.deepStrictEqual(groups.cancelled.map((r) => r.node.ref.task_id).sort(), ['survey-docs', ...CHAIN].sort());
    const dependent = groups.cancelled.find((r) => r.node.ref.task_id === 'write-changelog');
    assert.match(dependent.item.description, /^cancelled by vscode:.* at .* along with survey-docs: out of scope$/);
    const waiting = (await blackboardRows(api, ref, 'Waiting tasks')).map((r) => r.node.task.id);
    assert.deepStrictEqual(waiting, ['inspect-layout'], 'only the task outside the chain still waits');

    // Reopen with cascade brings the chain back; its waiting tasks wait on survey-docs again.
    const reopened = await command('runboard.reopenTask', { ...ref, task_id: 'survey-docs', cascade: true });
    assert.strictEqual(reopened.status, 'runnable');
    await api.whenIdle();
    const back = await taskGroups(api, ref);
    assert.deepStrictEqual(back.cancelled ?? [], [], 'nothing stays cancelled');
    const waitingAgain = Object.fromEntries((await blackboardRows(api, ref, 'Waiting tasks')).map((r) => [r.node.task.id, r.item.description]));
    assert.match(waitingAgain['write-changelog'], /^waits for survey-docs \(runnable\)/);
  });

  test('a task this editor holds is cancelled with its lease; one another agent holds needs force', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Cancel leased tasks');
    const mine = { ...ref, task_id: 'inspect-layout' };
    await command('runboard.claimTask', mine);
    assert.ok(api.ctx.leases.get(mine), 'the claim’s token is kept');
    const own = await command('runboard.cancelTask', { ...mine, reason: '', cascade: false });
    assert.strictEqual(own.task.status, 'cancelled');
    assert.strictEqual(api.ctx.leases.get(mine), undefined, 'the token is dropped');

    cli(['--run', ref.run_id, 'claim', '--task', 'survey-docs', '--lease-ms', '60000']);
    const theirs = { ...ref, task_id: 'survey-docs' };
    await waitFor(() => api.ctx.model.task(theirs)?.status === 'in_progress', 'the CLI claim to arrive');
    // Without force the command asks first (a modal); unanswered, nothing changes.
    const unanswered = command('runboard.cancelTask', { ...theirs, reason: 'taking it away', cascade: false });
    await new Promise((r) => setTimeout(r, 500));
    await command('workbench.action.closeMessages').then(undefined, () => undefined);
    await Promise.race([unanswered, new Promise((r) => setTimeout(r, 3000))]);
    assert.strictEqual(api.ctx.model.task(theirs).status, 'in_progress');
    const forced = await command('runboard.cancelTask', { ...theirs, reason: 'taking it away', cascade: false, force: true });
    assert.strictEqual(forced.task.status, 'cancelled');
    assert.strictEqual(forced.task.lease_owner, undefined);
  });
});
