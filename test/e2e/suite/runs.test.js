// @ts-check
// Runs: create, append events, pause / resume / cancel / reopen, and the Runs tree after events
// (from this editor and from another process writing the same log).
const assert = require('assert');
const vscode = require('vscode');
const { command, runboard, waitFor, cli, createRun, children, label, runRow } = require('./helpers');

suite('runs and the Runs tree', () => {
  test('Create Run makes a run bound to the folder and shows it in the tree', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Ship the changelog\nsecond line stays out of the label');
    assert.strictEqual(ref.run.status, 'queued');
    assert.strictEqual(ref.run.workspace.lease_epoch, 1, 'bound to the folder');
    const row = await runRow(api, ref);
    assert.ok(row, 'run in the tree');
    assert.strictEqual(label(row.item), 'Ship the changelog');
    assert.match(row.item.contextValue, /^run\.queued\.bound/);
    assert.strictEqual(row.item.iconPath.id, 'circle-large-outline');
    const groups = await children(api.ctx.runsTree, row.node);
    assert.deepStrictEqual(groups.map((g) => label(g.item)), ['Steps', 'Tasks', 'Checkpoints']);
    assert.deepStrictEqual(api.ctx.selection.current, { root: ref.root, run_id: ref.run_id }, 'the new run is selected');
  });

  test('Append Event applies the transition table and the tree follows', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Plan a feature\n- Write the design note\n- Implement the parser\n- Review the change');
    const event = await command('runboard.appendEvent', { ...ref, type: 'planning_started', status: 'planning' });
    assert.strictEqual(event.type, 'planning_started');
    await api.whenIdle();
    assert.strictEqual(api.ctx.model.get(ref).run.status, 'awaiting_approval');
    await command('runboard.appendEvent', { ...ref, type: 'plan_approved', status: 'running' });
    await api.whenIdle();
    const row = await runRow(api, ref);
    assert.match(row.item.contextValue, /^run\.running/);
    assert.match(row.item.description, /running · Plan approved; continue with step step-1/);
    const steps = await children(api.ctx.runsTree, (await children(api.ctx.runsTree, row.node))[0].node);
    // One step per objective line of 8+ characters (SPEC §4.3); plan_approved starts the first.
    assert.deepStrictEqual(steps.map((s) => label(s.item)), ['Plan a feature', 'Write the design note', 'Implement the parser', 'Review the change']);
    assert.match(steps[0].item.description, /in_progress/);
    assert.match(steps[1].item.description, /pending/);
  });

  test('pause, resume, cancel and reopen', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Lifecycle of a run');
    const expect = async (cmd, arg, status) => {
      const run = await command(cmd, { ...ref, ...arg });
      assert.ok(run, `${cmd} returned nothing: ${JSON.stringify(api.ctx.notices.at(-1))}`);
      assert.strictEqual(run.status, status, cmd);
      await api.whenIdle();
      assert.match((await runRow(api, ref)).item.contextValue, new RegExp(`^run\\.${status}`));
    };
    await expect('runboard.pauseRun', { reason: 'waiting for review' }, 'paused');
    assert.strictEqual(api.ctx.model.get(ref).run.status_reason, 'waiting for review', 'the agents it stops are told why');
    const pausedRow = (await runRow(api, ref)).item;
    assert.match(pausedRow.description, /^paused · waiting for review/, 'the tree says why, not "Paused by the operator"');
    assert.match(pausedRow.tooltip.value.replace(/&nbsp;/g, ' '), /\*Reason:\* waiting for review/);
    await expect('runboard.resumeRun', {}, 'running');
    await expect('runboard.cancelRun', { confirm: true }, 'cancelled');
    assert.match((await runRow(api, ref)).item.contextValue, /^run\.cancelled(\.\w+)*;reopen;archive;$/, 'a terminal run offers only reopening and archiving');
    await expect('runboard.reopenRun', { reason: 'one more pass' }, 'running');
    assert.match(api.ctx.model.get(ref).run.why_next_step, /one more pass/);
  });

  test('a write by another process (the CLI) reaches the tree through runboard/events', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Watched from outside');
    const item = await runRow(api, ref);
    assert.doesNotMatch(item.item.description, /agent says hi/);
    cli(['--run', ref.run_id, 'event', 'append', 'session_run_started', '--status', 'running', '--payload', JSON.stringify({ why_next_step: 'agent says hi' })]);
    await waitFor(async () => /agent says hi/.test((await runRow(api, ref)).item.description), 'the tree to show the CLI event', 15000);
    assert.strictEqual(api.ctx.model.get(ref).run.status, 'running');
  });

  test('Open Run Log opens the events.jsonl of the run', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Log to open');
    const uri = await command('runboard.openRunLog', ref);
    assert.ok(uri.fsPath.endsWith(`${ref.run_id}/events.jsonl`), uri.fsPath);
    const doc = vscode.window.activeTextEditor.document;
    assert.strictEqual(doc.uri.fsPath, uri.fsPath);
    const first = JSON.parse(doc.lineAt(0).text);
    assert.strictEqual(first.type, 'context.run.created');
    await command('workbench.action.closeActiveEditor');
  });
});

suite('a damaged log', () => {
  test('its lines are in the Problems view at file and line; writes say RUN_DAMAGED; a repair clears them', async () => {
    const fs = require('fs');
    const path = require('path');
    const api = await runboard();
    const ref = await createRun(api, 'Damaged by hand');
    const file = path.join(ref.root, '.runboard', 'runs', ref.run_id, 'events.jsonl');
    fs.appendFileSync(file, '<<<<<<< a merge conflict marker\n');
    const uri = vscode.Uri.file(file);
    const problem = await waitFor(() => vscode.languages.getDiagnostics(uri).find((d) => d.range.start.line === 1), 'a problem on line 2');
    assert.match(problem.message, /Malformed line/);
    assert.strictEqual(problem.source, 'Runboard');
    assert.throws(() => cli(['--run', ref.run_id, 'fact', 'add', 'while damaged'], ref.root), /RUN_DAMAGED/);
    const repaired = cli(['repair', ref.run_id, '--accept'], ref.root);
    assert.strictEqual(repaired.event.type, 'context.log.repaired');
    await waitFor(() => vscode.languages.getDiagnostics(uri).length === 0, 'the problems cleared by the repair');
    assert.ok(cli(['--run', ref.run_id, 'fact', 'add', 'after the repair'], ref.root).patch.seq > repaired.event.seq);
  });
});
