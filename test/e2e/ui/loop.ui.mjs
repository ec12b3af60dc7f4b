// @ts-check
// The whole loop a new user runs: open Runboard, create a run, create tasks from the fixture,
// claim one from the tree, watch the board update while another process (the CLI, as an agent)
// claims a task, complete and fail/retry from the board, cancel with what waits on it and reopen
// them all, checkpoint, and replay from the palette into the diff editor.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { boardFrame, card, cardAction, focusWorkbench, runIds, runboardCli, waitForCardIn } from './runboardPage.mjs';

export const title = 'create, claim, watch an agent, complete, retry, checkpoint, replay';
export const timeoutMs = 300_000;

export async function run({ wb, page, workspace, shot, log }) {
  await wb.openViewContainer('Runboard');
  const runs = await wb.waitForViewProvider('Runs', { timeout: 90_000 });
  // The welcome's button (the title bar's + has the same name, and shows while the mouse is over the view).
  await runs.getByRole('region', { name: 'Welcome' }).getByRole('button', { name: 'Create Run' }).waitFor({ timeout: 90_000 });
  await shot('welcome');
  log('Runs view shows its welcome with Create Run');

  // Create a run from the palette.
  await wb.runCommand('Runboard: Create Run');
  await wb.answerQuickInput('Add a changelog to the project');
  // Then the plan, one step per input box (issue 15); an empty one ends it.
  for (const [n, step] of /** @type {const} */ ([
    [1, 'Write the changelog entry'],
    [2, 'Link it from the README'],
    [3, ''],
  ])) {
    await wb.quickInput().getByText(`Create Run: plan step ${n}`).first().waitFor({ timeout: 15_000 });
    await wb.answerQuickInput(step);
  }
  const runItem = wb.treeItem(/Add a changelog to the project/, runs);
  await runItem.waitFor({ timeout: 30_000 });
  assert.equal(await runItem.getAttribute('aria-expanded'), 'true', 'a live run opens expanded');
  const [runId] = runIds(workspace);
  assert.ok(runId, 'the run folder exists');
  assert.deepEqual(
    runboardCli(workspace, ['run', 'show', runId]).run.steps.map((/** @type {{ title: string }} */ s) => s.title),
    ['Write the changelog entry', 'Link it from the README'],
  );
  log(`run ${runId} created with its two plan steps and shown in the tree`);

  // Create tasks from the fixture file (the simple file dialog of the web workbench takes a path).
  await wb.runCommand('Runboard: Create Tasks from File…');
  // The web workbench's file dialog is a quick input that pre-fills the folder (asynchronously):
  // wait for that before typing the file's path over it.
  await wb.quickInput().getByText('Create Tasks from File').first().waitFor({ timeout: 15_000 });
  await page.waitForFunction(() => (/** @type {HTMLInputElement | null} */ (document.querySelector('.quick-input-widget input'))?.value ?? '').includes('/'), null, { timeout: 15_000 });
  const file = path.join(workspace, 'tasks.json');
  const input = wb.quickInput().locator('input').first();
  const dialog = page.locator('.quick-input-widget');
  // The dialog fills in its folder asynchronously, and may do so after the path was typed: type
  // the path (again) until the input holds it, then accept it; an Enter it did not take yet leaves
  // it open, so go on until it closes.
  for (let i = 0; i < 10 && (await dialog.isVisible()); i++) {
    if ((await input.inputValue()) !== file) await input.fill(file);
    await page
      .waitForFunction((f) => /** @type {HTMLInputElement | null} */ (document.querySelector('.quick-input-widget input'))?.value === f, file, { timeout: 2_000 })
      .catch(() => undefined);
    if ((await input.inputValue()) !== file) continue;
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden', timeout: 3_000 }).catch(() => undefined);
  }
  await wb.expectNotification('Created 6 tasks');
  log('6 tasks created from tasks.json');

  // Claim from the tree: the inline "Claim Task" action of a pending task.
  const survey = wb.treeItem(/Survey the existing docs/, runs);
  await survey.waitFor({ timeout: 30_000 });
  await survey.hover();
  await survey.locator('.action-label[aria-label="Claim Task"]').click();
  await wb.treeItem(/Survey the existing docs.*vscode:/, runs).waitFor({ timeout: 30_000 });
  log('claimed "Survey the existing docs" from the tree');
  await shot('tree-claimed');

  // The board in an editor tab.
  await wb.runCommand('Runboard: Open Task Board in Editor');
  const board = await boardFrame(page, { pinned: true });
  await waitForCardIn(board, 'survey-docs', 'in_progress');
  assert.match(await card(board, 'survey-docs').innerText(), /\(you\)/);
  log('board shows the claimed task in progress, held by this editor');

  // Another process claims a task: the board follows within moments (server file watcher).
  const { task } = runboardCli(workspace, ['--run', runId, 'claim', '--task', 'inspect-layout', '--lease-ms', '120000']);
  assert.equal(task.lease_owner, 'agent-007');
  await waitForCardIn(board, 'inspect-layout', 'in_progress', 15_000);
  assert.match(await card(board, 'inspect-layout').innerText(), /agent-007/);
  log('board shows the task claimed by the CLI agent');
  await focusWorkbench(page);
  await wb.clearNotifications();
  await shot('board-live');

  // Complete from the board.
  await cardAction(board, 'survey-docs', 'complete');
  await waitForCardIn(board, 'survey-docs', 'done');
  log('completed from the board');

  // The agent finishes its task; then fail and retry one from the board.
  runboardCli(workspace, ['--run', runId, 'complete', '--task', 'inspect-layout', '--token', task.lease_token]);
  await waitForCardIn(board, 'inspect-layout', 'done', 15_000);
  await cardAction(board, 'write-changelog', 'claim');
  await waitForCardIn(board, 'write-changelog', 'in_progress');
  await cardAction(board, 'write-changelog', 'fail');
  await wb.answerQuickInput('the template was missing');
  await waitForCardIn(board, 'write-changelog', 'failed');
  assert.match(await card(board, 'write-changelog').innerText(), /the template was missing/);
  await shot('board-failed');
  await cardAction(board, 'write-changelog', 'retry');
  await waitForCardIn(board, 'write-changelog', 'runnable');
  log('failed with an error, then retried from the board');

  // Cancel it with the tasks that wait on it, then reopen them all, from the board: each asks.
  await cardAction(board, 'write-changelog', 'cancel');
  await wb.answerQuickInput('wrong order');
  await wb.pickQuickItem('Cancel it and the 3 tasks that wait on it');
  await waitForCardIn(board, 'release-note', 'cancelled');
  await waitForCardIn(board, 'write-changelog', 'cancelled');
  await cardAction(board, 'write-changelog', 'requeue');
  await wb.pickQuickItem('Reopen it and the 3 tasks cancelled with it');
  for (const id of ['write-changelog', 'link-changelog', 'validate-links', 'release-note']) await waitForCardIn(board, id, 'runnable');
  log('cancelled with the tasks that wait on it, then reopened with them, from the board');

  // Checkpoint and replay from the palette: the diff editor opens.
  await focusWorkbench(page);
  await wb.runCommand('Runboard: Create Checkpoint');
  await wb.answerQuickInput('after the first tasks');
  await wb.expectNotification('Checkpoint');
  await wb.runCommand('Runboard: Replay Run…');
  await wb.pickQuickItem('From the latest checkpoint');
  const diffTab = page.locator('.tabs-container .tab', { hasText: 'persisted ↔ replayed' });
  await diffTab.waitFor({ timeout: 30_000 });
  await page.locator('.monaco-diff-editor .editor.modified .view-line').first().waitFor({ timeout: 30_000 });
  assert.match(await diffTab.getAttribute('aria-label'), /— No drift\./);
  log('replay opened the diff editor: no drift');
  await wb.clearNotifications();
  await shot('replay-diff');

  // Replay up to an early event: the diff shows what changed since it (not drift: issue 15).
  await wb.runCommand('Runboard: Replay Run…');
  await wb.pickQuickItem('Up to an event');
  // Events are listed newest first; filter the list down to the early one.
  await wb.quickInput().locator('input').first().fill('#2 context.task.created');
  await wb.pickQuickItem('#2 context.task.created');
  const sinceTab = page.locator('.tabs-container .tab', { hasText: 'Changes since seq 2:' });
  await sinceTab.waitFor({ timeout: 30_000 });
  await page.locator('.monaco-diff-editor .editor.modified .view-line').first().waitFor({ timeout: 30_000 });
  // The diff marks what the replay up to #2 lacks compared with the persisted state.
  await page.locator('.monaco-diff-editor .line-delete, .monaco-diff-editor .char-delete').first().waitFor({ timeout: 30_000 });
  log('replay up to #2 shows the changes since it in the title and the diff');
  await wb.clearNotifications();
  await shot('replay-drift');
}
