// The command-id index (PROTOCOL.md §Idempotency): fingerprints of the params as sent, the
// index the fold builds from stamped events, repeats and conflicts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, CommandStamp, fingerprintParams, findRepeat, stampEvents } from '../../../server/src/engine/commandIndex';
import { EventRecord } from '../../../contract/schemas/records';
import { decideCreateTasks } from '../../../server/src/engine/taskCreation';
import { applyEvent, stateFromRecords, toBlackboard, toRunRecord } from '../../../server/src/engine/state';
import { expectDomainError, foldAll, RunHarness } from './harness';

function stamp(commandId: string, method: string, params: unknown): CommandStamp {
  return { command_id: commandId, command_method: method, command_fingerprint: fingerprintParams(params) };
}

describe('fingerprintParams', () => {
  it('ignores command_id, root and key order at every depth', () => {
    const a = fingerprintParams({
      run_id: 'r',
      tasks: [{ id: 'x', payload: { b: 1, a: [{ z: 1, y: 2 }] } }],
      command_id: 'c1',
      root: '/a',
    });
    const b = fingerprintParams({
      tasks: [{ payload: { a: [{ y: 2, z: 1 }], b: 1 }, id: 'x' }],
      run_id: 'r',
      root: '/elsewhere',
      command_id: 'c2',
    });
    assert.equal(a, b);
    assert.equal(a, fingerprintParams({ run_id: 'r', tasks: [{ id: 'x', payload: { a: [{ y: 2, z: 1 }], b: 1 } }] }));
  });

  it('differs when any value, key or array order differs', () => {
    const base = { run_id: 'r', action: 'complete', list: [1, 2] };
    const fp = fingerprintParams(base);
    for (const other of [
      { ...base, action: 'fail' },
      { ...base, list: [2, 1] },
      { ...base, extra: null },
      { run_id: 'r', action: 'complete' },
      { ...base, list: [1, 2, 3] },
      { ...base, run_id: 'R' },
      { ...base, list: ['1', 2] },
    ]) {
      assert.notEqual(fingerprintParams(other), fp, JSON.stringify(other));
    }
  });

  it('is a stable hex digest; non-objects fingerprint like {}', () => {
    assert.match(fingerprintParams({ a: 1 }), /^[0-9a-f]{32}$/);
    assert.equal(fingerprintParams({ a: 1 }), fingerprintParams({ a: 1 }));
    assert.equal(fingerprintParams(null), fingerprintParams({}));
    assert.equal(fingerprintParams({ command_id: 'only' }), fingerprintParams({}));
  });

  it('canonicalJson sorts keys and drops undefined members', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: undefined, c: [3, { f: 1, e: 2 }] } }), '{"a":{"c":[3,{"e":2,"f":1}]},"b":1}');
    assert.equal(canonicalJson([undefined, 'x']), '[null,"x"]');
    assert.equal(canonicalJson('s'), '"s"');
  });
});

describe('stampEvents', () => {
  it('sets command_id, command_method and command_fingerprint on every event, payload last', () => {
    const h = new RunHarness();
    const events = decideCreateTasks(h.state, h.parseTasks([{ id: 'a' }, { id: 'b' }]), h.ctx).events;
    const s = stamp('cmd-1', 'createTasks', { tasks: [{ id: 'a' }, { id: 'b' }] });
    const out = stampEvents(events, s);
    assert.equal(out, events, 'in place');
    for (const e of out) {
      assert.equal(e.command_id, 'cmd-1');
      assert.equal(e.command_method, 'createTasks');
      assert.equal(e.command_fingerprint, s.command_fingerprint);
      assert.equal(Object.keys(e).at(-1), 'payload');
    }
  });

  it('without a stamp the events are left as they are', () => {
    const h = new RunHarness();
    const events = decideCreateTasks(h.state, h.parseTasks([{ id: 'a' }]), h.ctx).events;
    const copy = structuredClone(events);
    assert.deepEqual(stampEvents(events, undefined), copy);
  });
});

describe('the command index built by the fold', () => {
  function withCommand(): { h: RunHarness; s: CommandStamp; events: EventRecord[] } {
    const h = new RunHarness();
    h.appendEvent({ type: 'note', status: 'running' });
    const params = { run_id: h.runId, tasks: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], command_id: 'batch-1' };
    const s = stamp('batch-1', 'createTasks', params);
    assert.equal(findRepeat(h.state, s), undefined, 'a new id is no repeat');
    const events = h.commit(stampEvents(decideCreateTasks(h.state, h.parseTasks(params.tasks), h.ctx).events, s));
    return { h, s, events };
  }

  it('records method, fingerprint and the seq range of the command', () => {
    const { h, s, events } = withCommand();
    assert.deepEqual(h.state.commands.get('batch-1'), {
      method: 'createTasks',
      fingerprint: s.command_fingerprint,
      first_seq: events[0].seq,
      last_seq: events[2].seq,
    });
    assert.equal(h.state.commands.size, 1, 'events without command_id are not indexed');
    assert.equal(h.state.commandsSeq, h.run.last_event_seq);
  });

  it('findRepeat returns the entry for an exact repeat (same method, same params in any key order)', () => {
    const { h, events } = withCommand();
    const repeat = stamp('batch-1', 'createTasks', {
      tasks: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
      command_id: 'batch-1',
      run_id: h.runId,
      root: '/x',
    });
    assert.deepEqual(findRepeat(h.state, repeat), {
      method: 'createTasks',
      fingerprint: repeat.command_fingerprint,
      first_seq: events[0].seq,
      last_seq: events[2].seq,
    });
  });

  it('another method or other params under the same id → COMMAND_ID_CONFLICT {command_id}', () => {
    const { h } = withCommand();
    expectDomainError(
      () => findRepeat(h.state, stamp('batch-1', 'claimTask', { run_id: h.runId, tasks: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] })),
      'COMMAND_ID_CONFLICT',
      {
        command_id: 'batch-1',
      },
    );
    expectDomainError(
      () => findRepeat(h.state, stamp('batch-1', 'createTasks', { run_id: h.runId, tasks: [{ id: 'a' }] })),
      'COMMAND_ID_CONFLICT',
      {
        command_id: 'batch-1',
      },
    );
    assert.equal(findRepeat(h.state, stamp('batch-2', 'createTasks', { run_id: h.runId })), undefined, 'other ids are free');
  });

  it('the index is the same when the log is folded again, and survives a snapshot with its commands', () => {
    const { h } = withCommand();
    const refolded = foldAll(h.runId, h.log);
    assert.deepEqual([...refolded.commands], [...h.state.commands]);
    const restored = stateFromRecords(toRunRecord(h.state), toBlackboard(h.state), { seq: h.state.commandsSeq, entries: h.state.commands });
    assert.deepEqual([...restored.commands], [...h.state.commands]);
    assert.equal(restored.commandsSeq, h.state.commandsSeq);
  });

  it('a command index older than the run catches up by folding the rest; the run part is not folded twice', () => {
    const { h, s } = withCommand();
    // Run and blackboard cached at the last seq, the command index from before the command (seq 2).
    const state = stateFromRecords(toRunRecord(h.state), toBlackboard(h.state), { seq: 2, entries: [] });
    const before = toRunRecord(state);
    for (const e of h.log) applyEvent(state, e);
    assert.deepEqual(toRunRecord(state), before, 'run part untouched (already at that seq)');
    assert.equal(findRepeat(state, s)?.first_seq, 3);
    assert.deepEqual([...state.commands], [...h.state.commands]);
  });
});
