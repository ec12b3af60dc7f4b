// @ts-check
// What a new user gets from the VSIX: the package built from this checkout, installed into a
// fresh workbench with code-server's --install-extension (no extensionDevelopmentPath), activates,
// starts its server from the package's own dist/ (with the package's lock binary for this
// platform), shows a run that the package's CLI writes from another process, renders the task board,
// and claims from the palette. Catches what the development-path scenarios cannot: a file the
// .vscodeignore allow-list leaves out, a manifest that only works from the repo.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installedExtensionDir, installExtension, startCodeServer } from '../driver/codeServer.mjs';
import { REPO_ROOT } from '../driver/paths.mjs';
import { Workbench, workbenchUrl } from '../driver/workbench.mjs';
import { boardFrame, runboardCli, waitForCardIn } from './runboardPage.mjs';

export const title = 'the packaged VSIX installs, activates and works';
export const timeoutMs = 300_000;

/**
 * `npm run package` (the script as package.json has it) on a copy of what the package is made
 * of, without its `vscode:prepublish` production build: the test must not rebuild the repo's
 * dist/ under the other scenarios, so the package holds the build they test.
 */
function packageVsix(dir) {
  const stage = path.join(dir, 'stage');
  fs.mkdirSync(stage);
  for (const entry of ['dist', 'media', 'README.md', 'LICENSE', '.vscodeignore']) {
    fs.cpSync(path.join(REPO_ROOT, entry), path.join(stage, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(stage, 'node_modules'));
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  delete manifest.scripts['vscode:prepublish'];
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
  try {
    execFileSync('npm', ['run', 'package', '--silent'], { cwd: stage, stdio: 'pipe', encoding: 'utf8' });
  } catch (e) {
    throw new Error(`npm run package failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  const vsix = path.join(stage, 'runboard.vsix');
  assert.ok(fs.existsSync(vsix), 'npm run package wrote runboard.vsix');
  return { vsix, manifest };
}

export async function run({ page, workspace, log }) {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-e2e-vsix-'));
  let server;
  let wb;
  let kept = false;
  try {
    const { vsix, manifest } = packageVsix(runDir);
    log(`packaged ${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB`);
    installExtension(runDir, vsix);
    const installed = installedExtensionDir(runDir, manifest);
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'server.js')), `installed into ${installed}`);
    assert.equal(fs.existsSync(path.join(installed, 'server')), false, 'no sources in the package');
    log('installed with code-server --install-extension');

    server = await startCodeServer({ runDir, args: ['--vscode-option', 'enable-smoke-test-driver'] });
    wb = await Workbench.open(page.context(), workbenchUrl({ port: server.port, workspace }));
    await wb.openViewContainer('Runboard');
    const runs = await wb.waitForViewProvider('Runs', { timeout: 90_000 });
    await runs.getByRole('button', { name: 'Create Run' }).waitFor({ timeout: 90_000 });
    log('the installed extension activated and its server runs');

    // Another process — the CLI inside the package — writes a run: the tree shows it live.
    const cli = path.join(installed, 'dist', 'cli.js');
    log(`the packaged CLI writes a run at ${new Date().toISOString()}`);
    runboardCli(workspace, ['run', 'create', '--id', 'from-vsix', 'Ship the packaged build'], { cli });
    runboardCli(workspace, ['--run', 'from-vsix', 'tasks', 'create', '-'], {
      cli,
      input: JSON.stringify([{ id: 'pack-check', task_type: 'check', payload: { title: 'Check the package contents' } }]),
    });
    await wb.treeItem(/Ship the packaged build/, runs).waitFor({ timeout: 30_000 });
    log('a run written by the packaged CLI shows up in the tree');

    await wb.runCommand('Runboard: Open Task Board in Editor');
    const board = await boardFrame(wb.page, { pinned: true });
    await waitForCardIn(board, 'pack-check', 'pending');
    log('the task board renders from the packaged webview assets');

    await wb.runCommand('Runboard: Claim Next Task');
    await waitForCardIn(board, 'pack-check', 'in_progress');
    await wb.treeItem(/Check the package contents.*vscode:/, runs).waitFor({ timeout: 30_000 });
    const { run } = runboardCli(workspace, ['run', 'show', 'from-vsix'], { cli });
    const task = run.tasks.find((t) => t.id === 'pack-check');
    assert.match(task.lease_owner, /^vscode:/, 'claimed by the editor');
    log(`claimed from the palette as ${task.lease_owner}`);
    await wb.screenshot('vsix-installed');
  } catch (error) {
    // The runner's failure screenshot is of its own window, not this second workbench.
    if (wb) await wb.screenshot('vsix-own-window-fail').catch(() => undefined);
    // The installed extension's logs live only in this run dir: keep it for the failure.
    kept = true;
    log(`run dir kept: ${runDir}`);
    const runsDir = path.join(workspace, '.runboard', 'runs');
    log(`runs on disk: ${fs.existsSync(runsDir) ? fs.readdirSync(runsDir).join(', ') : 'none'}`);
    try {
      log(`runboard runs: ${JSON.stringify(runboardCli(workspace, ['runs']))}`);
    } catch (e) {
      log(`runboard runs failed: ${e}`);
    }
    const logs = path.join(runDir, 'user-data', 'logs');
    for (const file of fs.existsSync(logs) ? fs.readdirSync(logs, { recursive: true, encoding: 'utf8' }) : []) {
      if (/Runboard.*\.log$/.test(path.basename(file))) log(`--- ${file}\n${fs.readFileSync(path.join(logs, file), 'utf8').slice(-6000)}`);
    }
    throw error;
  } finally {
    if (wb) await wb.close();
    if (server) await server.stop();
    if (!kept) fs.rmSync(runDir, { recursive: true, force: true });
  }
}
