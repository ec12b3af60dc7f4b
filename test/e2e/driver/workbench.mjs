// @ts-check
// Drives the code-server workbench in Debian's headless Chromium through playwright-core:
// open it at a URL, wait for it, run palette commands, find views, read notifications, take
// screenshots. The UI scenarios (test/e2e/ui/) and scripts build on these helpers.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { SCREENSHOTS_DIR, chromiumPath } from './paths.mjs';

/** code-server's remoteAuthority is the literal "remote": paths given in the payload need it. */
export const remoteUri = (p) => `vscode-remote://remote${path.resolve(p)}`;

/**
 * The workbench URL for a folder. extensionDevelopmentPath / extensionTestsPath only take effect
 * when code-server runs with `--vscode-option enable-smoke-test-driver` (else the payload is ignored).
 */
/** @param {{ port: number, workspace: string, extensionDevelopmentPath?: string, extensionTestsPath?: string }} o */
export function workbenchUrl({ port, workspace, extensionDevelopmentPath, extensionTestsPath }) {
  // A .code-workspace file opens as a (multi-root capable) workspace: adding folders then needs no reload.
  const kind = workspace.endsWith('.code-workspace') ? 'workspace' : 'folder';
  let url = `http://127.0.0.1:${port}/?${kind}=${encodeURIComponent(path.resolve(workspace))}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remoteUri(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(extensionTestsPath)]);
  if (payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

const browsers = new Set();
const profiles = new Set();
process.on('exit', () => {
  // Last resort (Playwright kills its browsers in its own 'exit' handler, maybe after this one).
  for (const p of profiles) try { fs.rmSync(p, { recursive: true, force: true }); } catch { /* still in use */ }
});

/**
 * For CLI scripts: on SIGINT/SIGTERM close the browsers (at most 5 s), then exit with the usual
 * code. Playwright's own handlers would close Chromium but leave the script waiting.
 */
export function exitOnSignals() {
  const onSignal = (code) => async () => {
    await Promise.race([Promise.all([...browsers].map((b) => b.close())), new Promise((r) => setTimeout(r, 5000))]);
    process.exit(code);
  };
  process.once('SIGINT', onSignal(130));
  process.once('SIGTERM', onSignal(143));
}

/**
 * Headless Chromium with a fresh profile. Debian's Chromium writes under XDG dirs even with its
 * own profile: they go into the profile, which close() removes.
 */
export async function launchBrowser({ viewport = { width: 1400, height: 850 } } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-e2e-chromium-'));
  profiles.add(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    env: { ...process.env, XDG_CONFIG_HOME: path.join(profile, 'xdg-config'), XDG_CACHE_HOME: path.join(profile, 'xdg-cache') },
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const browser = {
    context,
    async close() {
      browsers.delete(browser);
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
      profiles.delete(profile);
    },
  };
  browsers.add(browser);
  return browser;
}

/**
 * Screenshot file under test/e2e/screenshots/. Runs write `<name>.tmp.png` (gitignored);
 * with RUNBOARD_E2E_UPDATE_SCREENSHOTS=1 they write `<name>.png`, the copies kept in git.
 */
export function screenshotPath(name) {
  fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const keep = process.env.RUNBOARD_E2E_UPDATE_SCREENSHOTS === '1';
  return path.join(SCREENSHOTS_DIR, `${name}${keep ? '' : '.tmp'}.png`);
}

export class Workbench {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
  }

  /**
   * Opens a new page on `url` and waits until the workbench and its extension host are up; with
   * `password`, signs in on code-server's login page first (a server started with a password).
   */
  /** @param {import('playwright-core').BrowserContext} context @param {string} url @param {{ timeout?: number, password?: string }} [o] */
  static async open(context, url, { timeout = 90_000, password } = {}) {
    const page = await context.newPage();
    if (process.env.RUNBOARD_E2E_VERBOSE) page.on('console', (m) => console.log('  [browser]', m.type(), m.text().slice(0, 300)));
    const wb = new Workbench(page);
    await page.goto(url);
    if (password !== undefined) await wb.signIn(password);
    await wb.waitReady({ timeout });
    return wb;
  }

  /** Fills code-server's login form and submits it, as a person would. */
  async signIn(password) {
    const field = this.page.locator('input[name="password"]');
    await field.waitFor({ timeout: 30_000 });
    await field.fill(password);
    await Promise.all([this.page.waitForURL((u) => !u.pathname.endsWith('/login'), { timeout: 30_000 }), field.press('Enter')]);
  }

  /** The workbench DOM is there and the status bar is rendered (the extension host connects soon after). */
  async waitReady({ timeout = 90_000 } = {}) {
    await this.page.waitForSelector('.monaco-workbench', { timeout });
    await this.page.waitForSelector('.statusbar', { timeout });
  }

  /** True once the window loads an extension from extensionDevelopmentPath (title says so). */
  async waitForDevelopmentHost({ timeout = 60_000 } = {}) {
    await this.page.waitForFunction(() => document.title.includes('Extension Development Host'), null, { timeout });
  }

  quickInput() {
    return this.page.locator('.quick-input-widget');
  }

  /** Opens the command palette with `>text` typed; resolves with the input locator. */
  async openPalette(text = '', { timeout = 15_000 } = {}) {
    await this.page.keyboard.press('F1');
    const input = this.quickInput().locator('input').first();
    await input.waitFor({ state: 'visible', timeout });
    await input.fill('>' + text, { timeout });
    return input;
  }

  /** Labels of the rows the quick input shows now (palette entries, quick picks). */
  async quickPickLabels({ timeout = 15_000 } = {}) {
    const rows = this.quickInput().locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor({ timeout });
    return (await rows.allInnerTexts()).map((t) => t.split('\n')[0].trim());
  }

  /**
   * Opens the palette with `text` and waits until some entry contains it; returns the labels.
   * A new window registers an extension's commands only once its extension host is up, and an
   * open palette does not refresh: so this closes and reopens it until the entries appear. A
   * palette closed under the typing (a view or webview that opens late takes the focus, and the
   * quick input hides on blur) is opened again the same way.
   */
  async findCommands(text, { timeout = 60_000 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const rows = this.quickInput().locator('.quick-input-list .monaco-list-row', { hasText: text });
      try {
        await this.openPalette(text, { timeout: 5_000 });
        await rows.first().waitFor({ timeout: 2_000 });
        return await this.quickPickLabels();
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`no command matching ${JSON.stringify(text)} in the palette within ${timeout} ms`);
        await this.page.keyboard.press('Escape');
        await this.page.waitForTimeout(1_000);
      }
    }
  }

  /**
   * Runs a command by its palette title ("Category: Title"), exactly as a user would: the entry
   * whose label is exactly `title` (else the first one containing it).
   */
  /** @param {string} title @param {{ screenshot?: string, timeout?: number }} [o] */
  async runCommand(title, { screenshot, timeout = 60_000 } = {}) {
    const labels = await this.findCommands(title, { timeout });
    const exact = labels.indexOf(title);
    const row = this.quickInput().locator('.quick-input-list .monaco-list-row').nth(exact >= 0 ? exact : labels.findIndex((l) => l.includes(title)));
    if (screenshot) await this.screenshot(screenshot);
    await row.click();
    // The palette closes, or the command opens its own quick input (a prompt, a pick): either
    // way the input stops holding the ">command" text.
    await this.page.waitForFunction(() => {
      const widget = document.querySelector('.quick-input-widget');
      const value = widget?.querySelector('input')?.value ?? '';
      return !widget || getComputedStyle(widget).display === 'none' || !value.startsWith('>');
    }, null, { timeout: 15_000 });
  }

  /** Answers an input box / quick pick that a command opened: types `text`, then Enter. */
  async answerQuickInput(text, { timeout = 15_000 } = {}) {
    const input = this.quickInput().locator('input').first();
    await input.waitFor({ state: 'visible', timeout });
    await input.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** Picks the quick-pick row containing `label`. */
  async pickQuickItem(label, { timeout = 15_000 } = {}) {
    const row = this.quickInput().locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ timeout });
    await row.click();
  }

  /** The activity-bar item whose label starts with `label` (a view container). */
  activityItem(label) {
    return this.page.locator(`.activitybar [aria-label^="${label}"]`).first();
  }

  /** Opens a view container from the activity bar (no-op when it is already open). */
  async openViewContainer(label, { timeout = 60_000 } = {}) {
    const item = this.activityItem(label);
    await item.waitFor({ timeout });
    const checked = await item.evaluate((el) => (el.closest('.action-item') ?? el).classList.contains('checked'));
    if (!checked) await item.click();
  }

  /** The pane (header + body) of a view in the side bar, by its title. */
  view(title) {
    return this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: title }) }).first();
  }

  /** Waits until a view's extension has registered its provider (its placeholder text is gone). */
  async waitForViewProvider(title, { timeout = 60_000 } = {}) {
    const pane = this.view(title);
    await pane.waitFor({ timeout });
    const placeholder = pane.getByText('There is no data provider registered');
    const deadline = Date.now() + timeout;
    while (await placeholder.count()) {
      if (Date.now() > deadline) throw new Error(`view ${JSON.stringify(title)} has no data provider after ${timeout} ms`);
      await this.page.waitForTimeout(250);
    }
    return pane;
  }

  /** A tree item with that accessible name (in any view, or within `scope`). */
  /** @param {string | RegExp} name @param {import('playwright-core').Page | import('playwright-core').Locator} [scope] */
  treeItem(name, scope = this.page) {
    return scope.getByRole('treeitem', { name }).first();
  }

  /**
   * Waits for a notification containing `text`. The smoke-test driver (extensionDevelopmentPath
   * mode) suppresses toasts, so this also looks in the notification center, opening it once.
   */
  async expectNotification(text, { timeout = 30_000 } = {}) {
    const deadline = Date.now() + timeout;
    const toast = this.page.locator('.notifications-toasts .notification-list-item', { hasText: text });
    const inCenter = this.page.locator('.notifications-center .notification-list-item', { hasText: text });
    while (Date.now() < deadline) {
      if (await toast.count()) return toast.first();
      if (!(await this.page.locator('.notifications-center.visible').count())) {
        await this.runCommand('Notifications: Show Notifications');
      }
      if (await inCenter.count()) return inCenter.first();
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no notification containing ${JSON.stringify(text)} within ${timeout} ms; seen: ${JSON.stringify(await this.notificationTexts())}`);
  }

  /** Texts of all notifications now in the center or shown as toasts. */
  async notificationTexts() {
    const items = this.page.locator('.notifications-center .notification-list-item, .notifications-toasts .notification-list-item');
    return (await items.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  async clearNotifications() {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** Saves a screenshot of the window (see screenshotPath) and returns its path. */
  async screenshot(name) {
    const file = screenshotPath(name);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Closes the window; code-server ends its extension host after the reconnection grace time. */
  async close() {
    await this.page.close().catch(() => {});
  }
}
