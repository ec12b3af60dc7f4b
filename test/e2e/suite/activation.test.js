// @ts-check
// Activation, the server lifecycle (bounded restart on crash, visible degradation when stopped),
// the status item and the command registrations.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { command, runboard, extensionPath, waitFor, createRun, lastNotice } = require('./helpers');

suite('activation and server lifecycle', () => {
  test('activates, starts the server and shows a healthy status item', async () => {
    const api = await runboard();
    assert.strictEqual(api.ctx.server.state, 'running');
    await waitFor(() => api.ctx.status.health === 'ok', 'status health ok');
    assert.match(api.ctx.status.text, /\$\(checklist\) \d+ active · \d+ in progress/);
  });

  test('every command in package.json is registered, and item-only ones are hidden from the palette', async () => {
    await runboard();
    const pkg = JSON.parse(fs.readFileSync(path.join(extensionPath(), 'package.json'), 'utf8'));
    const registered = new Set(await vscode.commands.getCommands(true));
    const declared = pkg.contributes.commands.map((c) => c.command);
    assert.ok(declared.length >= 30, `only ${declared.length} commands declared`);
    for (const c of pkg.contributes.commands) {
      assert.ok(registered.has(c.command), `${c.command} is declared but not registered`);
      assert.strictEqual(c.category, 'Runboard', `${c.command} has no Runboard category`);
    }
    const hidden = pkg.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command);
    assert.ok(hidden.includes('runboard.replayFromCheckpoint'));
  });

  test('commands say the server is not running when it is stopped, and Restart brings it back', async () => {
    const api = await runboard();
    await api.ctx.server.stop();
    assert.strictEqual(api.ctx.status.health, 'stopped');
    const result = await command('runboard.createRun', { objective: 'while stopped' });
    assert.strictEqual(result, undefined);
    assert.match(lastNotice(api).message, /Runboard server is not running — Runboard: Create Run is unavailable/);
    assert.strictEqual(await command('runboard.restartServer'), 'running');
    await api.whenIdle();
    const ref = await createRun(api, 'after restart');
    assert.ok(api.ctx.model.get(ref), 'the model has the run created after the restart');
  });

  test('a crashed server is restarted automatically, and subscriptions are renewed', async () => {
    const api = await runboard();
    const pid = api.ctx.server.pid;
    assert.ok(pid, 'no server pid');
    const states = [];
    const sub = api.ctx.server.onDidChangeState((s) => states.push(s));
    process.kill(pid, 'SIGKILL');
    await waitFor(() => states.join() === 'starting,running', 'starting then running again', 30000);
    sub.dispose();
    assert.notStrictEqual(api.ctx.server.pid, pid, 'a new server process');
    await api.whenIdle();
    // Live updates flow again: a run created by the new server shows up in the model.
    const ref = await createRun(api, 'after crash');
    await command('runboard.addFact', { ...ref, text: 'still live' });
    await waitFor(() => api.ctx.model.get(ref)?.blackboard?.facts.some((f) => f.text === 'still live'), 'the fact via events');
  });

  test('a server that cannot start leaves the status item stopped with the reason; fixing the setting and restarting recovers', async () => {
    const api = await runboard();
    const config = vscode.workspace.getConfiguration('runboard');
    const missing = path.join(extensionPath(), 'no-such-node');
    await config.update('server.nodePath', missing, vscode.ConfigurationTarget.Global);
    try {
      await command('runboard.restartServer');
      await waitFor(() => api.ctx.server.state === 'stopped', 'the server to be stopped', 30000);
      assert.strictEqual(api.ctx.status.health, 'stopped');
      assert.match(api.ctx.server.runtime.description, /no-such-node/);
      assert.match(api.ctx.status.text, /Runboard stopped/);
      assert.ok(api.ctx.server.stoppedReason, 'a reason is kept for the tooltip');
    } finally {
      await config.update('server.nodePath', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.strictEqual(await command('runboard.restartServer'), 'running');
    await api.whenIdle();
    assert.strictEqual(api.ctx.status.health, 'ok');
  });
});
