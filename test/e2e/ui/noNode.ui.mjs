// @ts-check
// A machine with no `node` on PATH — what desktop VS Code users often have: the Runboard server
// starts on the editor's own runtime, and `runboard` typed in the integrated terminal works
// (its shim falls back to RUNBOARD_NODE, the runtime the extension puts in the terminal's
// environment). Its own code-server, whose PATH holds one empty folder and nothing else.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCodeServer } from '../driver/codeServer.mjs';
import { Workbench, workbenchUrl } from '../driver/workbench.mjs';

export const title = 'without node on PATH the server runs on the editor runtime and runboard works in the terminal';
export const timeoutMs = 240_000;

async function waitForFile(file, test, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (test(text)) return text;
    if (Date.now() > deadline) throw new Error(`${file} did not come to pass in ${timeoutMs} ms; it holds: ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function run({ page, workspace, extDir, log }) {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-e2e-no-node-'));
  const emptyPath = path.join(runDir, 'empty-bin');
  fs.mkdirSync(emptyPath);
  const server = await startCodeServer({
    runDir,
    path: emptyPath,
    env: { SHELL: '/bin/bash' },
    // The DOM renderer puts the terminal's text in the page, so the prompt can be waited for.
    settings: { 'terminal.integrated.gpuAcceleration': 'off' },
    args: ['--vscode-option', 'enable-smoke-test-driver', '--reconnection-grace-time', '10'],
  });
  let wb;
  try {
    wb = await Workbench.open(page.context(), workbenchUrl({ port: server.port, workspace, extensionDevelopmentPath: extDir }));
    await wb.waitForDevelopmentHost();
    await wb.openViewContainer('Runboard');
    const runs = await wb.waitForViewProvider('Runs', { timeout: 90_000 });
    await runs.getByRole('region', { name: 'Welcome' }).getByRole('button', { name: 'Create Run' }).waitFor({ timeout: 90_000 });
    log('the Runboard server runs, with no node on PATH');

    await wb.runCommand('Terminal: Create New Terminal');
    const terminal = wb.page.locator('.terminal-wrapper .xterm').first();
    await terminal.waitFor({ timeout: 30_000 });
    await wb.page.locator('.terminal-wrapper .xterm-rows').filter({ hasText: /[#$]\s*$/m }).first().waitFor({ timeout: 30_000 });
    const out = path.join(workspace, 'terminal-out.txt');
    // Shell built-ins only (this PATH has nothing): the shim must be found and run without node.
    await wb.page.keyboard.type(
      `{ command -v node || echo "no node"; runboard run create --id from-terminal "Made in a terminal without node"; echo "exit=$?"; } > ${out} 2>&1`,
    );
    await wb.page.keyboard.press('Enter');
    const text = await waitForFile(out, (t) => /exit=\d+/.test(t), 30_000);
    assert.match(text, /no node/, 'the terminal has no node on its PATH');
    assert.match(text, /exit=0/, text);
    log('runboard in the integrated terminal created a run');

    await wb.treeItem(/Made in a terminal without node/, runs).waitFor({ timeout: 30_000 });
    log('the server shows the run the terminal made');
    await wb.screenshot('no-node-terminal');
  } catch (e) {
    if (wb) await wb.screenshot('noNode-own-window-fail').catch(() => undefined);
    throw e;
  } finally {
    if (wb) await wb.close();
    await server.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}
