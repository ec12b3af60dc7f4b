// The red team's smaller CLI and MCP findings: `--root` naming a file listed nothing instead of
// saying so; MCP add_fact and friends did not say `deduped: true` on a repeat; MCP append_event
// dropped a payload key "__proto__"; a lease length in RUNBOARD_LEASE_MS that is none was ignored
// (every claim silently got the default); `claim --wait --timeout -1` gave up at once.
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

async function mcp(root: string, env: Record<string, string> = {}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_JS, 'mcp', '--root', root],
    env: cleanEnv(env) as Record<string, string>,
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

  it('RUNBOARD_LEASE_MS that is no lease length is refused, naming it, by the CLI (routed or not) and by MCP', async () => {
    const root = tempWorkspace('runboard-lease-env-');
    seedRun(root, 'r', [{ id: 't', task_type: 'w' }]);
    for (const route of ['0', '1']) {
      for (const bad of ['abc', '-5', '1.5', '0']) {
        const r = cli(['--root', root, '--run', 'r', 'claim'], { env: { RUNBOARD_LEASE_MS: bad, RUNBOARD_ROUTE: route } });
        assert.equal(r.status, 2, `${bad}: ${r.stdout}${r.stderr}`);
        assert.match(
          r.stderr,
          /RUNBOARD_LEASE_MS is ".*": it must be a lease length in milliseconds, a whole number above 0 \(for example \d+\), or unset/,
        );
      }
    }
    const client = await mcp(root, { RUNBOARD_LEASE_MS: 'abc' });
    const refused = await client.callTool({ name: 'claim_task', arguments: { run_id: 'r' } });
    assert.equal(refused.isError, true);
    assert.match(JSON.stringify(refused.content), /LEASE_ENV_INVALID: RUNBOARD_LEASE_MS is/);
    // A good one is used: the lease runs that long.
    const claimed = cli(['--root', root, '--run', 'r', '--json', 'claim'], { env: { RUNBOARD_LEASE_MS: '120000' } });
    assert.equal(claimed.status, 0, claimed.stderr);
    const { task } = JSON.parse(claimed.stdout);
    const left = task.lease_expires_at_ms - Date.now();
    assert.ok(left > 60_000 && left <= 120_000, `the lease has ${left} ms left`);
  });

  it('claim --wait --timeout takes seconds, 0 or more: -1 is a usage error, 0.2 gives up after a moment', () => {
    const root = tempWorkspace('runboard-timeout-');
    seedRun(root, 'r');
    const negative = cli(['--root', root, '--run', 'r', 'claim', '--wait', '--timeout', '-1']);
    assert.equal(negative.status, 2, negative.stdout + negative.stderr);
    assert.match(negative.stderr, /--timeout <seconds>.*Expected a number of seconds \(0 or more\)/);
    const brief = cli(['--root', root, '--run', 'r', 'claim', '--wait', '--timeout', '0.2']);
    assert.equal(brief.status, 3, brief.stdout + brief.stderr);
  });

  // They were refused by the server, naming the protocol's field in its unit:
  // "lease_warning_ms: Too big: expected number to be <=3600000" for --lease-warning in seconds.
  it('a number flag out of its range is refused naming the flag, in its unit, with the range', () => {
    const root = tempWorkspace('runboard-bounds-');
    seedRun(root, 'r', [{ id: 't', task_type: 'w' }]);
    const cases: [string[], RegExp][] = [
      [
        ['attention', '--lease-warning', '999999'],
        /'--lease-warning <seconds>' argument '999999' is invalid\. Expected a whole number of seconds, 0 to 3600\./,
      ],
      [['--run', 'r', 'stats', '--slices', '0'], /'--slices <n>' argument '0' is invalid\. Expected a whole number, 1 to 200\./],
      [
        ['--run', 'r', 'tasks', 'add', 'x', '--max-attempts', '0'],
        /'--max-attempts <n>' argument '0' is invalid\. Expected a whole number, 1 to 1000000\./,
      ],
      [
        ['--run', 'r', 'tasks', 'edit', 't', '--priority', '3000000000'],
        /'--priority <n>' argument '3000000000' is invalid\. Expected a whole number, -2147483648 to 2147483647\./,
      ],
    ];
    for (const [args, said] of cases) {
      const r = cli(['--root', root, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, said);
      assert.doesNotMatch(r.stderr, /lease_warning_ms|max_attempts|INVALID_PARAMS/);
    }
    // The bounds themselves are taken.
    assert.equal(cli(['--root', root, 'attention', '--lease-warning', '3600']).status, 0);
    assert.equal(cli(['--root', root, '--run', 'r', 'tasks', 'edit', 't', '--max-attempts', '1000000']).status, 0);
  });

  it('with every run finished, a call that names none says to start a new one for new work, and how to read a finished one', () => {
    const root = tempWorkspace();
    seedRun(root, 'one');
    seedRun(root, 'two');
    for (const id of ['one', 'two']) assert.equal(cli(['--root', root, '--run', id, 'run', 'complete']).status, 0);
    const r = cli(['--root', root, 'claim']);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /No open run in \S+; 2 finished:\n.*\n.*\nFor new work: Create one with `runboard run create "<objective>"`, or pass --root\. To read a finished one, name it with --run <id> or RUNBOARD_RUN\./,
    );
  });
});
