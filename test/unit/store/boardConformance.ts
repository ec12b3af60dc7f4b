// The store interface's conformance suite: the same protocol methods, through the same service,
// on every implementation of BoardStore. boardStores.test.ts runs it on the file store and on an
// in-memory store that shares no code with it (memoryBoard.ts: nothing above the interface
// depends on files); test/postgres/pgBoard.test.ts runs it on a real PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { EventRecord } from '../../../contract/schemas/records';
import { ParamsError } from '../../../contract/paramsError';
import { DomainError } from '../../../server/src/engine/errors';
import { RunService } from '../../../server/src/service/runService';
import type { BoardOpener } from '../../../server/src/store/boards';
import { removeTree, tempRoot } from './helpers';

export interface StoreUnderTest {
  name: string;
  opener: () => BoardOpener;
  /** Sets a fresh root up for the store (a database board's board.json). */
  prepareRoot?: (root: string) => void;
  /** The clock the store judges leases by, when it is its own (a database's): the test waits for it to move. */
  ownClock?: () => Promise<number>;
}

const roots: string[] = [];
const services: RunService[] = [];
after(() => {
  services.forEach((s) => s.close());
  roots.forEach(removeTree);
});

/** A service over one root of the store, with a clock the test moves and every commit notice it hears. */
async function serviceOn(store: StoreUnderTest) {
  const root = tempRoot();
  roots.push(root);
  store.prepareRoot?.(root);
  let now = 1_000_000;
  let n = 0;
  const service = new RunService([root], { clock: () => now, ids: { newId: (p) => `${p}-${++n}` }, durability: 'none' }, store.opener());
  services.push(service);
  const heard: EventRecord[] = [];
  service.on({ onCommit: (c) => heard.push(...c.events) });
  const advance = async (ms: number) => {
    now += ms;
    const own = store.ownClock;
    if (!own) return;
    const until = (await own()) + ms;
    while ((await own()) < until) await new Promise((r) => setTimeout(r, 50));
  };
  return { service, heard, advance };
}

const code = (c: string) => (e: unknown) => e instanceof DomainError && e.code === c;

export function describeBoardStore(store: StoreUnderTest): void {
  describe(`the ${store.name} store`, () => {
    it('creates a run once: the same id, or one differing only in case, is RUN_EXISTS', async () => {
      const { service } = await serviceOn(store);
      const { run } = await service.execute('createRun', { run_id: 'Alpha', objective: 'conformance' });
      assert.equal(run.last_event_seq, 1);
      await assert.rejects(service.execute('createRun', { run_id: 'Alpha', objective: 'again' }), code('RUN_EXISTS'));
      await assert.rejects(service.execute('createRun', { run_id: 'alpha', objective: 'case' }), (e) => {
        assert.ok(code('RUN_EXISTS')(e));
        assert.deepEqual((e as DomainError).details, { run_id: 'alpha', existing_run_id: 'Alpha' }, 'the run in the way, named as it is');
        assert.match((e as Error).message, /Run Alpha exists .*differs from alpha only in case/);
        return true;
      });
      assert.deepEqual(
        (await service.execute('listRuns', {})).runs.map((r) => r.run_id),
        ['Alpha'],
      );
    });

    it('a createRun repeated under its command_id is answered with the run as it was made; another request under that id, or another id, is refused', async () => {
      const { service } = await serviceOn(store);
      const params = { run_id: 'made', objective: 'once', steps: ['plan'], command_id: 'create-1' };
      const first = await service.execute('createRun', params);
      await service.execute('patchBlackboard', { run_id: 'made', op: 'add_fact', payload: { text: 'later' } });
      const again = await service.execute('createRun', { ...params, root: undefined });
      assert.deepEqual(again, { ...first, deduped: true }, 'the run as its creation left it, not as it is now');
      await assert.rejects(service.execute('createRun', { ...params, objective: 'other' }), code('COMMAND_ID_CONFLICT'));
      await assert.rejects(service.execute('createRun', { ...params, command_id: 'create-2' }), code('RUN_EXISTS'));
      await assert.rejects(service.execute('createRun', { run_id: 'made', objective: 'once', steps: ['plan'] }), code('RUN_EXISTS'));
      await assert.rejects(service.execute('createRun', { objective: 'no id', command_id: 'c' }), (e: unknown) => {
        assert.ok(e instanceof ParamsError);
        assert.deepEqual(
          e.issues.map((i) => i.path),
          ['command_id'],
        );
        assert.match(e.message, /command_id needs run_id/);
        return true;
      });
      const events = (await service.execute('listEvents', { run_id: 'made' })).events;
      assert.deepEqual(
        events.map((e) => [e.seq, e.type, e.command_id]),
        [
          [1, 'context.run.created', 'create-1'],
          [2, 'context.blackboard.patched', undefined],
        ],
      );
    });

    it('commits take the next seqs, listeners hear every event once, and the log reads back what was heard', async () => {
      const { service, heard } = await serviceOn(store);
      await service.execute('createRun', { run_id: 'r', objective: 'seqs' });
      await service.execute('createTasks', {
        run_id: 'r',
        tasks: [
          { id: 'a', task_type: 'w' },
          { id: 'b', task_type: 'w' },
        ],
      });
      const { task } = await service.execute('claimTask', { run_id: 'r', agent_id: 'x', task_id: 'a' });
      await service.execute('transitionTask', { run_id: 'r', task_id: 'a', action: 'complete', lease_token: task!.lease_token });
      assert.deepEqual(
        heard.map((e) => e.seq),
        [1, 2, 3, 4, 5],
      );
      const { events } = await service.execute('listEvents', { run_id: 'r' });
      assert.deepEqual(
        events.map((e) => e.event_id),
        heard.map((e) => e.event_id),
      );
      const page = await service.execute('listEvents', { run_id: 'r', since_seq: 1, limit: 2 });
      assert.deepEqual([page.events.map((e) => e.seq), page.next_since_seq], [[2, 3], 3]);
      const { blackboard } = await service.execute('getBlackboard', { run_id: 'r' });
      assert.deepEqual(
        blackboard.tasks.map((t) => [t.id, t.status]),
        [
          ['a', 'done'],
          ['b', 'pending'],
        ],
      );
    });

    it('concurrent claims never hand one task to two agents', async () => {
      const { service } = await serviceOn(store);
      await service.execute('createRun', { run_id: 'r', objective: 'claims' });
      await service.execute('createTasks', { run_id: 'r', tasks: ['a', 'b', 'c', 'd'].map((id) => ({ id, task_type: 'w' })) });
      const claims = await Promise.all(
        Array.from({ length: 12 }, (_, i) => service.execute('claimTask', { run_id: 'r', agent_id: `agent-${i}` })),
      );
      const won = claims.map((c) => c.task?.id).filter((id) => id !== undefined);
      assert.deepEqual([...won].sort(), ['a', 'b', 'c', 'd']);
    });

    it('a repeated command_id writes nothing and answers with the original result', async () => {
      const { service, heard } = await serviceOn(store);
      await service.execute('createRun', { run_id: 'r', objective: 'repeats' });
      await service.execute('createTasks', { run_id: 'r', tasks: [{ id: 'a', task_type: 'w' }] });
      const claim = { run_id: 'r', agent_id: 'x', command_id: 'c-1' };
      const first = await service.execute('claimTask', claim);
      const seen = heard.length;
      const again = await service.execute('claimTask', claim);
      assert.equal(heard.length, seen);
      assert.deepEqual({ ...again, deduped: undefined }, { ...first, deduped: undefined });
      assert.equal((again as { deduped?: boolean }).deduped, true);
      await assert.rejects(service.execute('claimTask', { ...claim, agent_id: 'y' }), code('COMMAND_ID_CONFLICT'));
    });

    it('an expired lease is requeued before the next command decides', async () => {
      const { service, advance } = await serviceOn(store);
      await service.execute('createRun', { run_id: 'r', objective: 'leases' });
      await service.execute('createTasks', { run_id: 'r', tasks: [{ id: 'a', task_type: 'w' }] });
      const { task } = await service.execute('claimTask', { run_id: 'r', agent_id: 'x', lease_ms: 5_000 });
      assert.equal(service.nextLeaseExpiry(), task!.lease_expires_at_ms);
      await advance(6_000);
      const { task: retaken } = await service.execute('claimTask', { run_id: 'r', agent_id: 'y' });
      assert.deepEqual([retaken?.id, retaken?.lease_owner], ['a', 'y']);
      assert.notEqual(retaken?.lease_token, task!.lease_token);
      await assert.rejects(
        service.execute('transitionTask', { run_id: 'r', task_id: 'a', action: 'complete', lease_token: task!.lease_token }),
        code('TASK_LEASE_INVALID'),
      );
    });

    it('checkpoints are kept and listed; replay from one, or from scratch, matches the live state without drift', async () => {
      const { service } = await serviceOn(store);
      await service.execute('createRun', { run_id: 'r', objective: 'replay' });
      await service.execute('createTasks', { run_id: 'r', tasks: [{ id: 'a', task_type: 'w' }] });
      const { checkpoint } = await service.execute('createCheckpoint', { run_id: 'r', reason: 'midway' });
      await service.execute('patchBlackboard', { run_id: 'r', op: 'add_fact', payload: { text: 'after the checkpoint' } });
      assert.deepEqual(
        (await service.execute('listCheckpoints', { run_id: 'r' })).checkpoints.map((c) => [c.checkpoint_id, c.seq]),
        [[checkpoint.checkpoint_id, 2]],
      );
      assert.equal((await service.execute('latestCheckpoint', { run_id: 'r' })).checkpoint?.checkpoint_id, checkpoint.checkpoint_id);
      service.flush();
      for (const from_checkpoint of [true, false]) {
        const r = await service.execute('replay', { run_id: 'r', from_checkpoint });
        assert.deepEqual([r.from_checkpoint, r.checkpoint_seq, r.drift.mismatch], [from_checkpoint, from_checkpoint ? 2 : null, false]);
        assert.deepEqual(r.replay_blackboard, r.persisted_blackboard);
      }
      const past = await service.execute('replay', { run_id: 'r', checkpoint_id: checkpoint.checkpoint_id, upto_seq: 2 });
      assert.deepEqual(past.replay, checkpoint.run);
    });

    it('cancelling with cascade, reopening with it, and closing a question replay without drift; dependents say why they wait', async () => {
      const { service } = await serviceOn(store);
      await service.execute('createRun', { run_id: 'r', objective: 'cancel' });
      await service.execute('createTasks', {
        run_id: 'r',
        tasks: [
          { id: 'a', task_type: 'w' },
          { id: 'b', task_type: 'w', depends_on_task_ids: ['a'] },
          { id: 'c', task_type: 'w', depends_on_task_ids: ['b'] },
          { id: 'd', task_type: 'w', depends_on_task_ids: ['a'] },
        ],
      });
      const { cancelled } = await service.execute('cancelTask', { run_id: 'r', task_id: 'b', reason: 'split up', cascade: true });
      assert.deepEqual(
        cancelled.map((t) => [t.id, t.cancelled?.cascade_from]),
        [
          ['b', undefined],
          ['c', 'b'],
        ],
      );
      await service.execute('cancelTask', { run_id: 'r', task_id: 'a', reason: 'not needed' });
      const claimed = await service.execute('claimTask', { run_id: 'r', agent_id: 'x' });
      assert.deepEqual([claimed.task, claimed.reason], [null, 'needs_a_person'], 'd waits on a cancelled task: a person decides');
      // b comes back with what its cancel took along (c); a repeat answers as the first call did.
      const reopen = { run_id: 'r', task_id: 'b', cascade: true, command_id: 'reopen-b' };
      const back = await service.execute('requeueTask', reopen);
      assert.deepEqual([back.task.status, back.reopened?.map((t) => [t.id, t.status])], ['runnable', [['c', 'runnable']]]);
      const again = await service.execute('requeueTask', reopen);
      assert.deepEqual([(again as { deduped?: boolean }).deduped, again.reopened?.map((t) => t.id)], [true, ['c']]);
      await service.execute('patchBlackboard', { run_id: 'r', op: 'add_open_question', payload: { id: 'question-q', text: 'q?' } });
      await service.execute('patchBlackboard', { run_id: 'r', op: 'answer_question', payload: { question_id: 'question-q', text: 'yes' } });
      const { blackboard } = await service.execute('getBlackboard', { run_id: 'r' });
      assert.deepEqual([blackboard.open_questions.length, blackboard.closed_questions.map((q) => q.id)], [0, ['question-q']]);
      service.flush();
      const r = await service.execute('replay', { run_id: 'r', from_checkpoint: false });
      assert.equal(r.drift.mismatch, false);
      assert.deepEqual(r.replay, r.persisted);
      assert.deepEqual(r.replay_blackboard, r.persisted_blackboard);
    });

    it('a healthy run has nothing to repair', async () => {
      const { service } = await serviceOn(store);
      await service.execute('createRun', { run_id: 'r', objective: 'repair' });
      assert.deepEqual(await service.execute('repairRun', { run_id: 'r' }), { damage: [], restore: null, event: null });
      assert.deepEqual(await service.execute('repairRun', { run_id: 'r', accept: true }), { damage: [], restore: null, event: null });
    });
  });
}
