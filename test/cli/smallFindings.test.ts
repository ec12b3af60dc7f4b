// The red team's smaller CLI and MCP findings: `--root` naming a file listed nothing instead of
// saying so; MCP add_fact and friends did not say `deduped: true` on a repeat; MCP append_event
// dropped a payload key "__proto__".
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { assertBuilt, cleanEnv, cli, CLI_JS, eventsOnDisk, removeTempWorkspaces, seedRun, tempWorkspace } from './cliHarness';

before(assertBuilt);
const clients: Client[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  removeTempWorkspaces();
});

async function mcp(root: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_JS, 'mcp', '--root', root],
    env: cleanEnv() as Record<string, string>,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'small-findings', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

describe('smaller CLI and MCP findings', () => {
  it('--root naming a file is a usage error that says so', () => {
    const dir = tempWorkspace('runboard-rootfile-');
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'x');
    const r = cli(['--root', file, 'runs']);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--root .*notes\.txt is a file, not a folder/);
  });

  it('MCP: a repeated add_fact says deduped: true; append_event keeps a payload key "__proto__"', async () => {
    const root = tempWorkspace('runboard-mcp-small-');
    seedRun(root, 'r');
    const client = await mcp(root);
    const add = () => client.callTool({ name: 'add_fact', arguments: { run_id: 'r', text: 'once', command_id: 'fact-1' } });
    const first = (await add()).structuredContent as { deduped?: boolean; patch: { seq: number } };
    const again = (await add()).structuredContent as { deduped?: boolean; patch: { seq: number } };
    assert.equal(first.deduped, undefined);
    assert.equal(again.deduped, true);
    assert.equal(again.patch.seq, first.patch.seq);

    const payload = JSON.parse('{"__proto__": {"polluted": true}, "note": "kept"}');
    const r = await client.callTool({ name: 'append_event', arguments: { run_id: 'r', type: 'note', payload } });
    assert.notEqual(r.isError, true, JSON.stringify(r.content));
    const last = eventsOnDisk(root, 'r').at(-1)!;
    assert.deepEqual(Object.getOwnPropertyNames(last.payload), ['__proto__', 'note']);
    assert.deepEqual(JSON.parse(JSON.stringify(last.payload)), { ['__proto__']: { polluted: true }, note: 'kept' });
  });
});
