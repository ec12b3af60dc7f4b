// @ts-check
// Workspace leases on folder changes: a run bound to folder A, found in folder B when B is added
// to the workspace, is paused by the server, marked in the tree, and can be rebound to B. Also
// the multi-root tree (a root node per folder).
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { command, runboard, root, createRun, children, label, waitFor } = require('./helpers');

function addFolder(dir) {
  const changed = new Promise((resolve) => {
    const d = vscode.workspace.onDidChangeWorkspaceFolders(() => {
      d.dispose();
      resolve();
    });
  });
  const n = vscode.workspace.workspaceFolders.length;
  assert.ok(vscode.workspace.updateWorkspaceFolders(n, 0, { uri: vscode.Uri.file(dir) }), 'updateWorkspaceFolders refused');
  return changed;
}

function removeFolder(dir) {
  const i = vscode.workspace.workspaceFolders.findIndex((f) => f.uri.fsPath === dir);
  if (i < 0) return Promise.resolve();
  const changed = new Promise((resolve) => {
    const d = vscode.workspace.onDidChangeWorkspaceFolders(() => {
      d.dispose();
      resolve();
    });
  });
  vscode.workspace.updateWorkspaceFolders(i, 1);
  return changed;
}

suite('workspace leases', () => {
  let copy;
  teardown(async () => {
    if (copy) {
      await removeFolder(copy);
      fs.rmSync(copy, { recursive: true, force: true });
      copy = undefined;
    }
  });

  test('a run opened from another folder is paused and marked; Rebind moves it to that folder', async () => {
    const api = await runboard();
    const original = await createRun(api, 'Bound to the first folder');
    await command('runboard.appendEvent', { ...original, type: 'session_run_started', status: 'running' });
    await api.whenIdle();
    // A copy of the folder (as when a repo is cloned twice): the run inside is bound to the original path.
    copy = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-e2e-copy-')));
    const runDir = path.join('.runboard', 'runs', original.run_id);
    fs.cpSync(path.join(root(), runDir), path.join(copy, runDir), { recursive: true });
    await addFolder(copy);
    await waitFor(() => api.ctx.model.folders().length === 2, 'the model to see two folders');
    const moved = { root: copy, run_id: original.run_id };
    await waitFor(() => api.ctx.model.get(moved)?.mismatch, 'the copied run to be marked as a mismatch', 20000);
    await api.whenIdle();
    const entry = api.ctx.model.get(moved);
    assert.strictEqual(entry.mismatch.expected_path, fs.realpathSync(root()));
    assert.strictEqual(entry.mismatch.actual_path, copy);
    await waitFor(() => api.ctx.model.get(moved).run.status === 'paused', 'the server to pause the copied run');
    // The original, open in its own folder, is untouched.
    assert.strictEqual(api.ctx.model.get(original).run.status, 'running');
    assert.strictEqual(api.ctx.model.get(original).mismatch, undefined);
    const check = api.leaseGuard.last.find((c) => c.entry.ref.root === copy && c.entry.ref.run_id === original.run_id);
    assert.ok(check && check.result.mismatch, 'validated with phase workspace_folders_changed');
    assert.match(api.ctx.notices.map((n) => n.message).join('\n'), /is bound to .* but is open in .*; it was paused/);

    // Multi-root: one root node per folder, below the Attention node that lists the paused run; the copied run is marked.
    await waitFor(() => api.ctx.attention.items.some((i) => i.kind === 'run_paused_workspace' && i.root === copy), 'the paused run to need attention');
    const top = await children(api.ctx.runsTree);
    assert.deepStrictEqual(top.map((t) => t.node.kind), ['attention', 'folder', 'folder']);
    const tops = top.slice(1);
    const copyRuns = await children(api.ctx.runsTree, tops[1].node);
    const row = copyRuns.find((r) => r.node.ref.run_id === original.run_id);
    assert.match(row.item.contextValue, /^run\.paused\.bound\.mismatch/);
    assert.strictEqual(row.item.iconPath.id, 'warning');
    assert.match(row.item.description, /^workspace mismatch/);

    const rebound = await command('runboard.rebindWorkspace', row.node);
    assert.strictEqual(rebound.status, 'running', 'a pause caused by the mismatch is lifted');
    assert.strictEqual(rebound.workspace.canonical_path, copy);
    assert.strictEqual(rebound.workspace.lease_epoch, 2);
    await api.whenIdle();
    assert.strictEqual(api.ctx.model.get(moved).mismatch, undefined);
    await waitFor(() => !api.ctx.attention.items.some((i) => i.kind === 'run_paused_workspace' && i.root === copy), 'the rebind to resolve it');
    const after = (await children(api.ctx.runsTree, tops[1].node)).find((r) => r.node.ref.run_id === original.run_id);
    assert.match(after.item.contextValue, /^run\.running\.bound;/);
  });
});
