// @ts-check
// Accessibility of the task board, the dependency graph and the Stats panel (issue 20) in VS Code's
// high-contrast theme: each webview takes the theme (its body says so, focus outlines use the
// theme's contrast border), axe-core finds no serious or critical WCAG 2 A/AA violation in any of
// them, and the graph and the stats table work from the keyboard alone — arrows move between
// nodes, Enter reveals the task in the Runs tree.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { axeViolations } from './accessibility.mjs';
import { boardFrame, finishTask, runboardCli, waitForRunsSelection, webviewFrame } from './runboardPage.mjs';

export const title = 'high contrast: board, graph and stats take the theme, pass axe, and work from the keyboard';
const RUN = 'contrast-run';

/** The theme is the workspace's setting, there before the window opens. */
export async function prepare({ workspace }) {
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.colorTheme': 'Default High Contrast' }));
}

export async function run({ wb, page, workspace, shot, log }) {
  runboardCli(workspace, ['run', 'create', '--id', RUN, 'Harden the login flow']);
  runboardCli(workspace, ['--run', RUN, 'tasks', 'create', '-'], {
    input: JSON.stringify([
      { id: 'audit', task_type: 'research', payload: { title: 'Audit the session handling' } },
      { id: 'limits', task_type: 'code', depends_on_task_ids: ['audit'], payload: { title: 'Add rate limits' } },
      { id: 'lockout', task_type: 'code', depends_on_task_ids: ['audit'], payload: { title: 'Lock out after failures' } },
      { id: 'tests', task_type: 'test', depends_on_task_ids: ['limits', 'lockout'], payload: { title: 'Test the new limits' } },
    ]),
  });
  finishTask(workspace, RUN, 'audit', { agent: 'agent-ann' });

  await wb.openViewContainer('Runboard');
  const runs = await wb.waitForViewProvider('Runs', { timeout: 90_000 });
  await wb.treeItem(/Harden the login flow/, runs).click();
  const isHighContrast = (/** @type {import('playwright-core').Frame} */ f) => f.evaluate(() => document.body.classList.contains('vscode-high-contrast'));

  await wb.runCommand('Runboard: Show Dependency Graph');
  const graph = await webviewFrame(page, 'svg.graph .node');
  assert.equal(await isHighContrast(graph), true, 'the graph takes the high-contrast theme');
  assert.deepEqual(await axeViolations(graph), [], 'axe on the dependency graph');
  // Reading order: audit (done), then limits and lockout, then tests. Arrows walk it; Enter reveals.
  const order = await graph.locator('.node[tabindex]').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-task-id')));
  assert.equal(order[0], 'audit');
  assert.equal(order.at(-1), 'tests');
  await graph.locator('.node[data-task-id="audit"]').focus();
  await page.keyboard.press('ArrowRight');
  const focused = () => graph.evaluate(() => /** @type {HTMLElement | null} */ (document.activeElement?.closest('.node'))?.dataset.taskId);
  assert.equal(await focused(), order[1]);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await focused(), 'tests');
  // The focused node is outlined in the theme's contrast border.
  const outline = await graph.evaluate(() => {
    const box = document.activeElement?.querySelector('.node-box');
    const probe = document.createElement('div');
    probe.style.color = 'var(--vscode-contrastActiveBorder)';
    document.body.append(probe);
    const want = getComputedStyle(probe).color;
    probe.remove();
    return { stroke: box ? getComputedStyle(box).stroke : '', want };
  });
  assert.equal(outline.stroke, outline.want, 'the focused node is outlined in contrastActiveBorder');
  await page.keyboard.press('Enter');
  await waitForRunsSelection(wb, 'Test the new limits');
  log('graph: arrows move between nodes, Enter revealed the task');
  await shot('graph');

  await wb.runCommand('Runboard: Show Run Stats');
  const stats = await webviewFrame(page, '.chart-grid canvas');
  assert.equal(await isHighContrast(stats), true, 'the stats take the high-contrast theme');
  assert.deepEqual(await axeViolations(stats), [], 'axe on the stats panel');
  // Each chart says what it shows to a screen reader.
  const labels = await stats.locator('canvas').evaluateAll((cs) => cs.map((c) => `${c.getAttribute('role')}: ${c.getAttribute('aria-label')}`));
  assert.equal(labels.length, 4);
  for (const l of labels) assert.match(l, /^img: .+: .+/);
  await stats.locator('button[data-task-id="lockout"]').focus();
  await page.keyboard.press('Enter');
  await waitForRunsSelection(wb, 'Lock out after failures');
  log('stats: high contrast, no axe violation, a row revealed from the keyboard');
  await shot('stats');

  const board = await boardFrame(page, { pinned: false });
  await board.locator('.card[data-task-id="limits"]').waitFor({ timeout: 30_000 });
  assert.equal(await isHighContrast(board), true, 'the board takes the high-contrast theme');
  assert.deepEqual(await axeViolations(board), [], 'axe on the task board');
  log('task board: high contrast, no axe violation');
}
