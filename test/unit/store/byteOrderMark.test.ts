// A log an editor saved with a UTF-8 byte-order mark before its first line (Notepad; VS Code's
// "UTF-8 with BOM"): the run reads on as before — no damage, writes go on, a fresh load, replay
// and compaction agree — in a process that held the log before the save and in a new one.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { logFile, openStore, removeTree, tempRoot } from './helpers';

const roots: string[] = [];
after(() => roots.forEach(removeTree));

const RUN = 'bom';
const facts = (got: { blackboard: { facts: { text: string }[] } }) => got.blackboard.facts.map((f) => f.text);

/** The log saved as an editor does: a new file with the mark before the same bytes, renamed over it. */
function saveWithByteOrderMark(root: string): void {
  const file = logFile(root, RUN);
  fs.writeFileSync(`${file}.save~`, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(file)]));
  fs.renameSync(`${file}.save~`, file);
}

describe('a log saved with a byte-order mark', () => {
  it('reads without damage; writes go on in the process that held it and in a new one; load, replay and compaction agree', async () => {
    const root = tempRoot();
    roots.push(root);
    const held = openStore(root, { snapshotDelayMs: 0 });
    try {
      await held.store.execute('createRun', { run_id: RUN, objective: 'saved by an editor' });
      await held.store.execute('createTasks', { run_id: RUN, tasks: [{ id: 'a', task_type: 'w' }] });
      await held.store.execute('patchBlackboard', { run_id: RUN, op: 'add_fact', payload: { text: 'before' } });
      await held.store.execute('createCheckpoint', { run_id: RUN, reason: 'before the save' });
      held.store.flush();
      saveWithByteOrderMark(root);

      await held.store.execute('patchBlackboard', { run_id: RUN, op: 'add_fact', payload: { text: 'held' } });
      const fresh = openStore(root);
      try {
        const got = await fresh.store.execute('getRun', { run_id: RUN });
        assert.equal(got.damage, undefined);
        assert.deepEqual(facts(got), ['before', 'held']);
        await fresh.store.execute('patchBlackboard', { run_id: RUN, op: 'add_fact', payload: { text: 'fresh' } });
        const { events } = await fresh.store.execute('listEvents', { run_id: RUN });
        assert.deepEqual(
          events.map((e) => e.seq),
          events.map((_, i) => i + 1),
        );
        for (const from_checkpoint of [false, true]) {
          const r = await fresh.store.execute('replay', { run_id: RUN, from_checkpoint });
          assert.equal(r.drift.mismatch, false, `replay, from_checkpoint ${from_checkpoint}`);
        }
        assert.deepEqual(
          fresh.diagnostics.filter((d) => /damage|malformed/i.test(d.message)),
          [],
        );
      } finally {
        fresh.store.close();
      }
      assert.deepEqual(facts(await held.store.execute('getRun', { run_id: RUN })), ['before', 'held', 'fresh']);
      assert.ok(
        fs
          .readFileSync(logFile(root, RUN))
          .subarray(0, 3)
          .equals(Buffer.from([0xef, 0xbb, 0xbf])),
        'the mark stays',
      );

      // Compacted (its first segment carries the mark) and restored by a write: the same run.
      await held.store.execute('finishRun', { run_id: RUN, status: 'completed', force: true });
      await held.store.execute('compactRun', { run_id: RUN });
      const compacted = await held.store.execute('getRun', { run_id: RUN });
      assert.ok(compacted.compacted);
      assert.deepEqual(facts(compacted), ['before', 'held', 'fresh']);
      await held.store.execute('patchBlackboard', { run_id: RUN, op: 'add_fact', payload: { text: 'restored' } });
      const restored = await held.store.execute('getRun', { run_id: RUN });
      assert.equal(restored.damage, undefined);
      assert.deepEqual(facts(restored), ['before', 'held', 'fresh', 'restored']);
    } finally {
      held.store.close();
    }
  });
});
