// @ts-check
// Tasks: create from a JSON file, claim next / claim this, heartbeat, complete, fail, release,
// retry, requeue (force on a live lease), details; the tree's task groups and the Blackboard's
// waiting tasks with their reasons; lease tokens kept per run and task.
const assert = require('assert');
const vscode = require('vscode');
/** The request by its method name (the suite cannot load the TypeScript protocol module; the type checker can). */
const transitionTask = /** @type {typeof import('../../../server/src/protocol').Requests.transitionTask} */ (/** @type {unknown} */ ('runboard/transitionTask'));
const { command, runboard, cli, children, runWithTasks, taskGroups, label, lastNotice, menuCommands, waitFor } = require('./helpers');

suite('tasks', () => {
  test('create from file, then the tree groups tasks by status with titles', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Tasks from the fixture');
    const groups = await taskGroups(api, ref);
    assert.deepStrictEqual(Object.keys(groups), ['pending']);
    const titles = groups.pending.map((t) => label(t.item));
    assert.strictEqual(titles[0], 'Survey the existing docs', 'highest priority first');
    assert.ok(titles.includes('Check that every link in README.md resolves'));
    const validate = groups.pending.find((t) => t.node.ref.task_id === 'validate-links');
    assert.strictEqual(validate.item.description, '', 'no owner, no lease, no failures: nothing to say');
    // Waiting on its dependencies: no Claim, only Requeue and the details.
    assert.strictEqual(validate.item.contextValue, 'task.pending;requeue;cancel;edit;');
    assert.deepStrictEqual(menuCommands('runboard.runs', validate.item.contextValue), ['runboard.cancelTask', 'runboard.editTask', 'runboard.openTaskDetails', 'runboard.requeueTask']);
    const survey = groups.pending.find((t) => t.node.ref.task_id === 'survey-docs');
    // Claimable: Claim, and Claim Task in Worktree beside it.
    assert.deepStrictEqual(menuCommands('runboard.runs', survey.item.contextValue), ['runboard.cancelTask', 'runboard.claimTask', 'runboard.claimTaskInWorktree', 'runboard.editTask', 'runboard.openTaskDetails', 'runboard.requeueTask']);
  });

  test('claim next, heartbeat and complete with the lease this editor keeps', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Claim and complete');
    const claimed = await command('runboard.claimNextTask', ref);
    assert.strictEqual(claimed.id, 'survey-docs');
    assert.match(claimed.lease_owner, /^vscode:/);
    const tref = { ...ref, task_id: claimed.id };
    assert.strictEqual(api.ctx.leases.get(tref).token, claimed.lease_token, 'token kept');
    await api.whenIdle();
    let groups = await taskGroups(api, ref);
    const row = groups.in_progress.find((t) => t.node.ref.task_id === 'survey-docs');
    assert.strictEqual(row.item.contextValue, 'task.in_progress;heartbeat;complete;fail;release;requeue;cancel;edit;');
    // The editor claims for agents' default of two minutes (runboard.defaultLeaseMs, issue 16).
    assert.match(row.item.description, /^vscode:.* · lease (1m 5\ds|2m 00s)$/);

    const beat = await command('runboard.heartbeatTask', tref);
    assert.ok(beat.lease_expires_at_ms >= claimed.lease_expires_at_ms);
    const done = await command('runboard.completeTask', tref);
    assert.strictEqual(done.status, 'done');
    assert.strictEqual(api.ctx.leases.get(tref), undefined, 'token dropped after complete');
    await api.whenIdle();
    groups = await taskGroups(api, ref);
    assert.deepStrictEqual(groups.done.map((t) => t.node.ref.task_id), ['survey-docs']);
  });

  test('claim this, fail with an error, retry; claim and release', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Fail and retry');
    const tref = { ...ref, task_id: 'inspect-layout' };
    const claimed = await command('runboard.claimTask', tref);
    assert.strictEqual(claimed.id, 'inspect-layout');
    const failed = await command('runboard.failTask', { ...tref, error: 'the layout moved' });
    assert.strictEqual(failed.status, 'failed');
    assert.strictEqual(failed.last_error, 'the layout moved');
    assert.strictEqual(failed.attempt, 1);
    await api.whenIdle();
    assert.strictEqual((await taskGroups(api, ref)).failed[0].item.contextValue, 'task.failed;retry;requeue;cancel;edit;');
    const retried = await command('runboard.retryTask', tref);
    assert.strictEqual(retried.status, 'runnable');
    await command('runboard.claimTask', tref);
    const released = await command('runboard.releaseTask', tref);
    assert.strictEqual(released.status, 'runnable');
    assert.strictEqual(released.lease_owner, undefined);
    // A task whose dependencies are not done cannot be claimed: no task, and a message says why.
    const blocked = await command('runboard.claimTask', { ...ref, task_id: 'write-changelog' });
    assert.strictEqual(blocked, null);
    assert.match(lastNotice(api).message, /cannot be claimed now/);
  });

  test('a task leased by another agent: complete is refused, requeue needs force', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Foreign lease');
    const { task } = cli(['--run', ref.run_id, 'claim', '--task', 'survey-docs', '--lease-ms', '60000']);
    assert.strictEqual(task.lease_owner, 'cli-agent');
    const tref = { ...ref, task_id: 'survey-docs' };
    await waitFor(() => api.ctx.model.task(tref)?.status === 'in_progress', 'the CLI claim to arrive');
    assert.strictEqual(await command('runboard.completeTask', tref), undefined);
    assert.match(lastNotice(api).message, /holds no lease on task survey-docs\. It is leased by cli-agent/);
    const groups = await taskGroups(api, ref);
    assert.strictEqual(groups.in_progress[0].item.contextValue, 'task.in_progress;requeue;cancel;edit;', 'not mine');
    // Without force the command asks first (a modal); unanswered, nothing changes.
    const unanswered = command('runboard.requeueTask', tref);
    await new Promise((r) => setTimeout(r, 500));
    await command('workbench.action.closeMessages').then(undefined, () => undefined);
    await Promise.race([unanswered, new Promise((r) => setTimeout(r, 3000))]);
    assert.strictEqual(api.ctx.model.task(tref).status, 'in_progress');
    const requeued = await command('runboard.requeueTask', { ...tref, force: true, reason: 'taking it back' });
    assert.strictEqual(requeued.status, 'runnable');
    assert.strictEqual(requeued.last_error, 'taking it back');
  });

  test('the Blackboard lists waiting tasks with why they wait', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Why tasks wait');
    cli(['--run', ref.run_id, 'claim', '--task', 'survey-docs', '--lease-ms', '60000']);
    await waitFor(() => api.ctx.model.task({ ...ref, task_id: 'survey-docs' })?.status === 'in_progress', 'the CLI claim');
    api.ctx.selection.select(ref);
    const sections = await children(api.ctx.blackboardTree);
    const waiting = sections.find((s) => label(s.item) === 'Waiting tasks');
    const rows = await children(api.ctx.blackboardTree, waiting.node);
    const why = Object.fromEntries(rows.map((r) => [r.node.task.id, r.item.description]));
    assert.match(why['survey-docs'], /^lease held by cli-agent until .* left\)$/);
    assert.strictEqual(why['inspect-layout'], 'claimable now');
    assert.strictEqual(why['write-changelog'], 'waits for survey-docs (in progress), inspect-layout (pending)');
  });

  test('a blocked task offers release, fail and retry in the Runs tree, the Blackboard and the board, and they work (issue 14)', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Blocked task');
    const tref = { ...ref, task_id: 'inspect-layout' };
    const block = async () => {
      await command('runboard.claimTask', tref);
      const lease_token = api.ctx.leases.get(tref).token;
      await api.ctx.server.request(transitionTask, { ...tref, action: 'status', status: 'blocked', lease_token, error: 'needs a decision' });
      await waitFor(() => api.ctx.model.task(tref)?.status === 'blocked', 'the task blocked');
      await api.whenIdle();
    };
    await block();
    const offered = ['runboard.cancelTask', 'runboard.editTask', 'runboard.failTask', 'runboard.openTaskDetails', 'runboard.releaseTask', 'runboard.requeueTask', 'runboard.retryTask'];
    const row = (await taskGroups(api, ref)).blocked[0];
    assert.deepStrictEqual(menuCommands('runboard.runs', row.item.contextValue), offered);
    api.ctx.selection.select(ref);
    const waiting = (await children(api.ctx.blackboardTree)).find((s) => label(s.item) === 'Waiting tasks');
    const bbRow = (await children(api.ctx.blackboardTree, waiting.node)).find((r) => r.node.task.id === 'inspect-layout');
    assert.deepStrictEqual(menuCommands('runboard.blackboard', bbRow.item.contextValue), offered);
    assert.strictEqual(bbRow.item.description, 'blocked: needs a decision');
    await command('runboard.openBoard', ref);
    const entry = await waitFor(() => api.ctx.boardPanels.sessions.get(`${ref.root}\u0000${ref.run_id}`), 'the board panel');
    const card = await waitFor(() => entry.session.last?.tasks.find((t) => t.id === 'inspect-layout' && t.status === 'blocked'), 'the blocked card');
    assert.deepStrictEqual(card.actions, ['fail', 'release', 'retry', 'requeue', 'cancel', 'edit', 'details']);
    entry.panel.dispose();

    const released = await command('runboard.releaseTask', tref);
    assert.strictEqual(released.status, 'runnable');
    await block();
    const retried = await command('runboard.retryTask', tref);
    assert.strictEqual(retried.status, 'runnable');
    await block();
    const failed = await command('runboard.failTask', { ...tref, error: 'gave up' });
    assert.strictEqual(failed.status, 'failed');
  });

  test('the Blackboard offers the lease actions on a task this editor holds, and no claim in a finished run (issue 14)', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Mine on the Blackboard');
    await command('runboard.claimTask', { ...ref, task_id: 'survey-docs' });
    await api.whenIdle();
    api.ctx.selection.select(ref);
    const rows = async () => {
      const waiting = (await children(api.ctx.blackboardTree)).find((s) => label(s.item) === 'Waiting tasks');
      return Object.fromEntries((await children(api.ctx.blackboardTree, waiting.node)).map((r) => [r.node.task.id, r.item]));
    };
    const mine = (await rows())['survey-docs'];
    assert.deepStrictEqual(menuCommands('runboard.blackboard', mine.contextValue), [
      'runboard.cancelTask', 'runboard.completeTask', 'runboard.editTask', 'runboard.failTask', 'runboard.heartbeatTask', 'runboard.openTaskDetails', 'runboard.releaseTask', 'runboard.requeueTask',
    ]);
    assert.strictEqual((await rows())['inspect-layout'].description, 'claimable now');
    // Completed while the editor holds a task: only with force (an event that completes it is refused then).
    cli(['--run', ref.run_id, 'run', 'complete', '--force']);
    await waitFor(() => api.ctx.model.get(ref)?.run.status === 'completed', 'the run completed');
    await api.whenIdle();
    const after = (await rows())['inspect-layout'];
    assert.strictEqual(after.description, 'the run is completed: nothing can be claimed');
    assert.ok(!menuCommands('runboard.blackboard', after.contextValue).includes('runboard.claimTask'));
  });

  test('Open Task Details shows the task JSON in a read-only runboard: document', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Details');
    const uri = await command('runboard.openTaskDetails', { ...ref, task_id: 'write-changelog' });
    assert.strictEqual(uri.scheme, 'runboard');
    const doc = vscode.window.activeTextEditor.document;
    assert.strictEqual(doc.uri.toString(), uri.toString());
    assert.strictEqual(doc.languageId, 'json');
    const task = JSON.parse(doc.getText());
    assert.strictEqual(task.id, 'write-changelog');
    assert.deepStrictEqual(Object.keys(task), Object.keys(task).slice().sort(), 'keys sorted');
    await command('workbench.action.closeActiveEditor');
  });
});
