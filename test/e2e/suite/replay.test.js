// @ts-check
// Checkpoints and replay: the diff editor over two runboard: documents, drift in the title.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { command, runboard, createRun, runNode, children, label, waitFor, lastNotice } = require('./helpers');

function activeDiff() {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  return tab && tab.input instanceof vscode.TabInputTextDiff ? { tab, input: tab.input } : undefined;
}

suite('checkpoints and replay', () => {
  test('Create Checkpoint shows under Checkpoints; replay from it opens a diff with no drift', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Replay me');
    await command('runboard.addFact', { ...ref, text: 'fact one' });
    const cp = await command('runboard.createCheckpoint', { ...ref, reason: 'before more work' });
    assert.strictEqual(cp.seq, 2);
    await command('runboard.addFact', { ...ref, text: 'fact two' });
    await api.whenIdle();

    const node = await runNode(api, ref);
    const cpGroup = (await api.ctx.runsTree.getChildren(node)).find((n) => n.kind === 'checkpoints');
    const cps = await children(api.ctx.runsTree, cpGroup);
    assert.strictEqual(cps.length, 1);
    assert.strictEqual(label(cps[0].item), '#2 before more work');
    assert.strictEqual(cps[0].item.contextValue, 'checkpoint');

    const outcome = await command('runboard.replay', { ...ref, mode: 'checkpoint' });
    assert.ok(outcome, JSON.stringify(lastNotice(api)));
    assert.strictEqual(outcome.result.checkpoint_seq, 2);
    assert.strictEqual(outcome.result.events_applied, 1);
    assert.deepStrictEqual(outcome.driftFlags, []);
    const diff = await waitFor(activeDiff, 'a diff editor');
    assert.strictEqual(diff.input.original.scheme, 'runboard');
    assert.strictEqual(diff.input.modified.scheme, 'runboard');
    assert.ok(diff.input.original.path.endsWith('/persisted.json'));
    assert.ok(diff.input.modified.path.endsWith('/replayed.json'));
    assert.match(diff.tab.label, /persisted ↔ replayed — No drift\./);
    const left = await vscode.workspace.openTextDocument(diff.input.original);
    const right = await vscode.workspace.openTextDocument(diff.input.modified);
    assert.strictEqual(left.getText(), right.getText(), 'a healthy run replays to the same state');
    assert.deepStrictEqual(JSON.parse(left.getText()).blackboard.facts.map((f) => f.text), ['fact one', 'fact two']);
    assert.match(lastNotice(api).message, /no drift/);
    await command('workbench.action.closeActiveEditor');

    // The checkpoint's own item action replays from that checkpoint.
    const fromItem = await command('runboard.replayFromCheckpoint', cps[0].node);
    assert.strictEqual(fromItem.result.checkpoint_seq, 2);
    await command('workbench.action.closeActiveEditor');
  });

  test('replay from scratch and up to a seq; an earlier seq shows the changes since it, not drift (issue 15)', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Drift check');
    await command('runboard.addFact', { ...ref, text: 'a' });
    await command('runboard.appendEvent', { ...ref, type: 'session_run_started', status: 'running' });
    const scratch = await command('runboard.replay', { ...ref, mode: 'scratch' });
    assert.strictEqual(scratch.result.checkpoint_seq, null);
    assert.strictEqual(scratch.result.events_applied, 3);
    assert.deepStrictEqual(scratch.driftFlags, []);
    const upto = await command('runboard.replay', { ...ref, mode: 'upto', upto_seq: 1 });
    assert.deepStrictEqual(upto.driftFlags, []);
    assert.strictEqual(upto.changesSince.seq, 1);
    assert.ok(upto.changesSince.flags.includes('status_mismatch'), upto.changesSince.flags.join());
    const diff = await waitFor(activeDiff, 'a diff editor');
    assert.match(diff.tab.label, /— Changes since seq 1: .*status/);
    assert.doesNotMatch(diff.tab.label, /— (no )?drift/i);
    assert.strictEqual(lastNotice(api).level, 'info');
    assert.match(lastNotice(api).message, /Changes since seq 1: .*status/);
    await command('workbench.action.closeAllEditors');
  });

  test('Show Drift flags a snapshot edited behind the engine’s back', async () => {
    const api = await runboard();
    const ref = await createRun(api, 'Tampered snapshot');
    await command('runboard.appendEvent', { ...ref, type: 'session_run_started', status: 'running', payload: { why_next_step: 'honest' } });
    const runJson = path.join(ref.root, '.runboard', 'runs', ref.run_id, 'run.json');
    // run.json is a cache written about a second after a change; wait until it is current.
    await waitFor(() => fs.existsSync(runJson) && JSON.parse(fs.readFileSync(runJson, 'utf8')).last_event_seq === 2, 'run.json at seq 2', 15000);
    const snap = JSON.parse(fs.readFileSync(runJson, 'utf8'));
    snap.why_next_step = 'edited by hand';
    fs.writeFileSync(runJson, JSON.stringify(snap));
    const outcome = await command('runboard.showDrift', ref);
    assert.ok(outcome.driftFlags.includes('why_next_step_mismatch'), outcome.driftFlags.join());
    const diff = await waitFor(activeDiff, 'a diff editor');
    const left = JSON.parse((await vscode.workspace.openTextDocument(diff.input.original)).getText());
    assert.strictEqual(left.run.why_next_step, 'edited by hand');
    await command('workbench.action.closeAllEditors');
  });
});
