// @ts-check
// A task titled `<img src=x onerror=alert(1)>` renders as text on the board: the card shows those
// characters, the webview has no <img>, and no dialog opens.
import assert from 'node:assert/strict';
import { boardFrame, card, runIds, runboardCli, watchPageSafety } from './runboardPage.mjs';

export const title = 'task payloads render as text on the board';
const EVIL = '<img src=x onerror=alert(1)>';

export async function run({ wb, page, workspace, shot, log }) {
  // The board runs under a strict CSP (default-src 'none', nonce scripts): it must not need to break it.
  const { cspViolations, dialogs } = watchPageSafety(page);
  // The run and its task come from another process, as an agent would write them.
  const { run: created } = runboardCli(workspace, ['run', 'create', '--id', 'xss-run', 'Render untrusted task text']);
  runboardCli(workspace, ['--run', created.run_id, 'tasks', 'create', '-'], {
    input: JSON.stringify([
      { id: 'evil', task_type: 'research', payload: { title: EVIL } },
      { id: 'evil-desc', task_type: 'research', payload: { description: '<script>alert(2)</script><b>bold?</b>' } },
    ]),
  });
  assert.deepEqual(runIds(workspace), ['xss-run']);

  await wb.openViewContainer('Runboard');
  const runs = await wb.waitForViewProvider('Runs', { timeout: 90_000 });
  await wb.treeItem(/Render untrusted task text/, runs).waitFor({ timeout: 60_000 });
  await wb.runCommand('Runboard: Open Task Board in Editor');
  const board = await boardFrame(page, { pinned: true });
  await card(board, 'evil').waitFor({ timeout: 30_000 });
  assert.equal(await card(board, 'evil').locator('.card-title').textContent(), EVIL);
  assert.equal(await card(board, 'evil-desc').locator('.card-title').textContent(), '<script>alert(2)</script><b>bold?</b>');
  assert.equal(await board.locator('img').count(), 0, 'no <img> element in the board');
  assert.equal(await board.locator('#app script, #app b').count(), 0, 'no injected elements');
  await page.waitForTimeout(500);
  assert.equal(dialogs(), 0, 'no alert() ran');
  assert.deepEqual(cspViolations.filter((t) => /vscode-webview|board|codicon/i.test(t)), [], 'no CSP violation by the board');
  log('the payload title is shown as text; no img element, no alert');
  await shot('xss-as-text');
}
