// @vscode/test-cli config for a desktop VS Code (`npm run test:electron`; test-electron downloads
// VS Code on first use). It runs the same extension-host suite as test/e2e/run.sh, which uses the
// npm-installed code-server workbench instead and needs no download.
import { defineConfig } from '@vscode/test-cli';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// A fresh copy of the demo workspace, removed when the test run ends.
const workspaceFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-electron-ws-'));
fs.cpSync('test/e2e/fixtures/workspace', workspaceFolder, { recursive: true });
process.on('exit', () => fs.rmSync(workspaceFolder, { recursive: true, force: true }));

export default defineConfig({
  label: 'extension-host',
  files: 'test/e2e/suite/**/*.test.js',
  workspaceFolder,
  // Same environment as the workbench gets from test/e2e/run.sh: every folder trusted, no noise.
  launchArgs: ['--disable-workspace-trust', '--disable-extensions', '--skip-welcome', '--skip-release-notes'],
  mocha: { ui: 'tdd', timeout: 60000 },
});
