// The run format rule for readers (issue 17, PROTOCOL.md §Files: the run format): a reader never
// skips what it does not know. A reader of an older format meets the events of a newer one as
// lines it cannot fold — refused, not skipped — and a run of a newer format holding such a line is
// refused whole (RUN_FORMAT_UNSUPPORTED, reads too), while the other runs stay readable.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { RUN_FORMAT, unknownToReader } from '../../../contract/events';
import { DomainError } from '../../../server/src/engine/errors';
import { Damage, EventSequencer } from '../../../server/src/store/file/eventSequencer';
import { logFile, openStore, removeTree, setRunFormat, tempRoot } from './helpers';

const roots: string[] = [];
after(() => {
  for (const r of roots) removeTree(r);
});

function root(): string {
  const r = tempRoot();
  roots.push(r);
  return r;
}

/** A run of today's format with a cancel, an answered question and a superseded decision, written through the store. */
async function runWithFormat4Events(r: string, runId: string): Promise<void> {
  const { store } = openStore(r, { snapshotDelayMs: null });
  try {
    await store.execute('createRun', { run_id: runId, objective: 'format rule' });
    await store.execute('createTasks', { run_id: runId, tasks: [{ id: 'a', task_type: 'work' }] });
    await store.execute('cancelTask', { run_id: runId, task_id: 'a', reason: 'not needed' });
    await store.execute('patchBlackboard', { run_id: runId, op: 'add_open_question', payload: { id: 'question-q', text: 'q?' } });
    await store.execute('patchBlackboard', { run_id: runId, op: 'answer_question', payload: { question_id: 'question-q', text: 'yes' } });
    await store.execute('patchBlackboard', { run_id: runId, op: 'add_decision', payload: { id: 'decision-d', text: 'd' } });
    await store.execute('patchBlackboard', { run_id: runId, op: 'supersede_decision', payload: { decision_id: 'decision-d', text: 'e' } });
  } finally {
    store.close();
  }
}

/** Sequences a log file as a reader of `readerFormat` would: what it folds and what it refuses. */
function readAs(file: string, runId: string, readerFormat: number): { folded: string[]; refused: Damage[] } {
  const refused: Damage[] = [];
  const seq = new EventSequencer(
    runId,
    1,
    1 << 20,
    undefined,
    (d) => refused.push(d),
    (e) => unknownToReader(e, readerFormat),
  );
  const folded: string[] = [];
  let start = 0;
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .forEach((text, i) => {
      const end = start + Buffer.byteLength(text) + 1;
      for (const { event } of seq.push({ text, line: i + 1, start, end })) {
        const op = (event.payload as { op?: string }).op;
        folded.push(op ? `${event.type}:${op}` : event.type);
      }
      start = end;
    });
  return { folded, refused };
}

describe('the run format rule for readers', () => {
  it('a reader of format 3 refuses the events of format 4 instead of skipping them; a reader of format 4 folds them all', async () => {
    const r = root();
    await runWithFormat4Events(r, 'f4');
    const old = readAs(logFile(r, 'f4'), 'f4', 3);
    const refusedText = old.refused.filter((d) => d.missing === undefined).map((d) => d.message);
    assert.equal(refusedText.length, 3, refusedText.join('\n'));
    assert.match(refusedText[0], /event type context\.task\.cancelled comes with run format 4, and this Runboard reads formats up to 3/);
    assert.match(refusedText[1], /blackboard op answer_question comes with run format 4/);
    assert.match(refusedText[2], /blackboard op supersede_decision comes with run format 4/);
    assert.ok(!old.folded.includes('context.task.cancelled'));

    const now = readAs(logFile(r, 'f4'), 'f4', RUN_FORMAT);
    assert.deepEqual(now.refused, []);
    assert.ok(now.folded.includes('context.task.cancelled'));
    assert.ok(now.folded.includes('context.blackboard.patched:answer_question'));
  });

  it('a run of a newer format is read until it holds an event this Runboard does not know, then refused whole; the other runs are still listed', async () => {
    const r = root();
    await runWithFormat4Events(r, 'fine');
    await runWithFormat4Events(r, 'newer');
    setRunFormat(r, 'newer', RUN_FORMAT + 1);
    const file = logFile(r, 'newer');
    const lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const last = JSON.parse(lines[lines.length - 1]);
    // A later Runboard's event of its own (archiving, say): well formed, unknown here.
    const archived = {
      ...last,
      event_id: 'evt-archived',
      seq: last.seq + 1,
      revision: last.revision + 1,
      type: 'context.run.archived',
      payload: {},
    };
    const s = openStore(r);
    try {
      assert.equal(
        (await s.store.execute('getRun', { run_id: 'newer' })).run.format,
        RUN_FORMAT + 1,
        'read while it holds only what this Runboard knows',
      );
      fs.appendFileSync(file, JSON.stringify(archived) + '\n');
      const refusal = (e: unknown) =>
        e instanceof DomainError &&
        e.code === 'RUN_FORMAT_UNSUPPORTED' &&
        e.details.line === lines.length + 1 &&
        /context\.run\.archived is not one this Runboard knows/.test(e.message) &&
        /Update Runboard/.test(e.message);
      await assert.rejects(s.store.execute('getRun', { run_id: 'newer' }), refusal);
      await assert.rejects(s.store.execute('replay', { run_id: 'newer' }), refusal);
      await assert.rejects(s.store.execute('appendEvent', { run_id: 'newer', type: 'note', status: 'running' }), refusal);
      const listed = await s.store.execute('listRuns', {});
      assert.deepEqual(
        listed.runs.map((x) => x.run_id),
        ['fine'],
      );
      assert.deepEqual(
        listed.unreadable?.map((u) => u.run_id),
        ['newer'],
      );
    } finally {
      s.store.close();
    }
  });
});
