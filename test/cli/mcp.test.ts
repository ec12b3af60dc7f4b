// `runboard mcp` spoken to by the MCP SDK's own Client over stdio: the tools, a whole work loop
// whose results land in the run's files, errors as tool errors with their codes, and invalid
// input naming the field.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { RunService } from '../../server/src/service/runService';
import { assertBuilt, cleanEnv, CLI_JS, cliJson, eventsOnDisk, removeTempWorkspaces, seedRun, tempWorkspace } from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function connect(root: string, extraArgs: string[] = []): Promise<Client> {
  const env = cleanEnv({ RUNBOARD_AGENT: 'model-under-test' }) as Record<string, string>;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_JS, ...extraArgs, 'mcp', '--root', root],
    env,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'runboard-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
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
  return { isError: r.isError === true, text, data: r.structuredContent };
}

async function ok(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const r = await call(client, name, args);
  assert.equal(r.isError, false, `${name} failed: ${r.text}`);
  assert.deepEqual(JSON.parse(r.text), r.data, 'the text is the structured content');
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
  'append_event',
  'add_fact',
  'add_decision',
  'add_open_question',
  'add_artifact',
  'create_checkpoint',
  'replay_run',
];

describe('runboard mcp', () => {
  it('lists its tools, each with a description and an input schema', async () => {
    const client = await connect(tempWorkspace());
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...TOOLS].sort());
    for (const t of tools) {
      assert.ok((t.description ?? '').length > 40, `${t.name} has a real description`);
      assert.equal(t.inputSchema.type, 'object');
    }
    const claim = tools.find((t) => t.name === 'claim_task')!;
    assert.ok('task_type' in (claim.inputSchema.properties ?? {}));
    assert.equal(client.getServerVersion()?.name, 'runboard');
    assert.match(client.getInstructions() ?? '', /claim_task/);
  });

  it('runs a whole loop — claim, heartbeat, complete; fail, retry, complete — and the files show it', async () => {
    const root = tempWorkspace();
    const client = await connect(root);
    seedRun(root, 'loop');
    const created = await ok(client, 'create_tasks', {
      tasks: [
        { id: 'a', task_type: 'research', payload: { title: 'Read the code' } },
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
    assert.deepEqual(before.board.leases, []);
    assert.deepEqual(before.board.expired_leases, []);

    const claimed = await ok(client, 'claim_task');
    assert.equal(claimed.task.id, 'a');
    assert.equal(claimed.task.lease_owner, 'model-under-test');
    assert.ok(claimed.task.lease_expires_at_ms - Date.now() > 60_000, 'MCP leases default to two minutes');
    const beat = await ok(client, 'heartbeat_task', { task_id: 'a', lease_ms: 200_000 });
    assert.ok(beat.task.lease_expires_at_ms > claimed.task.lease_expires_at_ms);
    const during = await ok(client, 'get_run', { run_id: 'loop' });
    assert.deepEqual(during.board.leases_held_by_this_session, ['a']);
    assert.deepEqual(
      during.board.leases.map((l: any) => [l.task_id, l.lease_owner]),
      [['a', 'model-under-test']],
    );
    assert.equal((await ok(client, 'complete_task', { task_id: 'a' })).task.status, 'done');

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

  it('records blackboard items, events, checkpoints and replays', async () => {
    const root = tempWorkspace();
    const client = await connect(root);
    const created = await ok(client, 'create_run', { objective: 'Export reports as CSV', run_id: 'bb' });
    assert.equal(created.run.run_id, 'bb');
    assert.equal(created.run.source_client, 'runboard-mcp');
    assert.equal((await call(client, 'create_run', { objective: 'again', run_id: 'bb' })).data.error.code, 'RUN_EXISTS');
    assert.equal((await ok(client, 'add_fact', { text: 'Dates are UTC', step_id: 'step-1' })).patch.payload.text, 'Dates are UTC');
    await ok(client, 'add_decision', { text: 'Use RFC 4180' });
    await ok(client, 'add_open_question', { text: 'Archived rows?' });
    const art = await ok(client, 'add_artifact', { path: 'src/csv.ts', artifact_type: 'source' });
    assert.equal(art.patch.op, 'add_artifact');
    const ev = await ok(client, 'append_event', { type: 'planning_started' });
    assert.equal(ev.run.status, 'awaiting_approval');
    assert.equal(ev.event.type, 'planning_started');
    const cp = await ok(client, 'create_checkpoint', { reason: 'after planning' });
    assert.equal(cp.checkpoint.seq, 6);
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
    assert.deepEqual(board.leases_held_by_this_session, []);
  });

  it('invalid tool input gives a tool error naming the field', async () => {
    const root = tempWorkspace();
    const client = await connect(root);
    seedRun(root, 'bad', [{ id: 'a', task_type: 'x' }]);
    const wrongType = await call(client, 'claim_task', { task_id: 42 });
    assert.equal(wrongType.isError, true);
    assert.match(wrongType.text, /task_id/);
    const missing = await call(client, 'fail_task', { task_id: 'a' });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /error/);
    const nested = await call(client, 'create_tasks', { tasks: [{ id: 'x' }] });
    assert.equal(nested.isError, true);
    assert.match(nested.text, /task_type/);
    const unknown = await call(client, 'create_tasks', { tasks: [{ task_id: 'y', title: 'Y', task_type: 'w' }] });
    assert.equal(unknown.isError, true);
    assert.match(unknown.text, /"task_id" \(did you mean "id"\?\).*"title" \(did you mean "payload.title"\?\)/);
    assert.equal(eventsOnDisk(root, 'bad').length, 2, 'nothing was written');
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
    assert.deepEqual([survey.id, survey.task_type, survey.payload.title], ['survey', 'work', 'Survey the docs']);
    const log = (await ok(client, 'add_task', { title: 'Write it', target: 'CHANGELOG.md', after: ['survey'], id: 'log' })).task;
    assert.deepEqual(
      [log.task_type, log.payload.output_target.path, log.depends_on_task_ids],
      ['implementation', 'CHANGELOG.md', ['survey']],
    );
    await ok(client, 'claim_task', { task_id: 'survey' });
    const early = await call(client, 'complete_run', {});
    assert.equal(early.isError, true);
    assert.match(early.text, /^TASKS_IN_PROGRESS: .*survey/);
    await ok(client, 'complete_task', { task_id: 'survey' });
    await ok(client, 'claim_task', { task_id: 'log' });
    await ok(client, 'complete_task', { task_id: 'log' });
    const finished = await ok(client, 'get_run', { run_id: 'plan' });
    assert.equal(finished.run.status, 'completed', 'auto_finish completed it with the last task');
    const other = (await ok(client, 'create_run', { objective: 'One line only', run_id: 'other' })).run;
    assert.deepEqual(other.steps, []);
    const failed = await ok(client, 'fail_run', { run_id: 'other', reason: 'not needed' });
    assert.deepEqual([failed.run.status, failed.run.last_error], ['failed', 'not needed']);
  });
});
