// Restricted mode: in an untrusted workspace Runboard still lists runs and replays them, but every
// write is refused with the reason, and the Runs view says how to trust the workspace. This
// scenario runs its own code-server with workspace trust enabled (the shared one has it off).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCodeServer } from '../driver/codeServer.mjs';
import { Workbench, workbenchUrl } from '../driver/workbench.mjs';
import { runboardCli } from './runboardPage.mjs';

export const title = 'an untrusted workspace is read-only';
export const timeoutMs = 240_000;

export async function run({ page, workspace, extDir, log }) {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-e2e-untrusted-'));
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
    await runs.getByText('Runboard is read-only until you trust this workspace').waitFor({ timeout: 90_000 });
    await runs.getByRole('button', { name: 'Manage Workspace Trust' }).waitFor();
    log('the Runs view explains restricted mode');

    await wb.runCommand('Runboard: Create Run');
    await wb.expectNotification('Create Run is disabled: Runboard is read-only until this workspace is trusted');
    assert.equal(fs.existsSync(path.join(workspace, '.runboard', 'runs')), false, 'nothing was written');
    log('Create Run is refused with the reason');

    // Reading works: a run written by another process shows up and can be replayed.
    runboardCli(workspace, ['run', 'create', '--id', 'read-only-run', 'Seen in restricted mode']);
    await wb.treeItem(/Seen in restricted mode/, runs).waitFor({ timeout: 30_000 });
    await wb.runCommand('Runboard: Replay Run…');
    await wb.pickQuickItem('From scratch');
    await page.context().pages().at(-1).locator('.tabs-container .tab', { hasText: 'persisted ↔ replayed' }).waitFor({ timeout: 30_000 });
    log('runs are listed and replayed');
    await wb.runCommand('Runboard: Claim Next Task');
    await wb.expectNotification('Claim Next Task is disabled');
    await wb.screenshot('untrusted-restricted');
  } finally {
    if (wb) await wb.close();
    await server.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}
