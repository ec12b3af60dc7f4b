// @ts-check
// The task board keeps its run across hide/show (webview state) and an editor-tab board comes back
// after a window reload (the panel serializer).
import assert from 'node:assert/strict';
import { boardFrame, focusWorkbench, runboardCli } from './runboardPage.mjs';

export const title = 'the board keeps its run across hide/show and reloads';

export async function prepare({ workspace }) {
  runboardCli(workspace, ['run', 'create', '--id', 'older-run', 'Older run: tidy the docs']);
  runboardCli(workspace, ['--run', 'older-run', 'tasks', 'create', '-'], { input: JSON.stringify([{ id: 'tidy', task_type: 'docs', payload: { title: 'Tidy the docs' } }]) });
  await new Promise((r) => setTimeout(r, 20));
  runboardCli(workspace, ['run', 'create', '--id', 'newer-run', 'Newer run: speed up the build']);
}

async function objective(frame) {
  return (await frame.locator('.run-objective').textContent()).trim();
}

export async function run({ wb, page, shot, log }) {
  await wb.openViewContainer('Runboard');
  await wb.waitForViewProvider('Runs', { timeout: 90_000 });
  let view = await boardFrame(page, { pinned: false, timeout: 90_000 });
  await view.locator('.run-objective', { hasText: 'Newer run' }).waitFor({ timeout: 30_000 });
  log('the board view starts on the newest run');

  await view.locator('[data-tool="pickRun"]').click();
  await wb.pickQuickItem('Older run: tidy the docs');
  await view.locator('.run-objective', { hasText: 'Older run' }).waitFor({ timeout: 15_000 });
  await view.locator('.card[data-task-id="tidy"]').waitFor({ timeout: 15_000 });

  // Hide and show the view: its webview is rebuilt and comes back on the same run.
  const header = wb.view('Task Board').locator('.pane-header');
  await header.click();
  await page.waitForTimeout(500);
  await header.click();
  view = await boardFrame(page, { pinned: false });
  await view.locator('.card[data-task-id="tidy"]').waitFor({ timeout: 15_000 });
  assert.equal(await objective(view), 'Older run: tidy the docs');
  log('after hide/show the view still shows the picked run');

  // An editor-tab board for it, then a window reload: the serializer restores it.
  await view.locator('[data-tool="openInEditor"]').click();
  let panel = await boardFrame(page, { pinned: true });
  await panel.locator('.card[data-task-id="tidy"]').waitFor({ timeout: 15_000 });
  await focusWorkbench(page);
  await shot('panel');
  await wb.runCommand('Developer: Reload Window');
  await page.waitForTimeout(2000);
  await wb.waitReady();
  await page.locator('.tabs-container .tab', { hasText: 'Board: Older run' }).waitFor({ timeout: 60_000 });
  panel = await boardFrame(page, { pinned: true, timeout: 90_000 });
  await panel.locator('.card[data-task-id="tidy"]').waitFor({ timeout: 60_000 });
  assert.equal(await objective(panel), 'Older run: tidy the docs');
  log('after a reload the editor-tab board is restored on the same run');
  // The view's own state (the picked run) survived the reload too.
  view = await boardFrame(page, { pinned: false, timeout: 60_000 });
  await view.locator('.card[data-task-id="tidy"]').waitFor({ timeout: 30_000 });
  assert.equal(await objective(view), 'Older run: tidy the docs');
}
