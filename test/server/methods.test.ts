// Every method's success path and every error code of PROTOCOL.md's table, against the real
// server process.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { onPostgres, ServerProcess, tempRoot, treeSnapshot } from './serverProcess';

async function expectCode(server: ServerProcess, method: string, params: unknown, code: string, rpcCode = -32000) {
  const e = await server.fail(method, params);
  assert.equal(e.code, rpcCode, `${method}: ${e.message}`);
  assert.equal(e.data?.code, code, `${method}: ${e.message}`);
  return e;
}

describe('methods: success paths', () => {
  let server: ServerProcess;
  let root: string;
  before(async () => {
    root = tempRoot();
    server = await ServerProcess.start([root]);
  });
  after(() => server.stop());

  it('initialize answers the capabilities, serverInfo and protocol version', async () => {
    assert.deepEqual(server.initResult.capabilities.workspace, { workspaceFolders: { supported: true, changeNotifications: true } });
    assert.equal(server.initResult.serverInfo.name, 'runboard');
    assert.match(server.initResult.serverInfo.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(server.initResult.runboard, { protocol: 1 });
  });

  it('drives a whole run: create, events, tasks, claim, heartbeat, complete, blackboard, checkpoint, replay', async () => {
    const { run } = await server.call('runboard/createRun', {
      run_id: 'r1',
      objective: '1. Write the parser module\n2. Write the tests for it',
      workspace: { canonical_path: root },
      source_client: ' cli ',
    });
    assert.equal(run.run_id, 'r1');
    assert.equal(run.revision, 1);
    assert.equal(run.last_event_seq, 1);
    assert.equal(run.status, 'queued');
    assert.equal(run.workspace.canonical_path, root);
    assert.equal(run.workspace.lease_epoch, 1);
    assert.equal(run.source_client, 'cli');

    const listed = await server.call('runboard/listRuns', { source: 'CLI' });
    assert.deepEqual(
      listed.runs.map((r: { run_id: string }) => r.run_id),
      ['r1'],
    );

    const planned = await server.call('runboard/appendEvent', { run_id: 'r1', type: 'planning_started', status: 'planning' });
    assert.equal(planned.event.status, 'awaiting_approval', 'the event records the resulting status');
    assert.equal(planned.run.steps.length, 2);
    const approved = await server.call('runboard/appendEvent', { run_id: 'r1', type: 'plan_approved', status: 'running' });
    assert.equal(approved.run.status, 'running');
    assert.equal(approved.run.steps[0].status, 'in_progress');

    const { tasks } = await server.call('runboard/createTasks', {
      run_id: 'r1',
      tasks: [
        { id: 'parse', task_type: 'implementation', payload: { title: 'Parser', output_target: { file: 'src/parse.ts' } } },
        { id: 'test', task_type: 'validation', depends_on_task_ids: ['parse'], priority: 5 },
      ],
    });
    assert.deepEqual(
      tasks.map((t: { id: string }) => t.id),
      ['parse', 'test'],
    );
    assert.deepEqual(tasks[0].payload.output_target, { path: 'src/parse.ts' });
    assert.equal(tasks[0].payload.execution_mode, 'strict_write');

    const { task: claimed } = await server.call('runboard/claimTask', { run_id: 'r1', agent_id: 'agent-a', lease_ms: 60_000 });
    assert.equal(claimed.id, 'parse', 'test waits for parse');
    assert.equal(claimed.status, 'in_progress');
    assert.match(claimed.lease_token, /^lease-/);
    const hb = await server.call('runboard/transitionTask', {
      run_id: 'r1',
      task_id: 'parse',
      action: 'heartbeat',
      lease_token: claimed.lease_token,
      lease_ms: 1_000_000,
    });
    assert.ok(hb.task.lease_expires_at_ms - claimed.lease_expires_at_ms < 300_000, 'lease clamped to 300 s');
    const done = await server.call('runboard/transitionTask', {
      run_id: 'r1',
      task_id: 'parse',
      action: 'complete',
      lease_token: claimed.lease_token,
      expected_task_rev: hb.task.task_rev,
    });
    assert.equal(done.task.status, 'done');
    assert.equal(done.task.lease_token, undefined);

    const { task: second } = await server.call('runboard/claimTask', { run_id: 'r1', agent_id: 'agent-b' });
    assert.equal(second.id, 'test');
    const failed = await server.call('runboard/transitionTask', {
      run_id: 'r1',
      task_id: 'test',
      action: 'fail',
      lease_token: second.lease_token,
      error: 'red',
    });
    assert.equal(failed.task.attempt, 1);
    const retried = await server.call('runboard/transitionTask', { run_id: 'r1', task_id: 'test', action: 'retry' });
    assert.equal(retried.task.status, 'runnable');
    const requeued = await server.call('runboard/requeueTask', { run_id: 'r1', task_id: 'test', reason: 'again' });
    assert.equal(requeued.task.last_error, 'again');

    const fact = await server.call('runboard/patchBlackboard', { run_id: 'r1', op: 'add_fact', payload: { text: 'uses zod' } });
    assert.match(fact.patch.payload.id, /^fact-/);
    assert.equal(fact.blackboard.facts.length, 1);
    assert.equal(fact.blackboard.revision, fact.patch.seq);
    await server.call('runboard/patchBlackboard', {
      run_id: 'r1',
      op: 'add_artifact',
      payload: { path: 'src/parse.ts', artifact_type: 'file' },
    });
    await server.call('runboard/patchBlackboard', { run_id: 'r1', op: 'set_rolling_summary', payload: 'so far so good' });
    const { blackboard } = await server.call('runboard/getBlackboard', { run_id: 'r1' });
    assert.equal(blackboard.artifacts.length, 1);
    assert.equal(blackboard.summaries.rolling, 'so far so good');
    assert.equal(blackboard.tasks.length, 2);

    const got = await server.call('runboard/getRun', { run_id: 'r1' });
    assert.equal(got.run.tasks.length, 2);
    assert.equal(got.blackboard.facts[0].text, 'uses zod');

    const patches = await server.call('runboard/listPatches', { run_id: 'r1' });
    assert.deepEqual(
      patches.patches.map((p: { op: string }) => p.op),
      [
        'add_task',
        'add_task',
        'update_task_state',
        'update_task_lease',
        'update_task_state',
        'update_task_state',
        'update_task_state',
        'update_task_state',
        'update_task_state',
        'add_fact',
        'add_artifact',
        'set_rolling_summary',
      ],
    );

    const { checkpoint } = await server.call('runboard/createCheckpoint', { run_id: 'r1', reason: 'halfway' });
    assert.equal(checkpoint.seq, got.run.last_event_seq);
    if (!onPostgres) {
      assert.ok(
        fs.existsSync(
          path.join(root, '.runboard/runs/r1/checkpoints', `${String(checkpoint.seq).padStart(20, '0')}-${checkpoint.checkpoint_id}.json`),
        ),
      );
    }
    const cps = await server.call('runboard/listCheckpoints', { run_id: 'r1' });
    assert.deepEqual(
      cps.checkpoints.map((c: { checkpoint_id: string }) => c.checkpoint_id),
      [checkpoint.checkpoint_id],
    );
    const latest = await server.call('runboard/latestCheckpoint', { run_id: 'r1' });
    assert.equal(latest.checkpoint.checkpoint_id, checkpoint.checkpoint_id);

    await server.call('runboard/appendEvent', { run_id: 'r1', type: 'step_completed', status: 'running', step_id: 'step-1' });
    const replay = await server.call('runboard/replay', { run_id: 'r1' });
    assert.equal(replay.from_checkpoint, true);
    assert.equal(replay.checkpoint_seq, checkpoint.seq);
    assert.equal(replay.events_applied, 1);
    assert.equal(replay.drift.mismatch, false);
    const scratch = await server.call('runboard/replay', { run_id: 'r1', from_checkpoint: false });
    assert.equal(scratch.from_checkpoint, false);
    assert.equal(scratch.drift.mismatch, false);
    assert.deepEqual(scratch.replay, scratch.persisted);
    const early = await server.call('runboard/replay', { run_id: 'r1', upto_seq: 3 });
    assert.equal(early.from_checkpoint, false, 'the checkpoint is after seq 3');
    assert.equal(early.drift.mismatch, true);
    assert.equal(early.drift.last_event_seq_mismatch, true);

    const events = await server.call('runboard/listEvents', { run_id: 'r1', since_seq: 2, limit: 3 });
    assert.deepEqual(
      events.events.map((e: { seq: number }) => e.seq),
      [3, 4, 5],
    );
    assert.equal(events.next_since_seq, 5);
    const tail = await server.call('runboard/listEvents', { run_id: 'r1', tail: 2 });
    assert.equal(tail.events.length, 2);
    assert.equal(tail.next_since_seq, undefined);

    const ok = await server.call('runboard/validateWorkspaceLease', { run_id: 'r1', phase: 'open', current_path: root });
    assert.deepEqual(ok, { ok: true, mismatch: false, status: 'running', expected_path: root, actual_path: root });
    const other = tempRoot();
    const bad = await server.call('runboard/validateWorkspaceLease', { run_id: 'r1', phase: 'open', current_path: other });
    // A board shared on a database binds the run to the board: another path is another clone, not a mismatch (§Boards).
    assert.deepEqual([bad.mismatch, bad.status], onPostgres ? [false, 'running'] : [true, 'paused']);
    const rebound = await server.call('runboard/rebindWorkspace', { run_id: 'r1', current_path: other });
    assert.equal(rebound.run.status, 'running');
    assert.equal(rebound.run.workspace.canonical_path, other);
    assert.equal(rebound.run.workspace.lease_epoch, 2);

    const sub = await server.call('runboard/subscribe', { run_ids: ['r1'], tail: 1 });
    assert.match(sub.subscription_id, /\S/);
    assert.deepEqual(await server.call('runboard/unsubscribe', { subscription_id: sub.subscription_id }), {});
  });

  it('repeats a command_id with the original result and deduped: true', async () => {
    await server.call('runboard/createRun', { run_id: 'idem', objective: 'x' });
    await server.call('runboard/createTasks', { run_id: 'idem', tasks: [{ id: 'a', task_type: 't' }], command_id: 'create-1' });
    const again = await server.call('runboard/createTasks', {
      run_id: 'idem',
      tasks: [{ id: 'a', task_type: 't' }],
      command_id: 'create-1',
    });
    assert.equal(again.deduped, true);
    assert.equal(again.tasks[0].id, 'a');
    const first = await server.call('runboard/claimTask', { run_id: 'idem', agent_id: 'a', command_id: 'claim-1' });
    const ev = await server.call('runboard/appendEvent', { run_id: 'idem', type: 'note', status: 'running', command_id: 'ev-1' });
    const repeat = await server.call('runboard/claimTask', { run_id: 'idem', agent_id: 'a', command_id: 'claim-1' });
    assert.equal(repeat.deduped, true);
    assert.deepEqual(repeat.task, first.task, 'the same task and lease token');
    await server.call('runboard/appendEvent', { run_id: 'idem', type: 'later', status: 'running' });
    const evAgain = await server.call('runboard/appendEvent', { run_id: 'idem', type: 'note', status: 'running', command_id: 'ev-1' });
    assert.deepEqual({ ...evAgain, deduped: undefined }, { ...ev, deduped: undefined }, 'the original result, not the current run');
    const none = await server.call('runboard/claimTask', { run_id: 'idem', agent_id: 'a', command_id: 'claim-2' });
    assert.equal(none.task, null);
    await server.call('runboard/createTasks', { run_id: 'idem', tasks: [{ id: 'b', task_type: 't' }] });
    const later = await server.call('runboard/claimTask', { run_id: 'idem', agent_id: 'a', command_id: 'claim-2' });
    assert.equal(later.task.id, 'b', 'a claim that found nothing left its command_id free');
  });
});

describe('methods: every error code of PROTOCOL.md', () => {
  let server: ServerProcess;
  let root: string;
  let root2: string;
  before(async () => {
    root = tempRoot();
    root2 = tempRoot();
    server = await ServerProcess.start([root, root2]);
    await server.call('runboard/createRun', { root, run_id: 'e', objective: 'errors' });
    await server.call('runboard/createTasks', {
      run_id: 'e',
      tasks: [
        { id: 't1', task_type: 'x' },
        { id: 't2', task_type: 'x' },
      ],
    });
  });
  after(() => server.stop());

  it('INVALID_PARAMS (-32602) names the field', async () => {
    const e = await expectCode(server, 'runboard/claimTask', { run_id: 'e', agent_id: 7 }, 'INVALID_PARAMS', -32602);
    assert.deepEqual(
      (e.data as { issues: { path: string }[] }).issues.map((i) => i.path),
      ['agent_id'],
    );
    await expectCode(server, 'runboard/appendEvent', { run_id: 'e', type: 'x', status: 'bogus' }, 'INVALID_PARAMS', -32602);
    await expectCode(server, 'runboard/transitionTask', { run_id: 'e', task_id: 't1', action: 'start' }, 'INVALID_PARAMS', -32602);
    const s = await expectCode(
      server,
      'runboard/transitionTask',
      { run_id: 'e', task_id: 't1', action: 'status' },
      'INVALID_PARAMS',
      -32602,
    );
    assert.equal((s.data as { issues: { path: string }[] }).issues[0].path, 'status');
    await expectCode(server, 'runboard/createTasks', { run_id: 'e', tasks: [] }, 'INVALID_PARAMS', -32602);
  });

  it('ROOT_REQUIRED and ROOT_UNKNOWN', async () => {
    await expectCode(server, 'runboard/createRun', { objective: 'two roots open' }, 'ROOT_REQUIRED');
    await expectCode(server, 'runboard/listRuns', { root: tempRoot() }, 'ROOT_UNKNOWN');
    await server.call('runboard/createRun', { root: root2, run_id: 'e', objective: 'same id elsewhere' });
    await expectCode(server, 'runboard/getRun', { run_id: 'e' }, 'ROOT_REQUIRED');
    const both = await server.call('runboard/listRuns', {});
    assert.equal(both.runs.filter((r: { run_id: string }) => r.run_id === 'e').length, 2);
    const one = await server.call('runboard/getRun', { root: `file://${root2}`, run_id: 'e' });
    assert.equal(one.run.objective, 'same id elsewhere');
  });

  it('RUN_ID_INVALID, TASK_ID_INVALID, RUN_NOT_FOUND, RUN_EXISTS', async () => {
    for (const id of ['../x', 'a/b', '.x', '', 'x'.repeat(129), 'CON', 'nul.txt']) {
      await expectCode(server, 'runboard/createRun', { root, run_id: id, objective: 'x' }, 'RUN_ID_INVALID');
    }
    await expectCode(server, 'runboard/getRun', { root, run_id: '../../etc' }, 'RUN_ID_INVALID');
    await expectCode(server, 'runboard/createTasks', { root, run_id: 'e', tasks: [{ id: 'a b', task_type: 'x' }] }, 'TASK_ID_INVALID');
    await expectCode(server, 'runboard/getRun', { root, run_id: 'missing' }, 'RUN_NOT_FOUND');
    await expectCode(server, 'runboard/createRun', { root, run_id: 'e', objective: 'x' }, 'RUN_EXISTS');
    await expectCode(server, 'runboard/createRun', { root, run_id: 'E', objective: 'case only' }, 'RUN_EXISTS');
  });

  it('RUN_TERMINAL', async () => {
    await server.call('runboard/createRun', { root, run_id: 'term', objective: 'x' });
    await server.call('runboard/appendEvent', { root, run_id: 'term', type: 'run_cancelled', status: 'cancelled' });
    const e = await expectCode(server, 'runboard/appendEvent', { root, run_id: 'term', type: 'note', status: 'running' }, 'RUN_TERMINAL');
    assert.equal(e.data?.status, 'cancelled');
    await expectCode(server, 'runboard/createTasks', { root, run_id: 'term', tasks: [{ task_type: 'x' }] }, 'RUN_TERMINAL');
    await expectCode(server, 'runboard/claimTask', { root, run_id: 'term', agent_id: 'a' }, 'RUN_TERMINAL');
    const reopened = await server.call('runboard/appendEvent', {
      root,
      run_id: 'term',
      type: 'run_reopened',
      status: 'running',
      payload: { reason: 'more' },
    });
    assert.equal(reopened.run.status, 'running');
    assert.equal(reopened.run.ended_at_ms, undefined);
  });

  it('TASK_NOT_FOUND, TASK_EVENT_APPEND_DISABLED, EVENT_TYPE_RESERVED', async () => {
    await expectCode(server, 'runboard/transitionTask', { root, run_id: 'e', task_id: 'nope', action: 'retry' }, 'TASK_NOT_FOUND');
    await expectCode(server, 'runboard/claimTask', { root, run_id: 'e', agent_id: 'a', task_id: 'nope' }, 'TASK_NOT_FOUND');
    await expectCode(
      server,
      'runboard/appendEvent',
      { root, run_id: 'e', type: 'Context.Task.claimed', status: 'running' },
      'TASK_EVENT_APPEND_DISABLED',
    );
    await expectCode(
      server,
      'runboard/appendEvent',
      { root, run_id: 'e', type: 'context.run.created', status: 'running' },
      'EVENT_TYPE_RESERVED',
    );
    await expectCode(
      server,
      'runboard/appendEvent',
      { root, run_id: 'e', type: 'WORKSPACE_MISMATCH', status: 'running' },
      'EVENT_TYPE_RESERVED',
    );
  });

  it('LIMIT_EXCEEDED', async () => {
    const big = 'x'.repeat(65 * 1024);
    const e = await expectCode(server, 'runboard/createRun', { root, run_id: 'big', objective: big }, 'LIMIT_EXCEEDED');
    assert.ok(e.data?.limit && e.data?.max);
    await expectCode(server, 'runboard/patchBlackboard', { root, run_id: 'e', op: 'add_fact', payload: { text: big } }, 'LIMIT_EXCEEDED');
    await expectCode(
      server,
      'runboard/createTasks',
      { root, run_id: 'e', tasks: Array.from({ length: 501 }, () => ({ task_type: 'x' })) },
      'LIMIT_EXCEEDED',
    );
    await expectCode(
      server,
      'runboard/appendEvent',
      { root, run_id: 'e', type: 'x', status: 'running', payload: 'y'.repeat(1024 * 1024 + 1) },
      'LIMIT_EXCEEDED',
    );
  });

  it('TASK_PATCH_OP_DISABLED and BLACKBOARD_PAYLOAD_INVALID', async () => {
    await expectCode(server, 'runboard/patchBlackboard', { root, run_id: 'e', op: 'add_task', payload: {} }, 'TASK_PATCH_OP_DISABLED');
    const e = await expectCode(
      server,
      'runboard/patchBlackboard',
      { root, run_id: 'e', op: 'add_artifact', payload: { path: 'x' } },
      'BLACKBOARD_PAYLOAD_INVALID',
    );
    assert.equal(e.data?.op, 'add_artifact');
    await expectCode(
      server,
      'runboard/patchBlackboard',
      { root, run_id: 'e', op: 'set_rolling_summary', payload: 5 },
      'BLACKBOARD_PAYLOAD_INVALID',
    );
  });

  it('task creation codes carry task_id and index', async () => {
    const contract = await expectCode(
      server,
      'runboard/createTasks',
      {
        root,
        run_id: 'e',
        tasks: [
          { id: 'ok', task_type: 'x' },
          { id: 'c', task_type: 'x', payload: [1] },
        ],
      },
      'TASK_CONTRACT_INVALID',
    );
    assert.equal(contract.data?.task_id, 'c');
    assert.equal(contract.data?.index, 1);
    await expectCode(
      server,
      'runboard/createTasks',
      { root, run_id: 'e', tasks: [{ id: 'i', task_type: 'implementation' }] },
      'TASK_OUTPUT_TARGET_REQUIRED',
    );
    await expectCode(server, 'runboard/createTasks', { root, run_id: 'e', tasks: [{ id: 't1', task_type: 'x' }] }, 'TASK_DUPLICATE_ID');
    await expectCode(
      server,
      'runboard/createTasks',
      {
        root,
        run_id: 'e',
        tasks: [
          { id: 'd', task_type: 'x' },
          { id: 'd', task_type: 'x' },
        ],
      },
      'TASK_DUPLICATE_ID',
    );
    const unknown = await expectCode(
      server,
      'runboard/createTasks',
      { root, run_id: 'e', tasks: [{ id: 'u', task_type: 'x', depends_on_task_ids: ['ghost'] }] },
      'TASK_DEPENDENCY_UNKNOWN',
    );
    assert.deepEqual(unknown.data?.depends_on, ['ghost']);
    const cycle = await expectCode(
      server,
      'runboard/createTasks',
      {
        root,
        run_id: 'e',
        tasks: [
          { id: 'p', task_type: 'x', depends_on_task_ids: ['q'] },
          { id: 'q', task_type: 'x', depends_on_task_ids: ['p'] },
        ],
      },
      'TASK_DEPENDENCY_CYCLE',
    );
    assert.deepEqual([...(cycle.data?.depends_on as string[])].sort(), ['p', 'q']);
    await expectCode(
      server,
      'runboard/createTasks',
      { root, run_id: 'e', tasks: [{ id: 's', task_type: 'x', status: 'done' }] },
      'TASK_STATUS_INVALID',
    );
    const { run } = await server.call('runboard/getRun', { root, run_id: 'e' });
    assert.deepEqual(
      run.tasks.map((t: { id: string }) => t.id),
      ['t1', 't2'],
      'rejected batches wrote nothing',
    );
  });

  it('TASK_REV_MISMATCH, TASK_LEASE_REQUIRED, TASK_LEASE_INVALID, TASK_LEASE_ACTIVE, TASK_TRANSITION_INVALID, TASK_ATTEMPTS_EXHAUSTED', async () => {
    const { task } = await server.call('runboard/claimTask', { root, run_id: 'e', agent_id: 'a', task_id: 't1' });
    const rev = await expectCode(
      server,
      'runboard/transitionTask',
      { root, run_id: 'e', task_id: 't1', action: 'heartbeat', lease_token: task.lease_token, expected_task_rev: 99 },
      'TASK_REV_MISMATCH',
    );
    assert.equal(rev.data?.task_rev, task.task_rev);
    await expectCode(server, 'runboard/transitionTask', { root, run_id: 'e', task_id: 't1', action: 'complete' }, 'TASK_LEASE_REQUIRED');
    await expectCode(
      server,
      'runboard/transitionTask',
      { root, run_id: 'e', task_id: 't1', action: 'complete', lease_token: 'lease-nope' },
      'TASK_LEASE_INVALID',
    );
    const active = await expectCode(server, 'runboard/requeueTask', { root, run_id: 'e', task_id: 't1' }, 'TASK_LEASE_ACTIVE');
    assert.equal(active.data?.lease_owner, 'a');
    const tr = await expectCode(
      server,
      'runboard/transitionTask',
      { root, run_id: 'e', task_id: 't2', action: 'complete' },
      'TASK_TRANSITION_INVALID',
    );
    assert.equal(tr.data?.current_status, 'pending');
    const st = await expectCode(
      server,
      'runboard/transitionTask',
      { root, run_id: 'e', task_id: 't2', action: 'status', status: 'done' },
      'TASK_TRANSITION_INVALID',
    );
    assert.equal(st.data?.requested_status, 'done');
    await server.call('runboard/transitionTask', { root, run_id: 'e', task_id: 't1', action: 'complete', lease_token: task.lease_token });
    await expectCode(server, 'runboard/requeueTask', { root, run_id: 'e', task_id: 't1' }, 'TASK_TRANSITION_INVALID');

    await server.call('runboard/createTasks', { root, run_id: 'e', tasks: [{ id: 'once', task_type: 'x', max_attempts: 1 }] });
    const { task: once } = await server.call('runboard/claimTask', { root, run_id: 'e', agent_id: 'a', task_id: 'once' });
    await server.call('runboard/transitionTask', {
      root,
      run_id: 'e',
      task_id: 'once',
      action: 'fail',
      lease_token: once.lease_token,
      error: 'boom',
    });
    const ex = await expectCode(
      server,
      'runboard/transitionTask',
      { root, run_id: 'e', task_id: 'once', action: 'retry' },
      'TASK_ATTEMPTS_EXHAUSTED',
    );
    assert.deepEqual([ex.data?.attempt, ex.data?.max_attempts], [1, 1]);
  });

  it('TASK_LEASE_EXPIRED for the token of an expired lease, until the task is claimed again', async () => {
    await server.call('runboard/createTasks', { root, run_id: 'e', tasks: [{ id: 'slow', task_type: 'x' }] });
    const { task } = await server.call('runboard/claimTask', { root, run_id: 'e', agent_id: 'sleepy', task_id: 'slow', lease_ms: 1 });
    assert.equal(task.lease_expires_at_ms - task.updated_ts, 5000, 'lease clamped up to 5 s');
    await new Promise((r) => setTimeout(r, 5600));
    const e = await expectCode(
      server,
      'runboard/transitionTask',
      { root, run_id: 'e', task_id: 'slow', action: 'complete', lease_token: task.lease_token },
      'TASK_LEASE_EXPIRED',
    );
    assert.equal(e.data?.lease_expires_at_ms, task.lease_expires_at_ms);
    const { run } = await server.call('runboard/getRun', { root, run_id: 'e' });
    const slow = run.tasks.find((t: { id: string }) => t.id === 'slow');
    assert.equal(slow.status, 'runnable');
    assert.equal(slow.last_error, 'task lease expired while assigned to sleepy');
  });

  it('COMMAND_ID_CONFLICT', async () => {
    await server.call('runboard/appendEvent', { root, run_id: 'e', type: 'note', status: 'running', command_id: 'k1' });
    const e = await expectCode(
      server,
      'runboard/appendEvent',
      { root, run_id: 'e', type: 'other', status: 'running', command_id: 'k1' },
      'COMMAND_ID_CONFLICT',
    );
    assert.equal(e.data?.command_id, 'k1');
    await expectCode(server, 'runboard/requeueTask', { root, run_id: 'e', task_id: 't2', command_id: 'k1' }, 'COMMAND_ID_CONFLICT');
  });

  it('CHECKPOINT_NOT_FOUND, CHECKPOINT_UNREADABLE, REPLAY_RANGE_INVALID', async () => {
    await expectCode(server, 'runboard/replay', { root, run_id: 'e', checkpoint_id: 'cp-nope' }, 'CHECKPOINT_NOT_FOUND');
    if (!onPostgres) {
      // A checkpoint file damaged where it is kept (a database checks what it stores).
      const dir = path.join(root, '.runboard/runs/e/checkpoints');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${'3'.padStart(20, '0')}-cp-broken.json`), '{not json');
      const un = await expectCode(server, 'runboard/replay', { root, run_id: 'e', checkpoint_id: 'cp-broken' }, 'CHECKPOINT_UNREADABLE');
      assert.equal(un.data?.checkpoint_id, 'cp-broken');
      const list = await server.call('runboard/listCheckpoints', { root, run_id: 'e' });
      assert.deepEqual(list.checkpoints, [{ checkpoint_id: 'cp-broken', seq: 3, ts_ms: 0, reason: '', unreadable: true }]);
      assert.equal((await server.call('runboard/latestCheckpoint', { root, run_id: 'e' })).checkpoint, null);
      const r = await server.call('runboard/replay', { root, run_id: 'e' });
      assert.equal(r.from_checkpoint, false, 'the unreadable checkpoint is skipped');
    }
    const { run } = await server.call('runboard/getRun', { root, run_id: 'e' });
    const range = await expectCode(
      server,
      'runboard/replay',
      { root, run_id: 'e', upto_seq: run.last_event_seq + 1 },
      'REPLAY_RANGE_INVALID',
    );
    assert.equal(range.data?.last_seq, run.last_event_seq);
    await expectCode(server, 'runboard/replay', { root, run_id: 'e', upto_seq: 0 }, 'REPLAY_RANGE_INVALID');
    const { checkpoint } = await server.call('runboard/createCheckpoint', { root, run_id: 'e', reason: 'r' });
    const below = await expectCode(
      server,
      'runboard/replay',
      { root, run_id: 'e', checkpoint_id: checkpoint.checkpoint_id, upto_seq: 2 },
      'REPLAY_RANGE_INVALID',
    );
    assert.equal(below.data?.checkpoint_seq, checkpoint.seq);
  });

  it('rejected calls write nothing', async () => {
    await new Promise((r) => setTimeout(r, 1500)); // let the 1 s snapshot timer settle first
    const before = treeSnapshot(path.join(root, '.runboard'));
    await expectCode(server, 'runboard/createTasks', { root, run_id: 'e', tasks: [{ id: 't1', task_type: 'x' }] }, 'TASK_DUPLICATE_ID');
    await expectCode(server, 'runboard/appendEvent', { root, run_id: 'e', type: 'context.x', status: 'running' }, 'EVENT_TYPE_RESERVED');
    await expectCode(server, 'runboard/claimTask', { root, run_id: 'e' }, 'INVALID_PARAMS', -32602);
    await expectCode(server, 'runboard/createRun', { root, run_id: 'bad/id', objective: 'x' }, 'RUN_ID_INVALID');
    await expectCode(server, 'runboard/patchBlackboard', { root, run_id: 'e', op: 'add_fact', payload: {} }, 'BLACKBOARD_PAYLOAD_INVALID');
    assert.deepEqual(treeSnapshot(path.join(root, '.runboard')), before);
  });
});
