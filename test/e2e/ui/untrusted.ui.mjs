// @ts-check
// Restricted mode: in an untrusted workspace Runboard still lists runs and replays them, but every
// write is refused with the reason, the Runs view says how to trust the workspace — and nothing
// in the workspace changes: a run bound to another folder is not paused, a lease that expires
// while the window is open is not requeued, no cache is written, and a `.waiting` symlink that the
// repository planted creates nothing where it points. This scenario runs its own code-server with
// workspace trust enabled (the shared one has it off) on a workspace only it opens.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCodeServer } from '../driver/codeServer.mjs';
import { Workbench, workbenchUrl } from '../driver/workbench.mjs';
import { freshWorkspace, removeWorkspace } from '../driver/workspace.mjs';
import { runboardCli } from './runboardPage.mjs';

export const title = 'an untrusted workspace is read-only and untouched';
export const timeoutMs = 240_000;

/** Every file under `dir` (symlinks as their target), for "nothing changed" checks. */
function tree(dir) {
  const out = {};
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = e.isSymbolicLink() ? `→ ${fs.readlinkSync(p)}` : fs.readFileSync(p, 'base64');
    }
  };
  walk(dir);
  return out;
}

export async function run({ page, extDir, log }) {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-e2e-untrusted-'));
  // A workspace no trusted window opens (the runner's own window would bind and expire things).
  const workspace = freshWorkspace('runboard-e2e-untrusted-ws-');
  const runsDir = path.join(workspace, '.runboard', 'runs');
  runboardCli(workspace, ['run', 'create', '--id', 'leased', 'Leased before the window opened']);
  runboardCli(workspace, ['--run', 'leased', 'tasks', 'create', '-'], { input: JSON.stringify([{ id: 'held', task_type: 'w', payload: { title: 'Held by an agent' } }]) });
  const claimed = runboardCli(workspace, ['--run', 'leased', 'claim', '--task', 'held', '--lease-ms', '5000']);
  runboardCli(workspace, ['run', 'create', '--id', 'bound-elsewhere', '--workspace', path.join(runDir, 'elsewhere'), 'Bound to another folder']);
  const planted = path.join(runDir, 'planted-by-the-repo');
  fs.symlinkSync(planted, path.join(runsDir, 'leased', '.waiting'));
  const before = tree(runsDir);

  const server = await startCodeServer({
    runDir,
    settings: { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' },
    args: ['--vscode-option', 'enable-smoke-test-driver', '--reconnection-grace-time', '10'],
  });
  let wb;
  try {
    wb = await Workbench.open(page.context(), workbenchUrl({ port: server.port, workspace, extensionDevelopmentPath: extDir }));
    await wb.waitForDevelopmentHost();
    log('untrusted window up');
    await wb.openViewContainer('Runboard');
    const runs = await wb.waitForViewProvider('Runs', { timeout: 90_000 });
    await wb.treeItem(/Bound to another folder/, runs).waitFor({ timeout: 90_000 });
    await wb.treeItem(/Leased before the window opened/, runs).waitFor({ timeout: 30_000 });
    await runs.getByText('Read-only until you trust this workspace').waitFor({ timeout: 30_000 });
    log('the Runs view lists the runs and says it is read-only');

    await wb.runCommand('Runboard: Create Run');
    await wb.expectNotification('Create Run is disabled: Runboard is read-only until this workspace is trusted');
    log('Create Run is refused with the reason');

    await wb.runCommand('Runboard: Replay Run…');
    await wb.pickQuickItem('Leased before the window opened');
    await wb.pickQuickItem('From scratch');
    await page.context().pages().at(-1).locator('.tabs-container .tab', { hasText: 'persisted ↔ replayed' }).waitFor({ timeout: 30_000 });
    log('runs are replayed');
    await wb.runCommand('Runboard: Claim Next Task');
    await wb.expectNotification('Claim Next Task is disabled');

    // The lease runs out while the window is open; a writing server would requeue it within a second.
    while (Date.now() < claimed.task.lease_expires_at_ms + 3000) await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(tree(runsDir), before, 'nothing in the workspace changed: no pause, no requeue, no cache');
    assert.equal(fs.existsSync(planted), false, 'nothing was created through the planted symlink');
    log('an expired lease, a foreign binding and a planted symlink: nothing written');

    // Reading works live: a run written by another process shows up.
    runboardCli(workspace, ['run', 'create', '--id', 'read-only-run', 'Seen in restricted mode']);
    await wb.treeItem(/Seen in restricted mode/, runs).waitFor({ timeout: 30_000 });
    log('a run written by another process shows up');
    await wb.screenshot('untrusted-restricted');
  } finally {
    if (wb) await wb.close();
    await server.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
    removeWorkspace(workspace);
  }
}
