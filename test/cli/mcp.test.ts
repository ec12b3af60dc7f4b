// `runboard mcp` spoken to by the MCP SDK's own Client over stdio: the tools, a whole work loop
// whose results land in the run's files, errors as tool errors with their codes, and invalid
// input naming the field.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { RunService } from '../../server/src/service/runService';
import { ERROR_META_KEY } from '../../server/src/cli/mcp/toolResults';
import {
  assertBuilt,
  cleanEnv,
  cli,
  CLI_JS,
  cliJson,
  eventsOnDisk,
  removeTempWorkspaces,
  REPO,
  seedRun,
  startHeadless,
  stopHeadless,
  sleep,
  tempWorkspace,
  waitFor,
} from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await stopHeadless();
});

/** An MCP session: `runboard [extraArgs] mcp --root root [mcpArgs]`, as `agent`. */
/** What each session's server said on stderr so far. */
const stderrOf = new WeakMap<Client, () => string>();

async function connect(
  root: string,
  extraArgs: string[] = [],
  mcpArgs: string[] = [],
  agent = 'model-under-test',
  extraEnv: Record<string, string> = {},
): Promise<Client> {
  const env = cleanEnv({ RUNBOARD_AGENT: agent, ...extraEnv }) as Record<string, string>;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_JS, ...extraArgs, 'mcp', '--root', root, ...mcpArgs],
    env,
    stderr: 'pipe',
  });
  let said = '';
  transport.stderr?.on('data', (d) => (said += d));
  const client = new Client({ name: 'runboard-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  stderrOf.set(client, () => said);
  // As clients do: the SDK then checks every result against its tool's outputSchema, errors too.
  await client.listTools();
  return client;
}

interface ToolOutcome {
  isError: boolean;
  text: string;
  data: any;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolOutcome> {
  const r = await client.callTool({ name, arguments: args });
  const text = (r.content as { type: string; text: string }[]).map((c) => c.text).join('\n');
  // An error's {code, message, data} is in _meta (no structuredContent: docs/MCP.md); `data.error` here.
  return { isError: r.isError === true, text, data: r.isError ? { error: r._meta?.[ERROR_META_KEY] } : r.structuredContent };
}

async function ok(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const r = await call(client, name, args);
  assert.equal(r.isError, false, `${name} failed: ${r.text}`);
  // A short summary for the text; the whole result is the structured content (issue 16).
  assert.ok(r.text.length > 0 && r.text.length < 2000 && !r.text.trimStart().startsWith('{'), `${name}: ${r.text}`);
  return r.data;
}

const TOOLS = [
  'list_runs',
  'create_run',
  'get_run',
  'complete_run',
  'fail_run',
  'add_task',
  'create_tasks',
  'claim_task',
  'heartbeat_task',
  'complete_task',
  'fail_task',
  'release_task',
  'retry_task',
  'requeue_task',
  'ready_tasks',
  'edit_task',
  'cancel_task',
  'append_event',
  'add_fact',
  'add_decision',
  'add_open_question',
  'answer_question',
  'add_artifact',
  'create_checkpoint',
  'replay_run',
];

describe('runboard mcp', () => {
  it('dist/mcp.js run as a script says how to start the MCP server instead of exiting 0 without a word', () => {
    const r = spawnSync(process.execPath, [path.join(path.dirname(CLI_JS), 'mcp.js')], { encoding: 'utf8', env: cleanEnv() });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /dist\/mcp\.js is loaded by `runboard mcp`\. Run `node dist\/cli\.js mcp --root <folder>`/);
  });

  it('lists its tools, each with a description and an input schema, each in docs/MCP.md', async () => {
    const client = await connect(tempWorkspace());
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...TOOLS].sort());
    const table = fs.readFileSync(path.join(REPO, 'docs', 'MCP.md'), 'utf8');
    for (const name of TOOLS) assert.match(table, new RegExp(`^\\| [^|]*\`${name}\``, 'm'), `docs/MCP.md's table lists ${name}`);
    for (const t of tools) {
      assert.ok((t.description ?? '').length > 40, `${t.name} has a real description`);
      assert.equal(t.inputSchema.type, 'object');
    }
    const claim = tools.find((t) => t.name === 'claim_task')!;
    assert.ok('task_type' in (claim.inputSchema.properties ?? {}));
    assert.equal(client.getServerVersion()?.name, 'runboard');
    assert.match(client.getInstructions() ?? '', /claim_task/);
  });

  it('two sessions with no agent id given are two agents: neither is told the lease of the other is its own', async () => {
    const root = tempWorkspace();
    seedRun(root, 'two', [{ id: 't1', task_type: 'work', payload: { title: 'T1' } }]);
    // An empty RUNBOARD_AGENT is none: each server takes its default.
    const a = await connect(root, [], [], '');
    const b = await connect(root, [], [], '');
    const claimed = await ok(a, 'claim_task');
    assert.match(claimed.task.lease_owner, /^mcp:.+@.+#\d+$/, 'the default names the session');
    const refused = await call(b, 'complete_task', { task_id: 't1' });
    assert.equal(refused.isError, true);
    assert.match(
      refused.text,
      /^TASK_LEASE_REQUIRED: Task t1 is claimed by mcp:.+#\d+ — pick another task, or wait until it is released\./,
    );
    assert.doesNotMatch(refused.text, /your agent id/);
    await ok(a, 'complete_task', { task_id: 't1' });
  });

  it('runs a whole loop — claim, heartbeat, complete; fail, retry, complete — and the files show it', async () => {
    const root = tempWorkspace();
    const client = await connect(root);
    seedRun(root, 'loop');
    const created = await ok(client, 'create_tasks', {
      tasks: [
        { id: 'a', task_type: 'research', payload: { title: 'Read the code', description: 'Start at src/\nand note the parser' } },
        { id: 'b', task_type: 'review', depends_on_task_ids: ['a'] },
        { id: 'flaky', task_type: 'validation', max_attempts: 2, priority: -1 },
      ],
    });
    assert.equal(created.run_id, 'loop', 'the only open run is the default');
    assert.deepEqual(
      created.tasks.map((t: any) => t.id),
      ['a', 'b', 'flaky'],
    );

    const before = await ok(client, 'get_run');
    assert.equal(before.run.run_id, 'loop');
    assert.equal(before.run.tasks, undefined, 'tasks are listed once, beside the run');
    assert.equal(before.tasks.length, 3);
    assert.deepEqual(before.board.claimable_now, ['a', 'flaky']);
    assert.equal(before.board.counts.pending, 3);
    // Empty lists are left out of results for a model (forModel.ts).
    assert.equal(before.board.leases, undefined);
    assert.equal(before.board.expired_leases, undefined);

    const claimedText = await call(client, 'claim_task');
    // The text alone (some clients show a model nothing else) says what the work is and how long the lease holds.
    assert.match(
      claimedText.text,
      /^Task a \(in_progress\): Read the code\nDescription: Start at src\/ and note the parser\nLease until \S+Z: heartbeat_task before then\.$/,
    );
    const claimed = claimedText.data;
    assert.equal(claimed.task.id, 'a');
    assert.equal(claimed.task.lease_owner, 'model-under-test');
    assert.ok(Date.parse(claimed.task.lease_expires_at) - Date.now() > 60_000, 'MCP leases default to two minutes');
    const beat = await ok(client, 'heartbeat_task', { task_id: 'a', lease_ms: 200_000 });
    assert.ok(Date.parse(beat.task.lease_expires_at) > Date.parse(claimed.task.lease_expires_at));
    const during = await ok(client, 'get_run', { run_id: 'loop' });
    assert.deepEqual(during.board.leases_held_by_this_session, ['a']);
    assert.deepEqual(
      during.board.leases.map((l: any) => [l.task_id, l.lease_owner]),
      [['a', 'model-under-test']],
    );
    const completed = await ok(client, 'complete_task', { task_id: 'a', result: 'Read src/: the parser is in lexer.ts' });
    assert.deepEqual([completed.task.status, completed.task.result], ['done', 'Read src/: the parser is in lexer.ts']);

    const f = await ok(client, 'claim_task', { task_id: 'flaky' });
    assert.equal(f.task.id, 'flaky');
    const failed = await ok(client, 'fail_task', { task_id: 'flaky', error: 'flaky network' });
    assert.equal(failed.task.status, 'failed');
    assert.equal(failed.task.attempt, 1);
    assert.equal((await ok(client, 'retry_task', { task_id: 'flaky' })).task.status, 'runnable');
    assert.equal((await ok(client, 'claim_task', { task_id: 'flaky' })).task.attempt, 1);
    await ok(client, 'complete_task', { task_id: 'flaky' });
    const b = await ok(client, 'claim_task');
    assert.equal(b.task.id, 'b');
    assert.equal((await ok(client, 'release_task', { task_id: 'b' })).task.status, 'runnable');

    // A fresh store (another process's view) sees every step in the files.
    const store = new RunService([root], { snapshotDelayMs: null });
    try {
      const { run } = await store.execute('getRun', { run_id: 'loop' });
      assert.deepEqual(
        run.tasks.map((t) => [t.id, t.status]),
        [
          ['a', 'done'],
          ['b', 'runnable'],
          ['flaky', 'done'],
        ],
      );
    } finally {
      store.close();
    }
    assert.deepEqual(
      eventsOnDisk(root, 'loop')
        .slice(4)
        .map((e) => `${e.type.replace('context.task.', '')}:${e.task_id}`),
      [
        'claimed:a',
        'heartbeat:a',
        'completed:a',
        'claimed:flaky',
        'failed:flaky',
        'requeued:flaky',
        'claimed:flaky',
        'completed:flaky',
        'claimed:b',
        'requeued:b',
      ],
    );
  });

  it("a model's calls sent together (parallel tool calls) are carried out in the order sent: heartbeat and complete after the claim that gave the token", async () => {
    const root = tempWorkspace();
    seedRun(root, 'pipe', [
      { id: 'a', task_type: 'w' },
      { id: 'b', task_type: 'w' },
    ]);
    const client = await connect(root);
    // Sent without waiting: the SDK client writes them in this order at once.
    const [claimed, beat, done, listed] = await Promise.all([
      call(client, 'claim_task', { task_id: 'a' }),
      call(client, 'heartbeat_task', { task_id: 'a' }),
      call(client, 'complete_task', { task_id: 'a' }),
      call(client, 'ready_tasks'),
    ]);
    for (const [name, r] of Object.entries({ claimed, beat, done, listed })) assert.equal(r.isError, false, `${name}: ${r.text}`);
    assert.equal(done.data.task.status, 'done');
    assert.deepEqual(
      listed.data.tasks.map((t: any) => t.id),
      ['b'],
      'ready_tasks saw the board after the complete before it',
    );
    // A call refused on its input is answered too: the calls after it still run.
    const [bad, after] = await Promise.all([call(client, 'claim_task', { task_id: 42 }), call(client, 'claim_task', { task_id: 'b' })]);
    assert.equal(bad.isError, true);
    assert.equal(after.data.task.id, 'b');
  });

  it('with no run yet, says so and how one starts, in the text a model reads', async () => {
    const client = await connect(tempWorkspace());
    assert.equal((await call(client, 'list_runs')).text, 'No run yet: create_run starts one.');
    const none = await call(client, 'get_run');
    assert.equal(none.isError, true);
    assert.match(none.text, /^RUN_REQUIRED: No run in \S+ yet\. Start one with create_run, or ask the person you work for to\.$/);
  });

  it('records blackboard items, events, checkpoints and replays', async () => {
    const root = tempWorkspace();
    const client = await connect(root);
    const created = await ok(client, 'create_run', {
      objective: 'Export reports as CSV\n1. Read the rows\n2. Write the file',
      run_id: 'bb',
    });
    assert.equal(created.run.run_id, 'bb');
    assert.equal(created.run.source_client, 'runboard-mcp');
    assert.equal((await call(client, 'create_run', { objective: 'again', run_id: 'bb' })).data.error.code, 'RUN_EXISTS');
    assert.equal((await ok(client, 'add_fact', { text: 'Dates are UTC', step_id: 'step-1' })).patch.payload.text, 'Dates are UTC');
    assert.equal((await call(client, 'add_fact', { text: 'Dates are UTC', step_id: 'step-9' })).data.error.code, 'STEP_NOT_FOUND');
    await ok(client, 'add_decision', { text: 'Use RFC 4180' });
    await ok(client, 'add_open_question', { text: 'Archived rows?' });
    const art = await ok(client, 'add_artifact', { path: 'src/csv.ts', artifact_type: 'source' });
    assert.equal(art.patch.op, 'add_artifact');
    const ev = await ok(client, 'append_event', { type: 'planning_started' });
    assert.equal(ev.run.status, 'awaiting_approval');
    assert.equal(ev.event.type, 'planning_started');
    const cp = await ok(client, 'create_checkpoint', { reason: 'after planning' });
    assert.equal(cp.checkpoint.seq, 6);
    // No reason: one is given, as the CLI gives one (the tool refused a call without it).
    assert.equal((await ok(client, 'create_checkpoint', {})).checkpoint.reason, 'checkpoint from MCP');
    const rp = await ok(client, 'replay_run', {});
    assert.equal(rp.from_checkpoint, true);
    assert.equal(rp.drift.mismatch, false);
    const scratch = await ok(client, 'replay_run', { from_scratch: true, upto_seq: 2 });
    assert.equal(scratch.events_applied, 2);
    assert.equal(scratch.drift.mismatch, true);

    const shown = cliJson(root, ['run', 'show']);
    assert.deepEqual(
      shown.blackboard.facts.map((x: any) => x.text),
      ['Dates are UTC'],
    );
    assert.deepEqual(
      shown.blackboard.decisions.map((x: any) => x.text),
      ['Use RFC 4180'],
    );
    assert.deepEqual(
      shown.blackboard.open_questions.map((x: any) => x.text),
      ['Archived rows?'],
    );
    assert.equal(cliJson(root, ['checkpoints']).checkpoints[0].reason, 'after planning');
    const listed = await ok(client, 'list_runs');
    assert.deepEqual(
      listed.runs.map((r: any) => [r.run_id, r.status]),
      [['bb', 'awaiting_approval']],
    );
  });

  it('domain errors are tool errors carrying the code', async () => {
    const root = tempWorkspace();
    const client = await connect(root);
    seedRun(root, 'err', [
      { id: 'a', task_type: 'x' },
      { id: 'b', task_type: 'x', depends_on_task_ids: ['a'] },
    ]);
    const notMine = await call(client, 'complete_task', { task_id: 'b' });
    assert.equal(notMine.isError, true);
    assert.match(notMine.text, /^TASK_TRANSITION_INVALID: /);
    assert.equal(notMine.data.error.code, 'TASK_TRANSITION_INVALID');
    assert.equal(notMine.data.error.data.current_status, 'pending');

    // A lease taken by someone else (the CLI): this session holds no token for it.
    cliJson(root, ['--agent', 'cli-agent', 'claim']);
    const required = await call(client, 'heartbeat_task', { task_id: 'a' });
    assert.match(required.text, /^TASK_LEASE_REQUIRED/);
    const missing = await call(client, 'get_run', { run_id: 'nope' });
    assert.equal(missing.data.error.code, 'RUN_NOT_FOUND');
    const cycle = await call(client, 'create_tasks', { tasks: [{ id: 'c', task_type: 'x', depends_on_task_ids: ['c'] }] });
    assert.equal(cycle.data.error.code, 'TASK_DEPENDENCY_CYCLE');

    seedRun(root, 'second');
    const ambiguous = await call(client, 'claim_task', {});
    assert.equal(ambiguous.isError, true);
    assert.match(ambiguous.text, /^RUN_AMBIGUOUS: 2 open runs .*Objective of second.*run_id/s);
  });

  it("says the files' problems (a damaged line) on stderr, the server's log for MCP clients, once", async () => {
    const root = tempWorkspace();
    seedRun(root, 'r');
    for (let i = 0; i < 3; i++) cliJson(root, ['--run', 'r', 'fact', 'add', `fact ${i}`]);
    const log = path.join(root, '.runboard', 'runs', 'r', 'events.jsonl');
    const lines = fs.readFileSync(log, 'utf8').split('\n');
    lines[2] = '{"damaged": tru';
    fs.writeFileSync(log, lines.join('\n'));
    const client = await connect(root);
    await ok(client, 'get_run', { run_id: 'r' });
    await ok(client, 'get_run', { run_id: 'r' });
    const said = () =>
      stderrOf.get(client)!()
        .split('\n')
        .filter((l) => l.includes(`${log}:3: Malformed line skipped`));
    await waitFor(() => said().length > 0, 10_000, 'the damaged line said on stderr');
    assert.equal(said().length, 1);
  });

  it('get_run tells live leases from ended ones', async () => {
    const root = tempWorkspace();
    const client = await connect(root);
    seedRun(root, 'leases', [
      { id: 'short', task_type: 'x' },
      { id: 'long', task_type: 'x' },
    ]);
    cliJson(root, ['--agent', 'brief', 'claim', '--task', 'short', '--lease-ms', '5000']);
    cliJson(root, ['--agent', 'patient', 'claim', '--task', 'long', '--lease-ms', '300000']);
    await new Promise((r) => setTimeout(r, 5500));
    const { board } = await ok(client, 'get_run');
    assert.deepEqual(
      board.leases.map((l: any) => [l.task_id, l.lease_owner]),
      [['long', 'patient']],
    );
    assert.deepEqual(board.expired_leases, ['short']);
    assert.equal(board.leases_held_by_this_session, undefined);
  });

  it('invalid tool input gives a tool error naming the field', async () => {
    const root = tempWorkspace();
    const client = await connect(root);
    seedRun(root, 'bad', [{ id: 'a', task_type: 'x' }]);
    const wrongType = await call(client, 'claim_task', { task_id: 42 });
    assert.equal(wrongType.isError, true);
    assert.match(wrongType.text, /task_id/);
    // Refused by the SDK's own check of the input schema, it reads as every tool error does: the code first, _meta for programs.
    assert.match(wrongType.text, /^INVALID_PARAMS: Input validation error: Invalid arguments for tool claim_task/);
    assert.equal(wrongType.data.error.code, 'INVALID_PARAMS');
    assert.match(wrongType.data.error.message, /task_id/);
    const missing = await call(client, 'fail_task', { task_id: 'a' });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /error/);
    const nested = await call(client, 'create_tasks', { tasks: [{ id: 'x', priority: 'high' }] });
    assert.equal(nested.isError, true);
    assert.match(nested.text, /priority/);
    const unknown = await call(client, 'create_tasks', { tasks: [{ task_id: 'y', title: 'Y', task_type: 'w' }] });
    assert.equal(unknown.isError, true);
    assert.match(unknown.text, /"task_id" \(did you mean "id"\?\).*"title" \(did you mean "payload.title"\?\)/);
    // The fields there are come from the schema: labels among them, and a model may give them.
    assert.match(unknown.text, /A task has id, task_type, payload \(title, description, output_target…\), .*\blabels\b/);
    assert.equal(eventsOnDisk(root, 'bad').length, 2, 'nothing was written');
    const labelled = await ok(client, 'create_tasks', { tasks: [{ id: 'l', task_type: 'w', labels: ['ui'] }] });
    assert.deepEqual(labelled.tasks[0].labels, ['ui']);
    // An argument the tool does not take is refused, not dropped: the task would have been claimable at once.
    const foreign = await call(client, 'add_task', { title: 'Deploy', depends_on_task_ids: ['a'], titel: 'x' });
    assert.equal(foreign.isError, true);
    assert.match(
      foreign.text,
      /add_task does not take "depends_on_task_ids", "titel" \(did you mean "title"\?\); it takes run_id, title, description, id, task_type, target, priority, after, command_id\./,
    );
    assert.equal(eventsOnDisk(root, 'bad').length, 3, 'nothing was written');
    const blank = await call(client, 'fail_task', { task_id: 'a', error: '  ' });
    assert.equal(blank.isError, true);
    assert.match(blank.text, /error/);
  });

  it('a line that is not a JSON-RPC message is answered with the JSON-RPC error naming the field, and the session goes on', async () => {
    const root = tempWorkspace();
    seedRun(root, 'raw');
    const child = spawn(process.execPath, [CLI_JS, 'mcp', '--root', root], { env: cleanEnv(), stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const answers: { id: unknown; result?: any; error?: { code: number; message: string } }[] = [];
      let rest = '';
      child.stdout.on('data', (d: Buffer) => {
        const lines = (rest + d.toString('utf8')).split('\n');
        rest = lines.pop()!;
        for (const l of lines) answers.push(JSON.parse(l));
      });
      const send = (line: string) => child.stdin.write(`${line}\n`);
      send('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":null}');
      send('{"jsonrpc":"2.0","id":2,"method":"initialize","params":');
      send('{"id":"three","method":"tools/list"}');
      send(
        '{"jsonrpc":"2.0","id":4,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}',
      );
      await waitFor(() => answers.length === 4, 10_000, 'four answers');
      const [params, notJson, noVersion] = answers;
      assert.deepEqual(params.id, 1);
      assert.equal(params.error?.code, -32600);
      assert.match(params.error.message, /^Invalid Request: params: .*received null/);
      assert.equal(notJson.id, null);
      assert.equal(notJson.error?.code, -32700);
      assert.equal(noVersion.id, 'three');
      assert.match(noVersion.error!.message, /^Invalid Request: jsonrpc: /);
      assert.equal(answers[3].id, 4);
      assert.equal(answers[3].result?.serverInfo?.name, 'runboard');
      // The session ends with its input, as before: stdin is no longer read once it is over.
      child.stdin.end();
      await waitFor(() => child.exitCode !== null, 10_000, 'the MCP process to end with its input');
      assert.equal(child.exitCode, 0);
    } finally {
      child.kill();
    }
  });

  it('plans a run from a multi-line objective, adds tasks in one line, and finishes the run (issue 15)', async () => {
    const root = tempWorkspace();
    const client = await connect(root);
    const { run } = await ok(client, 'create_run', {
      objective: 'Survey docs\nWrite changelog\nLink it',
      run_id: 'plan',
      auto_finish: true,
    });
    assert.deepEqual(
      run.steps.map((s: { title: string }) => s.title),
      ['Survey docs', 'Write changelog', 'Link it'],
    );
    const survey = (await ok(client, 'add_task', { title: 'Survey the docs', id: 'survey' })).task;
    assert.deepEqual([survey.id, survey.task_type, survey.title], ['survey', 'work', 'Survey the docs']);
    const log = (await ok(client, 'add_task', { title: 'Write it', target: 'CHANGELOG.md', after: ['survey'], id: 'log' })).task;
    assert.deepEqual(
      [log.task_type, log.payload.output_target.path, log.depends_on_task_ids],
      ['implementation', 'CHANGELOG.md', ['survey']],
    );
    await ok(client, 'claim_task', { task_id: 'survey' });
    const early = await call(client, 'complete_run', {});
    assert.equal(early.isError, true);
    assert.match(early.text, /^TASKS_IN_PROGRESS: .*survey/);
    const first = await ok(client, 'complete_task', { task_id: 'survey' });
    assert.deepEqual([first.run_completed, first.note], [undefined, undefined]);
    await ok(client, 'claim_task', { task_id: 'log' });
    const last = await ok(client, 'complete_task', { task_id: 'log' });
    assert.equal(last.run_completed, true);
    assert.match(last.note, /^That was the last open task: the run is completed/);
    const finished = await ok(client, 'get_run', { run_id: 'plan' });
    assert.equal(finished.run.status, 'completed', 'auto_finish completed it with the last task');
    const other = (await ok(client, 'create_run', { objective: 'One line only', run_id: 'other' })).run;
    assert.equal(other.steps, undefined, 'no steps (an empty list is left out)');
    const failed = await ok(client, 'fail_run', { run_id: 'other', reason: 'not needed' });
    assert.deepEqual([failed.run.status, failed.run.last_error], ['failed', 'not needed']);
    // A cancel of the last open task completes an auto_finish run too, and says so as complete_task does.
    await ok(client, 'create_run', { objective: 'Cancelled at the end', run_id: 'ends', auto_finish: true });
    await ok(client, 'add_task', { run_id: 'ends', title: 'Done', id: 'd' });
    await ok(client, 'add_task', { run_id: 'ends', title: 'Dropped', id: 'x' });
    await ok(client, 'claim_task', { run_id: 'ends', task_id: 'd' });
    await ok(client, 'complete_task', { run_id: 'ends', task_id: 'd' });
    const dropped = await ok(client, 'cancel_task', { run_id: 'ends', task_id: 'x' });
    assert.equal(dropped.run_completed, true);
    assert.match(dropped.note, /^That was the last open task: the run is completed/);
    // A run paused with a reason: the model's claim is told it.
    await ok(client, 'create_run', { objective: 'Paused for a reason', run_id: 'held' });
    await ok(client, 'add_task', { run_id: 'held', title: 'Later', id: 'l' });
    await ok(client, 'append_event', { run_id: 'held', type: 'run_paused', payload: { reason: 'the API key expired' } });
    const held = await ok(client, 'claim_task', { run_id: 'held' });
    assert.deepEqual([held.task, held.reason, held.paused_reason], [null, 'run_paused', 'the API key expired']);
    assert.match(held.note, /^Nothing to claim in run held now \(paused: the API key expired\): the run is paused/);
  });

  it('a small footprint: tools/list (all ≤ 24 KiB, core ≤ 10 KiB), every tool with an outputSchema and every input described, get_run of the demo ≤ 4 KiB (issue 16)', async () => {
    const root = tempWorkspace();
    const demo = cli(['--root', root, 'demo', '--fast', '--agents', '3']);
    assert.equal(demo.status, 0, demo.stderr);
    const all = await connect(root);
    const listed = await all.listTools();
    const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));
    assert.ok(bytes(listed) <= 24 * 1024, `tools/list is ${bytes(listed)} bytes`);
    // Its schemas name no dialect: they must use nothing where draft-07 and MCP's 2020-12 differ.
    assert.doesNotMatch(JSON.stringify(listed), /"\$ref"|"\$defs"|"definitions"|"dependencies"|"additionalItems"/);
    for (const t of listed.tools) {
      assert.ok(t.outputSchema, `${t.name} has an outputSchema`);
      // No dialect named on every schema (2.6 KB of the list); arguments a tool does not take are refused.
      assert.deepEqual(
        [t.inputSchema.$schema, t.outputSchema.$schema, t.inputSchema.additionalProperties],
        [undefined, undefined, false],
        t.name,
      );
      for (const [field, schema] of Object.entries((t.inputSchema.properties ?? {}) as Record<string, { description?: string }>)) {
        assert.ok(schema.description, `${t.name}.${field} is described`);
      }
    }
    const core = await connect(root, [], ['--profile', 'core']);
    const coreList = await core.listTools();
    assert.deepEqual(coreList.tools.map((t) => t.name).sort(), [
      'add_fact',
      'cancel_task',
      'claim_task',
      'complete_task',
      'fail_task',
      'heartbeat_task',
      'ready_tasks',
      'release_task',
    ]);
    assert.ok(bytes(coreList) <= 10 * 1024, `core tools/list is ${bytes(coreList)} bytes`);
    // What the core profile tells a model names only tools it offers.
    const offered = new Set(coreList.tools.map((t) => t.name));
    const allNames = new Set(listed.tools.map((t) => t.name));
    const said = [core.getInstructions() ?? '', ...coreList.tools.map((t) => t.description ?? '')].join(' ');
    const missing = [...new Set(said.match(/\b[a-z]+_[a-z_]+\b/g) ?? [])].filter((w) => allNames.has(w) && !offered.has(w));
    assert.deepEqual(missing, [], 'core names tools it does not offer');
    const run = await ok(all, 'get_run');
    assert.equal(run.tasks.length, 12);
    assert.ok(bytes(run) <= 4 * 1024, `get_run is ${bytes(run)} bytes of structuredContent`);
    assert.equal(run.run.tenant_context, undefined);
    assert.match(run.run.updated_at, /^\d{4}-\d\d-\d\dT/, 'times are ISO for a model');
  });

  it("a task whose attempts are used up is a person's: requeue_task (and retry_task) without force is refused, with force gives it one more", async () => {
    const root = tempWorkspace();
    seedRun(root, 'ex', [{ id: 'flaky', task_type: 'w', max_attempts: 1 }]);
    const client = await connect(root);
    await ok(client, 'claim_task', { task_id: 'flaky' });
    await ok(client, 'fail_task', { task_id: 'flaky', error: 'red' });
    const refused = await call(client, 'requeue_task', { task_id: 'flaky' });
    assert.equal(refused.isError, true);
    assert.match(
      refused.text,
      /^TASK_ATTEMPTS_EXHAUSTED: Task flaky has failed 1 of 1 allowed attempts: whether it gets another is a person's decision\. Claim other work \(ready_tasks\)/,
    );
    // retry_task says the same: the engine's other ways (a person's requeue, editing max_attempts) are no tool of an agent's.
    const retried = await call(client, 'retry_task', { task_id: 'flaky' });
    assert.equal(retried.isError, true);
    assert.equal(retried.text.split('\n')[0], refused.text.split('\n')[0]);
    assert.doesNotMatch(retried.text, /edit its max_attempts/);
    const again = await ok(client, 'requeue_task', { task_id: 'flaky', force: true });
    assert.equal(again.task.status, 'runnable');
  });

  it("a second session never sees the first one's lease token; requeue_task revokes it and says who (issue 16)", async () => {
    const root = tempWorkspace();
    seedRun(root, 'two', [
      { id: 'a', task_type: 'w' },
      { id: 'b', task_type: 'w' },
    ]);
    const first = await connect(root);
    const second = await connect(root, [], [], 'second-model');
    const mine = await ok(first, 'claim_task', { task_id: 'a' });
    assert.match(mine.task.lease_token, /^lease-/, 'the holder sees its own token');
    const seen = await ok(second, 'get_run');
    assert.equal(JSON.stringify(seen).includes(mine.task.lease_token), false, 'not in get_run of another session');
    assert.equal(seen.tasks.find((t: any) => t.id === 'a').lease_owner, 'model-under-test');
    const ready = await ok(second, 'ready_tasks');
    assert.deepEqual(
      ready.tasks.map((t: any) => t.id),
      ['b'],
    );
    await ok(second, 'claim_task', { task_id: 'b' });
    const none = await call(second, 'ready_tasks');
    assert.equal(
      none.text,
      'No task is ready to claim: every open task is held under a live lease.',
      'the text a model reads says why, not "Done."',
    );
    const nothing = await call(second, 'claim_task');
    assert.match(
      nothing.text,
      /^No task claimed: Nothing to claim in run \S+ now: every open task is held under a live lease\.$/,
      'said once',
    );
    const held = await call(second, 'claim_task', { task_id: 'a' });
    assert.equal(
      held.text,
      'No task claimed: Task a cannot be claimed now: it is held under a live lease (a held task is never handed out again, not even to its holder).',
      'about the task named',
    );
    const taken = await ok(second, 'requeue_task', { task_id: 'a', force: true, reason: 'stuck' });
    assert.equal(JSON.stringify(taken).includes(mine.task.lease_token), false);
    // Taken back: the session no longer lists it as held, and its next call hears why.
    assert.equal((await ok(first, 'get_run')).board.leases_held_by_this_session, undefined, 'a lease taken back is not held');
    const refused = await call(first, 'heartbeat_task', { task_id: 'a' });
    assert.equal(refused.isError, true);
    assert.match(refused.text, /^TASK_LEASE_EXPIRED: Your lease on task a was revoked by a requeue by second-model: stuck/);
  });
  it("cancel_task: a session's own task without force, another's with force — its holder hears TASK_CANCELLED — and cascade (issue 17)", async () => {
    const root = tempWorkspace();
    seedRun(root, 'cx', [
      { id: 'mine', task_type: 'w' },
      { id: 'theirs', task_type: 'w' },
      { id: 'root', task_type: 'w' },
      { id: 'leaf', task_type: 'w', depends_on_task_ids: ['root'] },
    ]);
    const first = await connect(root);
    const second = await connect(root, [], [], 'second-model');
    await ok(first, 'claim_task', { task_id: 'mine' });
    const own = await ok(first, 'cancel_task', { task_id: 'mine', reason: 'Not needed' });
    assert.deepEqual([own.task.status, own.task.cancelled.by, own.task.cancelled.reason], ['cancelled', 'model-under-test', 'Not needed']);
    assert.deepEqual(own.cancelled, ['mine']);
    assert.equal((await ok(first, 'get_run')).board.leases_held_by_this_session, undefined, 'the token is forgotten');

    // An edit that changes nothing writes nothing, and says so (the text is what the model reads).
    await ok(first, 'edit_task', { task_id: 'leaf', priority: 5 });
    const same = await call(first, 'edit_task', { task_id: 'leaf', priority: 5 });
    assert.match(same.text, /Nothing changed: the task already had what was given; nothing was written\./);
    // One that names nothing to change is refused, as the CLI's tasks edit is.
    const nothing = await call(first, 'edit_task', { task_id: 'leaf' });
    assert.equal(nothing.isError, true);
    assert.match(nothing.text, /Say what to change: title, description, priority, after, labels\./);
    const held = await ok(second, 'claim_task', { task_id: 'theirs' });
    const refused = await call(first, 'cancel_task', { task_id: 'theirs' });
    assert.equal(refused.isError, true);
    assert.match(refused.text, /^TASK_LEASE_REQUIRED: /);
    const forced = await ok(first, 'cancel_task', { task_id: 'theirs', force: true, reason: 'Duplicate' });
    assert.equal(forced.task.status, 'cancelled');
    assert.equal(JSON.stringify(forced).includes(held.task.lease_token), false, "the other session's token is not shown");
    const told = await call(second, 'heartbeat_task', { task_id: 'theirs' });
    assert.equal(told.isError, true);
    assert.match(told.text, /^TASK_CANCELLED: Task theirs was cancelled by model-under-test: Duplicate\. Stop working on it/);
    assert.equal((await ok(second, 'get_run')).board.leases_held_by_this_session, undefined, 'the holder forgets it too');

    const cascade = await call(first, 'cancel_task', { task_id: 'root', cascade: true });
    assert.deepEqual(cascade.data.cancelled, ['root', 'leaf']);
    assert.equal(cascade.text, 'Task root (cancelled)\nCancelled: root, leaf');
    const listed = (await ok(first, 'get_run')).tasks;
    assert.deepEqual(
      listed.map((t: any) => [t.id, t.status, t.cancelled?.cascade_from]),
      [
        ['mine', 'cancelled', undefined],
        ['theirs', 'cancelled', undefined],
        ['root', 'cancelled', undefined],
        ['leaf', 'cancelled', 'root'],
      ],
    );
    assert.match(listed[0].cancelled.at, /^\d{4}-\d\d-\d\dT/, 'times are ISO for a model');
    assert.equal(cliJson(root, ['run', 'show']).run.tasks.filter((t: any) => t.status === 'cancelled').length, 4, 'in the files');

    const back = await call(first, 'requeue_task', { task_id: 'root', cascade: true, reason: 'Needed after all' });
    assert.deepEqual(back.data.reopened, ['leaf']);
    assert.equal(back.text, 'Task root (runnable)\nReopened along with it: leaf');
    assert.deepEqual(
      (await ok(first, 'get_run')).tasks.map((t: any) => [t.id, t.status]),
      [
        ['mine', 'cancelled'],
        ['theirs', 'cancelled'],
        ['root', 'runnable'],
        ['leaf', 'runnable'],
      ],
    );
  });

  it('answer_question answers (with a decision), resolves and reopens; add_decision supersedes; get_run lists open questions apart from closed ones (issue 17)', async () => {
    const root = tempWorkspace();
    const client = await connect(root);
    seedRun(root, 'qa');
    const archived = (await ok(client, 'add_open_question', { text: 'Archived rows?' })).patch.payload.id;
    const dates = (await ok(client, 'add_open_question', { text: 'Dates in UTC?' })).patch.payload.id;
    const rfc = (await ok(client, 'add_decision', { text: 'Use RFC 4180' })).patch.payload.id;
    assert.deepEqual((await ok(client, 'get_run')).blackboard.open_questions, [`${archived}: Archived rows?`, `${dates}: Dates in UTC?`]);

    const answer = await call(client, 'answer_question', { question_id: archived, text: 'Yes', decision: 'Export archived rows' });
    assert.equal(answer.isError, false, answer.text);
    assert.equal(answer.text, `Blackboard: answer_question ${archived}`);
    const decisionId = answer.data.patch.payload.decision.id;
    await ok(client, 'answer_question', { question_id: dates, action: 'resolve', text: 'Moot' });
    let bb = (await ok(client, 'get_run')).blackboard;
    assert.equal(bb.open_questions, undefined, 'none is open (an empty list is left out)');
    assert.deepEqual(bb.closed_questions, [
      `${archived}: Archived rows? — answered by model-under-test: Yes (decision ${decisionId})`,
      `${dates}: Dates in UTC? — resolved by model-under-test: Moot`,
    ]);
    assert.ok(bb.decisions.includes(`${decisionId}: Export archived rows — answers ${archived}`), JSON.stringify(bb.decisions));

    await ok(client, 'answer_question', { question_id: dates, action: 'reopen', text: 'It matters again' });
    const successor = (await ok(client, 'add_decision', { text: 'RFC 4180 with a BOM', supersedes: rfc })).patch.payload.decision.id;
    bb = (await ok(client, 'get_run')).blackboard;
    assert.deepEqual(bb.open_questions, [
      `${dates}: Dates in UTC? — reopened by model-under-test: It matters again; earlier resolved by model-under-test: Moot`,
    ]);
    assert.deepEqual(bb.superseded_decisions, [`${rfc} → ${successor}`]);
    assert.ok(bb.decisions.includes(`${successor}: RFC 4180 with a BOM — supersedes ${rfc}`), JSON.stringify(bb.decisions));
    assert.equal(
      bb.decisions.some((d: string) => d.startsWith(`${rfc}:`)),
      false,
      'a superseded decision is listed apart',
    );

    const closed = await call(client, 'answer_question', { question_id: archived, text: 'Again' });
    assert.match(closed.text, /^BLACKBOARD_ITEM_CLOSED: /);
    const unknown = await call(client, 'answer_question', { question_id: 'question-nope', text: 'x' });
    assert.match(unknown.text, /^BLACKBOARD_ITEM_NOT_FOUND: /);
    const mixed = await call(client, 'answer_question', { question_id: dates, action: 'resolve', text: 'x', decision: 'y' });
    assert.match(mixed.text, /^INVALID_PARAMS: decision goes with an answer/);
    const stored = cliJson(root, ['blackboard']).blackboard;
    assert.deepEqual([stored.open_questions.map((q: any) => q.id), stored.closed_questions.map((q: any) => q.id)], [[dates], [archived]]);
  });

  it('sends its calls to the server serving the root, goes direct while none does, and connects again to the next one', async () => {
    const root = tempWorkspace();
    seedRun(root, 'r');
    const first = await startHeadless(root);
    const client = await connect(root, [], [], 'model-under-test', { RUNBOARD_DEBUG: '1' });
    const said = stderrOf.get(client)!;
    /** Adds a fact; whether it went through a server, as RUNBOARD_DEBUG says for each call ("routed", or "direct", or why not). */
    const routed = async (text: string) => {
      const notes = () => said().match(/route: patchBlackboard: .*/g) ?? [];
      const before = notes().length;
      await ok(client, 'add_fact', { text });
      const note = await waitFor(() => notes()[before], 5000, 'the route of the call');
      return note === 'route: patchBlackboard: routed';
    };
    assert.equal(await routed('one'), true);
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(await routed('two'), false, 'no server: direct');
    await startHeadless(root);
    // It tries the server again a second after it found none: poll as waitFor does, with calls.
    const deadline = Date.now() + 10_000;
    for (let n = 1; !(await routed(`again ${n}`)); n++) {
      assert.ok(Date.now() < deadline, 'routing again after the reconnect delay');
      await sleep(50);
    }
  });
});
