// @ts-check
// Runs and tasks as people write them in the editor (issue 15): a multi-line objective's steps and
// "next" moving along, Complete / Fail Run, Add Task, a run's tasks in progress in its status, and
// task files checked by the published JSON Schema as they are typed.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { command, runboard, root, createRun, children, lastNotice, menuCommands, runRow, waitFor } = require('./helpers');

suite('runs and tasks as people write them (issue 15)', () => {
  test('a three-line objective gives three steps; completing one moves "next" along in the tree', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Survey docs\nWrite changelog\nLink it');
    assert.deepStrictEqual(
      ref.run.steps.map((s) => s.title),
      ['Survey docs', 'Write changelog', 'Link it'],
    );
    await command('runboard.appendEvent', { ...ref, type: 'step_completed', status: 'running', step_id: 'step-1' });
    await api.whenIdle();
    const row = await runRow(api, ref);
    assert.match(String(row.item.description), /running · Continue with step step-2: Write changelog/);
    const steps = await children(api.ctx.runsTree, (await children(api.ctx.runsTree, row.node))[0].node);
    assert.deepStrictEqual(
      steps.map((s) => s.item.contextValue),
      ['step.done', 'step.in_progress', 'step.pending'],
    );
  });

  test('Complete Run waits for tasks in progress unless forced; the tree says they are in progress; Fail Run keeps the reason', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Finish me');
    await command('runboard.addTask', { ...ref, title: 'Busy work', id: 'busy' });
    await command('runboard.addTask', { ...ref, title: 'Later work', id: 'later', after: ['busy'] });
    await command('runboard.claimTask', { ...ref, task_id: 'busy' });
    await api.whenIdle();
    const row = await runRow(api, ref);
    assert.match(String(row.item.description), /^queued · 1 in progress/);
    assert.ok(menuCommands('runboard.runs', row.item.contextValue).includes('runboard.completeRun'));
    assert.strictEqual(await command('runboard.completeRun', { ...ref, force: false }), undefined);
    assert.match(lastNotice(api).message, /TASKS_IN_PROGRESS|1 task is in progress \(busy\)/);
    const done = await command('runboard.completeRun', { ...ref, force: true, reason: 'enough for today' });
    assert.deepStrictEqual([done.status, done.why_next_step], ['completed', 'Completed: enough for today']);
    await api.whenIdle();
    const finished = await runRow(api, ref);
    assert.deepStrictEqual(menuCommands('runboard.runs', finished.item.contextValue).filter((c) => /(complete|fail|reopen)Run$/.test(c)), [
      'runboard.reopenRun',
    ]);
    const other = await createRun(api, 'Fail me');
    const failed = await command('runboard.failRun', { ...other, reason: 'the API is gone' });
    assert.deepStrictEqual([failed.status, failed.last_error], ['failed', 'the API is gone']);
  });

  test('Add Task adds one task from its title, waiting for the tasks named', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Tasks in one line');
    const first = await command('runboard.addTask', { ...ref, title: 'Survey the docs', id: 'survey' });
    assert.deepStrictEqual([first.id, first.task_type, /** @type {{ title: string }} */ (first.payload).title], ['survey', 'work', 'Survey the docs']);
    const second = await command('runboard.addTask', { ...ref, title: 'Write the changelog', target: 'CHANGELOG.md', after: ['survey'] });
    assert.deepStrictEqual([second.task_type, second.depends_on_task_ids], ['implementation', ['survey']]);
    await waitFor(() => api.ctx.model.get(ref).run.tasks.length === 2, 'both tasks in the model');
  });

  test('Edit Task sets priority, dependencies and labels, from the task item menu (issue 17)', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Edit in the editor');
    await command('runboard.addTask', { ...ref, title: 'First', id: 'first' });
    await command('runboard.addTask', { ...ref, title: 'Second', id: 'second' });
    const edited = await command('runboard.editTask', { ...ref, task_id: 'second', priority: 3, after: ['first'], labels: ['docs'] });
    assert.deepStrictEqual([edited.priority, edited.depends_on_task_ids, edited.labels], [3, ['first'], ['docs']]);
    await waitFor(() => api.ctx.model.task({ ...ref, task_id: 'second' })?.priority === 3, 'the model has the edit');
    assert.ok(menuCommands('runboard.runs', 'task.pending;requeue;edit;').includes('runboard.editTask'));
  });

  test('a *.tasks.json with a field a task does not have shows a schema problem naming it; a valid one, task_type left out, shows none', async () => {
    await runboard();
    const file = path.join(root(), 'plan.tasks.json');
    fs.writeFileSync(file, JSON.stringify([{ id: 'a', title: 'A' }], null, 2));
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const problems = await waitFor(() => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.some((x) => /title/.test(x.message)) && d;
    }, 'a schema problem naming title');
    assert.ok(problems.length >= 1);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), JSON.stringify([{ id: 'a', payload: { title: 'A' } }]));
    await vscode.workspace.applyEdit(edit);
    await waitFor(() => vscode.languages.getDiagnostics(uri).length === 0, 'no problem once the title is in the payload');
    await command('workbench.action.revertAndCloseActiveEditor');
    fs.rmSync(file);
  });
});
