// @ts-check
// Smoke test: the extension loads in the real workbench's extension host (Node 24), activates,
// and registers its commands. Runs through test/e2e/run.sh (code-server) or `npm run test:electron`.
const assert = require('assert');
const vscode = require('vscode');

suite('Runboard extension: smoke', () => {
  test('runboard.runboard is loaded and activates', async () => {
    const ext = vscode.extensions.getExtension('runboard.runboard');
    assert.ok(ext, 'the extension runboard.runboard is not loaded (extensionDevelopmentPath)');
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  test('registers runboard.* commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    const ours = commands.filter((c) => c.startsWith('runboard.'));
    assert.ok(ours.length > 0, 'no command whose id starts with "runboard." is registered');
  });
});
