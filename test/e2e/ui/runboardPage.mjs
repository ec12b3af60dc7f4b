// @ts-check
// Helpers of the Runboard UI scenarios: the task board's webview frame, its cards, the run ids
// on disk, and the bundled CLI as a separate writer process.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../driver/paths.mjs';

/**
 * The frame of a task board webview: the editor-tab panel (`pinned`) or the side-bar view.
 * Webviews are nested iframes outside the editor DOM; the board's own document is the one whose
 * #app holds a .board-header.
 */
/** @param {import('playwright-core').Page} page @param {{ pinned?: boolean, timeout?: number }} [o] */
export async function boardFrame(page, { pinned, timeout = 60_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of page.frames()) {
      const kind = await frame
        .evaluate(() => {
          const header = document.querySelector('#app .board-header');
          if (!header) return undefined;
          return document.querySelector('[data-tool="openInEditor"]') || !document.querySelector('.columns') ? 'view' : 'panel';
        })
        .catch(() => undefined);
      if (kind && (pinned === undefined || (kind === 'panel') === pinned)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no ${pinned ? 'panel' : 'view'} task board frame within ${timeout} ms`);
    await page.waitForTimeout(250);
  }
}

/**
 * Moves keyboard focus out of a webview (key presses such as F1 go to the focused iframe): a
 * click on an empty stretch of the status bar.
 */
export async function focusWorkbench(page) {
  const bar = page.locator('.part.statusbar');
  const box = await bar.boundingBox();
  await bar.click({ position: { x: Math.round(box.width / 2), y: Math.round(box.height / 2) } });
}

/** The card of a task on the board. */
export function card(frame, taskId) {
  return frame.locator(`.card[data-task-id="${taskId}"]`);
}

/** Waits until the card of `taskId` sits in the column of `status`. */
export async function waitForCardIn(frame, taskId, status, timeout = 30_000) {
  await frame.locator(`.column-cards[data-status="${status}"] .card[data-task-id="${taskId}"]`).waitFor({ timeout });
}

/** Clicks a card's action button (vscode-toolbar-button[data-action]). */
export async function cardAction(frame, taskId, action) {
  await card(frame, taskId).locator(`vscode-toolbar-button[data-action="${action}"]`).click();
}

/**
 * What a page must not do while a scenario runs: break a webview's CSP (Chromium logs each
 * violation) or open a dialog (an injected alert() would). Dialogs are dismissed and counted.
 */
/** @param {import('playwright-core').Page} page */
export function watchPageSafety(page) {
  /** @type {string[]} */
  const cspViolations = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  return { cspViolations, dialogs: () => dialogs };
}

/** The ids of the runs in a workspace folder. */
export function runIds(workspace) {
  const dir = path.join(workspace, '.runboard', 'runs');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((d) => !d.startsWith('.')) : [];
}

/**
 * Runs the bundled CLI (dist/cli.js of the repo, or `cli` — e.g. an installed vsix's) in another
 * process on the system Node.
 */
/** @param {string} workspace @param {string[]} args @param {{ agent?: string, input?: string, cli?: string }} [o] */
export function runboardCli(workspace, args, { agent = 'agent-007', input, cli = path.join(REPO_ROOT, 'dist', 'cli.js') } = {}) {
  const r = spawnSync(process.execPath, [cli, '--root', workspace, '--json', ...args], {
    encoding: 'utf8',
    input,
    timeout: 30_000,
    env: { ...process.env, RUNBOARD_AGENT: agent },
  });
  if (r.status !== 0) throw new Error(`runboard ${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
}

/**
 * The frame of a webview whose own document holds `selector` (the stats panel's `.chart-grid`,
 * the graph's `svg.graph`): webviews are nested iframes outside the editor DOM.
 */
/** @param {import('playwright-core').Page} page @param {string} selector @param {{ timeout?: number }} [o] */
export async function webviewFrame(page, selector, { timeout = 60_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.evaluate((s) => !!document.querySelector(s), selector).catch(() => false)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview frame holding ${selector} within ${timeout} ms`);
    await page.waitForTimeout(250);
  }
}

/** A task of a run claimed by a CLI agent, then completed — or failed, with `error`. */
/** @param {string} workspace @param {string} runId @param {string} taskId @param {{ agent?: string, error?: string }} [o] */
export function finishTask(workspace, runId, taskId, { agent = 'agent-007', error } = {}) {
  const { task } = runboardCli(workspace, ['--run', runId, 'claim', '--task', taskId], { agent });
  const how = error === undefined ? ['complete'] : ['fail', '--error', error];
  runboardCli(workspace, ['--run', runId, ...how, '--task', taskId, '--token', task.lease_token], { agent });
}

/** Waits until the row selected in the Runs tree holds `text` (a task revealed there); returns its label. */
/** @param {import('../driver/workbench.mjs').Workbench} wb @param {string} text */
export async function waitForRunsSelection(wb, text, timeout = 20_000) {
  const row = wb.view('Runs').locator('.monaco-list-row.selected').first();
  const deadline = Date.now() + timeout;
  for (;;) {
    const label = (await row.count()) ? ((await row.getAttribute('aria-label')) ?? (await row.innerText())) : undefined;
    if (label?.includes(text)) return label;
    if (Date.now() > deadline) throw new Error(`the Runs tree did not select ${JSON.stringify(text)} (selected: ${JSON.stringify(label)})`);
    await wb.page.waitForTimeout(200);
  }
}
