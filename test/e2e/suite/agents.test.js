// @ts-check
// Agents' way in: the runboard CLI on the integrated terminals' PATH, and the MCP server
// (a provider where VS Code has the API, .vscode/mcp.json on request).
const assert = require('assert');
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { command, runboard, root, extensionPath, createRun, waitFor } = require('./helpers');

suite('agents: CLI on PATH and MCP', () => {
  test('the terminal PATH gets dist/bin and RUNBOARD_NODE the editor runtime; the shim runs the CLI without node on PATH', async () => {
    const api = await runboard();
    const collection = api.ctx.extension.environmentVariableCollection;
    const mutator = collection.get('PATH');
    assert.ok(mutator, 'no PATH mutator');
    assert.strictEqual(mutator.type, vscode.EnvironmentVariableMutatorType.Prepend);
    const bin = path.join(extensionPath(), 'dist', 'bin');
    assert.strictEqual(mutator.value, bin + path.delimiter);
    const runtime = collection.get('RUNBOARD_NODE');
    assert.ok(runtime, 'no RUNBOARD_NODE mutator');
    assert.strictEqual(runtime.type, vscode.EnvironmentVariableMutatorType.Replace);
    assert.strictEqual(runtime.value, process.execPath, "the extension host's own runtime");
    const ref = await createRun(api, 'Seen by the shim');
    // A terminal with no node on PATH at all: the shim falls back to RUNBOARD_NODE.
    const emptyPath = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-no-node-'));
    const r = spawnSync(path.join(bin, 'runboard'), ['--root', root(), '--json', 'runs'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: emptyPath, RUNBOARD_NODE: runtime.value },
    });
    fs.rmSync(emptyPath, { recursive: true, force: true });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).runs.some((run) => run.run_id === ref.run_id));

    // runboard.server.nodePath set: new terminals get it as RUNBOARD_NODE (they kept the old runtime).
    const settings = vscode.workspace.getConfiguration('runboard');
    const configured = path.join(os.tmpdir(), 'some-node');
    await settings.update('server.nodePath', configured, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor(() => collection.get('RUNBOARD_NODE')?.value === configured, 'RUNBOARD_NODE to follow the setting');
    } finally {
      await settings.update('server.nodePath', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor(() => collection.get('RUNBOARD_NODE')?.value === process.execPath, 'RUNBOARD_NODE back to the editor runtime');
  });

  test('Set Up Workspace for Agents writes .runboard/.gitignore and the AGENTS.md block, and a second run changes nothing (issue 16)', async () => {
    const api = await runboard();
    const agents = path.join(root(), 'AGENTS.md');
    const gitignore = path.join(root(), '.runboard', '.gitignore');
    fs.writeFileSync(agents, '# Our agents\n\nBe kind.\n');
    // A first write makes .runboard/ with its .gitignore; a workspace of an older Runboard has
    // none: setting up writes it.
    await createRun(api, 'Makes .runboard/ if nothing did yet');
    assert.match(fs.readFileSync(gitignore, 'utf8'), /^\/\*$/m, 'the first write made .runboard/ with its .gitignore');
    fs.rmSync(gitignore);
    const changed = await command('runboard.initWorkspace');
    assert.strictEqual(changed.length, 2, JSON.stringify(changed));
    const text = fs.readFileSync(agents, 'utf8');
    assert.match(text, /^# Our agents\n\nBe kind\.\n\n<!-- runboard:start -->\n[\s\S]*runboard claim --wait[\s\S]*<!-- runboard:end -->\n$/);
    assert.match(fs.readFileSync(gitignore, 'utf8'), /^\/\*$/m);
    assert.deepStrictEqual(await command('runboard.initWorkspace'), [], 'the second run changes nothing');
    assert.strictEqual(fs.readFileSync(agents, 'utf8'), text);
    fs.rmSync(agents);
  });

  test('Set up MCP for Agents writes .vscode/mcp.json naming the stable launcher, not the versioned extension folder', async () => {
    const api = await runboard();
    const file = path.join(root(), '.vscode', 'mcp.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ servers: { other: { type: 'stdio', command: 'other' } } }));
    const result = await command('runboard.setupMcp', { write: true });
    assert.deepStrictEqual(result.files, [file]);
    assert.strictEqual(result.registered, api.mcpRegistered);
    const config = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.ok(config.servers.other, 'other servers are kept');
    const server = config.servers.runboard;
    assert.strictEqual(server.type, 'stdio');
    const launcher = path.join(api.ctx.extension.globalStorageUri.fsPath, 'bin', 'runboard-cli.js');
    assert.deepStrictEqual(server.args, [launcher, 'mcp', '--root', '${workspaceFolder}']);
    assert.ok(!JSON.stringify(server).includes(JSON.stringify(path.join(extensionPath(), 'dist')).slice(1, -1)), 'nothing in it names the versioned extension folder');
    assert.strictEqual(server.command, process.execPath);
    // The command it names (with ${workspaceFolder} substituted, as VS Code does) answers initialize over stdio.
    const args = server.args.map((a) => a.replace('${workspaceFolder}', root()));
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } } });
    const r = spawnSync(server.command, args, { input: init + '\n', encoding: 'utf8', timeout: 20000, env: { ...process.env, ...(server.env || {}) } });
    const reply = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.id === 1);
    assert.ok(reply && reply.result && reply.result.serverInfo, `no initialize reply: ${r.stdout} ${r.stderr}`);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  test('the MCP server definition provider is registered when this VS Code has the API, one server per folder', async () => {
    const api = await runboard();
    // Newer than the @types/vscode this checks against (1.101+).
    const lm = /** @type {{ registerMcpServerDefinitionProvider?: unknown } | undefined} */ (vscode.lm);
    const hasApi = typeof (lm && lm.registerMcpServerDefinitionProvider) === 'function';
    assert.strictEqual(api.mcpRegistered, hasApi);
    const specs = api.mcpServers();
    assert.deepStrictEqual(specs.map((s) => s.args), vscode.workspace.workspaceFolders.map((f) => [path.join(extensionPath(), 'dist', 'cli.js'), 'mcp', '--root', f.uri.fsPath]));
    assert.match(specs[0].label, /^Runboard \(/);
  });
});
