// @ts-check
// A run bound to another folder (a second clone, a moved repo) is found on activation: the server
// pauses it, the tree marks it, and the notification's "Rebind to this folder" resumes it here.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runboardCli } from './runboardPage.mjs';

export const title = 'a run bound elsewhere is paused on activation and rebound from the notification';
let elsewhere;

export async function prepare({ workspace }) {
  elsewhere = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-e2e-elsewhere-')));
  runboardCli(workspace, ['run', 'create', '--id', 'moved-run', '--workspace', elsewhere, 'Refactor the parser in the original clone']);
}

export async function run({ wb, page, workspace, shot, log }) {
  try {
    await wb.openViewContainer('Runboard');
    const runs = await wb.waitForViewProvider('Runs', { timeout: 90_000 });
    const item = wb.treeItem(/Refactor the parser in the original clone.*workspace mismatch/, runs);
    await item.waitFor({ timeout: 90_000 });
    log('tree marks the run as a workspace mismatch');
    const note = await wb.expectNotification('is bound to');
    assert.match(await note.innerText(), new RegExp(`bound to ${elsewhere.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} but is open in`));
    const events = fs.readFileSync(path.join(workspace, '.runboard', 'runs', 'moved-run', 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(events.at(-1).type, 'workspace_mismatch');
    assert.equal(events.at(-1).status, 'paused');
    await shot('mismatch');
    await note.getByRole('button', { name: 'Rebind to this folder' }).click();
    await wb.treeItem(/Refactor the parser in the original clone.*running/, runs).waitFor({ timeout: 30_000 });
    const run = runboardCli(workspace, ['--run', 'moved-run', 'run', 'show']).run;
    assert.equal(run.workspace.canonical_path, fs.realpathSync(workspace));
    assert.equal(run.workspace.lease_epoch, 2);
    log('rebound to this folder: running, lease epoch 2');
  } finally {
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }
}
