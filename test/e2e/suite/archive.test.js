// @ts-check
// Archive Run and Restore Archived Run… (issue 21) in the real workbench: a finished run offers
// Archive in its menu; archived, it leaves the Runs tree and its folder, and a notification offers
// Restore; restored, it is back in the tree, whole. A run that is not finished is archived only when
// forced (the modal's "Archive Anyway"), its leases requeued first.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { runboard, runWithTasks, command, waitFor, runRow, menuCommands, cli } = require('./helpers');

suite('archived runs', () => {
  test('a finished run is archived from its menu, leaves the tree, and is restored whole', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const ref = await runWithTasks(api, 'Archive: the changelog');
    const unfinished = await runRow(api, ref);
    assert.ok(!menuCommands('runboard.runs', unfinished.item.contextValue).includes('runboard.archiveRun'), 'an unfinished run does not offer Archive');
    await command('runboard.completeRun', { ...ref, force: true, reason: 'done for now' });
    const finished = await waitFor(async () => {
      const row = await runRow(api, ref);
      return row && /^run\.completed/.test(String(row.item.contextValue)) && row;
    }, 'the run to show completed');
    assert.ok(menuCommands('runboard.runs', finished.item.contextValue).includes('runboard.archiveRun'), 'a finished run offers Archive');
    const before = ctx.model.get(ref)?.run;
    const log = path.join(ref.root, '.runboard', 'runs', ref.run_id, 'events.jsonl');
    const bytes = fs.readFileSync(log);

    const result = await command('runboard.archiveRun', ref);
    assert.ok(result, `archiveRun returned nothing; ${JSON.stringify(ctx.notices.slice(-2))}`);
    assert.strictEqual(result.archived.run_id, ref.run_id);
    assert.strictEqual(fs.existsSync(log), false);
    await waitFor(() => !ctx.model.get(ref), 'the run to leave the model');
    assert.strictEqual(await runRow(api, ref), undefined, 'the run left the tree');
    const notice = await waitFor(() => ctx.notices.find((n) => n.message.startsWith('Archived run “Archive: the changelog”')), 'the notification');
    assert.deepStrictEqual(Object.keys(notice.actions), ['Restore']);
    assert.deepStrictEqual(cli(['runs', '--archived']).archived.map((/** @type {{ run_id: string }} */ a) => a.run_id).includes(ref.run_id), true);

    await notice.actions.Restore();
    await waitFor(() => ctx.model.get(ref), 'the run to come back');
    assert.deepStrictEqual(fs.readFileSync(log), bytes, 'its log, byte for byte');
    assert.deepStrictEqual(ctx.model.get(ref)?.run.tasks, before?.tasks);
    assert.ok(await waitFor(() => runRow(api, ref), 'the run back in the tree'));
  });

  test('an unfinished run is archived only when forced; its leases are requeued first', async () => {
    const api = await runboard();
    const ref = await runWithTasks(api, 'Archive: still working');
    await command('runboard.claimTask', { ...ref, task_id: 'survey-docs' });
    const forced = await command('runboard.archiveRun', { ...ref, force: true });
    assert.ok(forced);
    assert.deepStrictEqual(forced.requeued, ['survey-docs']);
    await waitFor(() => !api.ctx.model.get(ref), 'the run to leave the model');
    const restored = await command('runboard.restoreRun', ref);
    assert.strictEqual(restored?.tasks.find((t) => t.id === 'survey-docs')?.status, 'runnable');
    await waitFor(() => api.ctx.model.get(ref), 'the run to come back');
  });

  test('each run shows its size; past runboard.diskWarningMB the status bar warns, offering to archive', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const ref = await runWithTasks(api, 'Disk: a run with some weight');
    await ctx.diskUsage.refresh();
    const bytes = await waitFor(() => ctx.diskUsage.bytesOf(ref), 'the run’s size');
    assert.ok(bytes > 1000, `${bytes} bytes`);
    const row = await waitFor(async () => {
      const r = await runRow(api, ref);
      return r && / · [\d.]+ (B|KB|MB)$/.test(String(r.item.description)) && r;
    }, 'the size in the run’s description');
    assert.match(String(row.item.description), /^queued · [\d.]+ (B|KB)$/);
    const config = vscode.workspace.getConfiguration('runboard');
    assert.strictEqual(ctx.diskWarning.shown, false, 'under the default 1 GB');
    await config.update('diskWarningMB', 0.001, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor(() => ctx.diskWarning.shown, 'the warning');
    } finally {
      await config.update('diskWarningMB', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor(() => !ctx.diskWarning.shown, 'the warning gone with the setting');
  });

  test('a compacted run stays in the tree, marked so, and its next change restores it', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const ref = await runWithTasks(api, 'Compact: the changelog');
    await command('runboard.completeRun', { ...ref, force: true });
    await waitFor(async () => /^run\.completed/.test(String((await runRow(api, ref))?.item.contextValue)), 'the run to show completed');
    const log = path.join(ref.root, '.runboard', 'runs', ref.run_id, 'events.jsonl');
    const bytes = fs.readFileSync(log);
    const compacted = await command('runboard.compactRun', ref);
    assert.ok(compacted, JSON.stringify(ctx.notices.slice(-2)));
    assert.strictEqual(fs.existsSync(log), false);
    const row = await waitFor(async () => {
      const r = await runRow(api, ref);
      return r && /compacted$/.test(String(r.item.description)) && r;
    }, 'the run marked compacted in the tree');
    assert.match(String(row.item.description), /^completed · Completed\. · [\d.]+ (B|KB) compacted$/);
    assert.strictEqual(ctx.model.get(ref)?.run.status, 'completed');
    const reopened = await command('runboard.reopenRun', { ...ref, reason: 'one more thing' });
    assert.strictEqual(reopened?.status, 'running');
    assert.deepStrictEqual(fs.readFileSync(log).subarray(0, bytes.length), bytes, 'restored, then reopened');
    await waitFor(() => ctx.model.get(ref)?.run.status === 'running', 'the tree to follow');
  });
});
