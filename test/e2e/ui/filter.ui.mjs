// @ts-check
// The board's filter box: typing hides the cards that do not match, the box keeps focus, text and
// caret while a live update arrives mid-typing, and Escape clears it.
import assert from 'node:assert/strict';
import { boardFrame, card, runboardCli } from './runboardPage.mjs';

export const title = 'the board filter box filters as you type, keeps focus across a live update, and Escape clears it';

export async function prepare({ workspace }) {
  runboardCli(workspace, ['run', 'create', '--id', 'filter-run', 'Filter run: fix the auth flow']);
  const tasks = [
    { id: 'fix-login', task_type: 'bug', payload: { title: 'Fix the login' } },
    { id: 'fix-logout', task_type: 'bug', payload: { title: 'Fix the logout' } },
    { id: 'write-docs', task_type: 'docs', payload: { title: 'Write the docs' } },
  ];
  runboardCli(workspace, ['--run', 'filter-run', 'tasks', 'create', '-'], { input: JSON.stringify(tasks) });
}

/** Whether the filter box has the focus, its text and where its caret is. */
function boxState(frame) {
  return frame.evaluate(() => {
    const input = /** @type {HTMLInputElement} */ (document.querySelector('.filter-input'));
    return { focused: document.activeElement === input, value: input.value, caret: input.selectionStart };
  });
}

export async function run({ wb, page, workspace, shot, log }) {
  await wb.openViewContainer('Runboard');
  await wb.waitForViewProvider('Runs', { timeout: 90_000 });
  const view = await boardFrame(page, { pinned: false, timeout: 90_000 });
  await card(view, 'write-docs').waitFor({ timeout: 30_000 });

  const box = view.getByRole('textbox', { name: 'Filter tasks' });
  await box.pressSequentially('type:bug fix-lo', { delay: 30 });
  await card(view, 'write-docs').waitFor({ state: 'detached', timeout: 15_000 });
  await card(view, 'fix-login').waitFor();
  await view.locator('.filter-count', { hasText: '2 of 3 tasks' }).waitFor();
  log('typing hides the card that does not match: 2 of 3 tasks');

  // Another process adds a matching task while the person is mid-word: it shows, and the box keeps
  // focus, text and caret, so the next keys land where they were going.
  runboardCli(workspace, ['--run', 'filter-run', 'tasks', 'add', 'Fix the lockout', '--id', 'fix-lockout', '--type', 'bug']);
  await card(view, 'fix-lockout').waitFor({ timeout: 30_000 });
  assert.deepEqual(await boxState(view), { focused: true, value: 'type:bug fix-lo', caret: 15 });
  await page.keyboard.type('g');
  await card(view, 'fix-lockout').waitFor({ state: 'detached', timeout: 15_000 });
  await view.locator('.filter-count', { hasText: '2 of 4 tasks' }).waitFor();
  assert.deepEqual(await boxState(view), { focused: true, value: 'type:bug fix-log', caret: 16 });
  await view.locator('.column-hidden').first().waitFor();
  await shot('filtered');
  log('a live update mid-typing keeps the focus and caret in the box');

  await page.keyboard.press('Escape');
  await card(view, 'write-docs').waitFor({ timeout: 15_000 });
  assert.equal((await boxState(view)).value, '');
  assert.equal(await view.locator('.card').count(), 4);
  log('Escape clears the filter: every card again');
}
