// "A rejected call writes nothing, anywhere": a batch of bad calls (malformed params and domain
// rejections) against a run with some history must leave every byte under .runboard as it was.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DomainError } from '../../../server/src/engine/errors';
import { openStore, removeTree, sleep, tempRoot, treePicture } from './helpers';
import { ParamsError } from '../../../contract/schemas/params';

const roots: string[] = [];
after(() => {
  for (const r of roots) removeTree(r);
});

type Call = [method: string, params: unknown, expected: string];

describe('rejected calls', () => {
  it('write nothing, byte for byte', async () => {
    const root = tempRoot();
    roots.push(root);
    const setup = openStore(root);
    const s = setup.store;
    await s.execute('createRun', { run_id: 'r', objective: 'history' });
    await s.execute('appendEvent', { run_id: 'r', type: 'note', status: 'running', command_id: 'cmd-1' });
    await s.execute('patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { text: 'fact' } });
    await s.execute('createTasks', {
      run_id: 'r',
      tasks: [
        { id: 't1', task_type: 'work' },
        { id: 't2', task_type: 'work', depends_on_task_ids: ['t1'] },
        { id: 't3', task_type: 'work' },
      ],
    });
    const { task: t1 } = await s.execute('claimTask', { run_id: 'r', agent_id: 'a', task_id: 't1', lease_ms: 300_000 });
    const { task: t3 } = await s.execute('claimTask', { run_id: 'r', agent_id: 'a', task_id: 't3', lease_ms: 300_000 });
    await s.execute('transitionTask', { run_id: 'r', task_id: 't3', action: 'complete', lease_token: t3!.lease_token! });
    await s.execute('createCheckpoint', { run_id: 'r', reason: 'before' });
    await s.execute('createRun', { run_id: 'done', objective: 'finished' });
    await s.execute('appendEvent', { run_id: 'done', type: 'run_completed', status: 'completed' });
    s.close(); // caches written

    const calls: Call[] = [
      // Malformed params: -32602.
      ['appendEvent', { run_id: 'r', status: 'running' }, 'params'],
      ['appendEvent', { run_id: 'r', type: 'note', status: 'bogus' }, 'params'],
      ['appendEvent', { run_id: 'r', type: '   ', status: 'running' }, 'params'],
      ['createTasks', { run_id: 'r', tasks: [] }, 'params'],
      ['createTasks', { run_id: 'r', tasks: [{ id: 'x', task_type: '' }] }, 'params'],
      ['claimTask', { run_id: 'r', agent_id: '' }, 'params'],
      ['transitionTask', { run_id: 'r', task_id: 't1', action: 'explode' }, 'params'],
      ['transitionTask', { run_id: 'r', task_id: 't1', action: 'status' }, 'params'],
      ['patchBlackboard', { run_id: 'r', op: 'nope', payload: {} }, 'params'],
      ['replay', { run_id: 'r', upto_seq: 1.5 }, 'params'],
      ['listEvents', { run_id: 'r', since_seq: -1 }, 'params'],
      ['createRun', { run_id: 'new' }, 'params'],
      ['createCheckpoint', { run_id: 'r' }, 'params'],
      ['appendEvent', { run_id: 'r', type: 'note', status: 'running', command_id: '' }, 'params'],
      ['appendEvent', { run_id: 'r', type: 'note', status: 'running', command_id: 'c'.repeat(201) }, 'params'],
      ['getRun', { run_id: 7 }, 'params'],
      ['getRun', null, 'params'],
      // Domain rejections: -32000 with a code.
      ['createRun', { run_id: 'r', objective: 'again' }, 'RUN_EXISTS'],
      ['createRun', { run_id: '../escape', objective: 'x' }, 'RUN_ID_INVALID'],
      ['createRun', { run_id: 'big', objective: 'o'.repeat(65 * 1024) }, 'LIMIT_EXCEEDED'],
      ['createRun', { root: '/no/such/root', run_id: 'x', objective: 'x' }, 'ROOT_UNKNOWN'],
      ['getRun', { run_id: 'missing' }, 'RUN_NOT_FOUND'],
      ['appendEvent', { run_id: 'r', type: 'context.task.claimed', status: 'running' }, 'TASK_EVENT_APPEND_DISABLED'],
      ['appendEvent', { run_id: 'r', type: 'Context.Run.Created', status: 'running' }, 'EVENT_TYPE_RESERVED'],
      ['appendEvent', { run_id: 'r', type: 'workspace_rebound', status: 'running' }, 'EVENT_TYPE_RESERVED'],
      ['appendEvent', { run_id: 'r', type: 'note', status: 'paused', command_id: 'cmd-1' }, 'COMMAND_ID_CONFLICT'],
      ['patchBlackboard', { run_id: 'r', op: 'add_fact', payload: {}, command_id: 'cmd-1' }, 'COMMAND_ID_CONFLICT'],
      ['appendEvent', { run_id: 'r', type: 'note', status: 'running', payload: 'p'.repeat(1024 * 1024) }, 'LIMIT_EXCEEDED'],
      ['appendEvent', { run_id: 'done', type: 'note', status: 'running' }, 'RUN_TERMINAL'],
      ['createTasks', { run_id: 'done', tasks: [{ task_type: 'work' }] }, 'RUN_TERMINAL'],
      ['claimTask', { run_id: 'done', agent_id: 'a' }, 'RUN_TERMINAL'],
      [
        'createTasks',
        {
          run_id: 'r',
          tasks: [
            { id: 'ok-1', task_type: 'work' },
            { id: 't1', task_type: 'work' },
          ],
        },
        'TASK_DUPLICATE_ID',
      ],
      [
        'createTasks',
        {
          run_id: 'r',
          tasks: [
            { id: 'ok-1', task_type: 'work' },
            { id: 'ok-1', task_type: 'work' },
          ],
        },
        'TASK_DUPLICATE_ID',
      ],
      [
        'createTasks',
        { run_id: 'r', tasks: [{ id: 'ok-1', task_type: 'work', depends_on_task_ids: ['ghost'] }] },
        'TASK_DEPENDENCY_UNKNOWN',
      ],
      [
        'createTasks',
        {
          run_id: 'r',
          tasks: [
            { id: 'c1', task_type: 'w', depends_on_task_ids: ['c2'] },
            { id: 'c2', task_type: 'w', depends_on_task_ids: ['c1'] },
          ],
        },
        'TASK_DEPENDENCY_CYCLE',
      ],
      ['createTasks', { run_id: 'r', tasks: [{ id: 'ok-1', task_type: 'work', status: 'done' }] }, 'TASK_STATUS_INVALID'],
      ['createTasks', { run_id: 'r', tasks: [{ id: 'ok-1', task_type: 'implementation' }] }, 'TASK_OUTPUT_TARGET_REQUIRED'],
      ['createTasks', { run_id: 'r', tasks: [{ id: 'ok-1', task_type: 'work', payload: [1, 2] }] }, 'TASK_CONTRACT_INVALID'],
      [
        'createTasks',
        {
          run_id: 'r',
          tasks: [
            { id: 'ok-1', task_type: 'work' },
            { id: 'a/b', task_type: 'work' },
          ],
        },
        'TASK_ID_INVALID',
      ],
      ['createTasks', { run_id: 'r', tasks: Array.from({ length: 501 }, () => ({ task_type: 'work' })) }, 'LIMIT_EXCEEDED'],
      ['patchBlackboard', { run_id: 'r', op: 'add_task', payload: {} }, 'TASK_PATCH_OP_DISABLED'],
      ['patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { nope: 1 } }, 'BLACKBOARD_PAYLOAD_INVALID'],
      ['claimTask', { run_id: 'r', agent_id: 'a', task_id: 'ghost' }, 'TASK_NOT_FOUND'],
      ['transitionTask', { run_id: 'r', task_id: 'ghost', action: 'heartbeat' }, 'TASK_NOT_FOUND'],
      ['transitionTask', { run_id: 'r', task_id: 't1', action: 'complete' }, 'TASK_LEASE_REQUIRED'],
      ['transitionTask', { run_id: 'r', task_id: 't1', action: 'complete', lease_token: 'lease-wrong' }, 'TASK_LEASE_INVALID'],
      [
        'transitionTask',
        { run_id: 'r', task_id: 't1', action: 'complete', lease_token: t1!.lease_token!, expected_task_rev: 99 },
        'TASK_REV_MISMATCH',
      ],
      ['transitionTask', { run_id: 'r', task_id: 't2', action: 'heartbeat' }, 'TASK_TRANSITION_INVALID'],
      ['transitionTask', { run_id: 'r', task_id: 't2', action: 'status', status: 'in_progress' }, 'TASK_TRANSITION_INVALID'],
      ['requeueTask', { run_id: 'r', task_id: 't1' }, 'TASK_LEASE_ACTIVE'],
      ['requeueTask', { run_id: 'r', task_id: 't3' }, 'TASK_TRANSITION_INVALID'],
      ['replay', { run_id: 'r', checkpoint_id: 'cp-ghost' }, 'CHECKPOINT_NOT_FOUND'],
      ['replay', { run_id: 'r', upto_seq: 999 }, 'REPLAY_RANGE_INVALID'],
      ['createCheckpoint', { run_id: 'r', reason: 'r'.repeat(65 * 1024) }, 'LIMIT_EXCEEDED'],
    ];

    const before = treePicture(root);
    const t = openStore(root, { snapshotDelayMs: 10 });
    try {
      for (const [method, params, expected] of calls) {
        const what = `${method} ${JSON.stringify(params).slice(0, 120)}`;
        await assert.rejects(
          t.store.execute(method as never, params),
          (e: unknown) => (expected === 'params' ? e instanceof ParamsError : e instanceof DomainError && e.code === expected),
          `${what} → ${expected}`,
        );
      }
      // A repeat of a recorded command is answered from the log and writes nothing either.
      const again = await t.store.execute('appendEvent', { run_id: 'r', type: 'note', status: 'running', command_id: 'cmd-1' });
      assert.equal(again.deduped, true);
      // Reads write nothing.
      await t.store.execute('listRuns', {});
      await t.store.execute('replay', { run_id: 'r' });
      await t.store.execute('listEvents', { run_id: 'r' });
      await sleep(100); // past snapshotDelayMs: a scheduled cache write would have happened
      assert.deepEqual(treePicture(root), before);
    } finally {
      t.store.close();
    }
    assert.deepEqual(treePicture(root), before, 'nor did closing the store');
    assert.deepEqual(t.diagnostics, []);
  });
});
