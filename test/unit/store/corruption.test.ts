// Damaged logs: a torn final line (a writer died mid-line) and malformed lines in the middle.
// Neither may stop a run from loading; both are reported with their line numbers; the next
// commit continues at the right seq.
import { RUN_FORMAT } from '../../../contract/events';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { DomainError } from '../../../server/src/engine/errors';
import { logAppends } from '../../../server/src/store/file/platformFs';
import {
  assertContiguous,
  deleteCaches,
  logFile,
  openStore,
  readLogEvents,
  removeTree,
  setRunFormat,
  sleep,
  runFolder,
  tempRoot,
  waitFor,
} from './helpers';
import { Diagnostic } from '../../../contract/diagnostic';

const roots: string[] = [];
after(() => {
  for (const r of roots) removeTree(r);
});

/** A root with run `runId`: created plus `notes` appended events, no caches. */
async function runWithNotes(runId: string, notes: number): Promise<string> {
  const root = tempRoot();
  roots.push(root);
  const { store } = openStore(root, { snapshotDelayMs: null });
  await store.execute('createRun', { run_id: runId, objective: 'damage' });
  for (let i = 0; i < notes; i++) await store.execute('appendEvent', { run_id: runId, type: 'note', status: 'running', payload: { i } });
  store.close();
  deleteCaches(root, runId);
  return root;
}

const TORN_FRAGMENT = '{"event_id":"evt-torn","run_id":"torn","seq":5,"ts_ms":1,"type":"no';
const isTorn = (d: Diagnostic) => /torn/i.test(d.message);

describe('a torn last line', () => {
  it('is not yet written for a reader, and reported by it only after tornReportMs, once', async () => {
    const root = await runWithNotes('torn', 3);
    fs.appendFileSync(logFile(root, 'torn'), TORN_FRAGMENT);

    const reader = openStore(root, { tornReportMs: 400 });
    try {
      const { run } = await reader.store.execute('getRun', { run_id: 'torn' });
      assert.equal(run.last_event_seq, 4);
      const rootPath = reader.store.rootPaths()[0];
      await reader.store.catchUp(rootPath, 'torn');
      assert.equal(reader.diagnostics.length, 0, 'not reported while it may still be being written');
      const { events } = await reader.store.execute('listEvents', { run_id: 'torn' });
      assert.deepEqual(
        events.map((e) => e.seq),
        [1, 2, 3, 4],
      );

      await sleep(600);
      await reader.store.catchUp(rootPath, 'torn');
      await reader.store.catchUp(rootPath, 'torn');
      await reader.store.execute('getRun', { run_id: 'torn' });
      const reports = reader.diagnostics.filter(isTorn);
      assert.equal(reports.length, 1, JSON.stringify(reader.diagnostics));
      assert.equal(reports[0].file, logFile(root, 'torn'));
      assert.equal(reports[0].line, 5);
      assert.equal(reports[0].run_id, 'torn');
      assert.equal(reader.diagnostics.length, 1);
      // The reader never repairs: the fragment is still there.
      assert.ok(fs.readFileSync(logFile(root, 'torn'), 'utf8').endsWith(TORN_FRAGMENT));

      // The next writer (another store) cuts it off, says so once, and appends at seq 5.
      const writer = openStore(root);
      try {
        const { event } = await writer.store.execute('appendEvent', { run_id: 'torn', type: 'note', status: 'running' });
        assert.equal(event.seq, 5);
        assert.equal(event.revision, 5);
        const { event: next } = await writer.store.execute('appendEvent', { run_id: 'torn', type: 'note', status: 'running' });
        assert.equal(next.seq, 6);
        const repairs = writer.diagnostics.filter(isTorn);
        assert.equal(repairs.length, 1, JSON.stringify(writer.diagnostics));
        assert.equal(repairs[0].file, logFile(root, 'torn'));
        assert.equal(repairs[0].line, 5);
        assert.match(repairs[0].message, /repaired|truncated/i);
        assert.equal(writer.diagnostics.length, 1);
      } finally {
        writer.store.close();
      }
      const log = readLogEvents(root, 'torn');
      assertContiguous(log);
      assert.equal(log.length, 6);
      assert.ok(!fs.readFileSync(logFile(root, 'torn'), 'utf8').includes('evt-torn'));

      // The reader picks up the writer's events from where it was; nothing more to report.
      const { run: after } = await reader.store.execute('getRun', { run_id: 'torn' });
      assert.equal(after.last_event_seq, 6);
      assert.equal(reader.diagnostics.length, 1, JSON.stringify(reader.diagnostics));
    } finally {
      reader.store.close();
    }
  });

  it('is repaired silently by a writer that already reported it as torn', async () => {
    const root = await runWithNotes('torn', 3);
    fs.appendFileSync(logFile(root, 'torn'), TORN_FRAGMENT);
    const s = openStore(root, { tornReportMs: 50 });
    try {
      await s.store.execute('getRun', { run_id: 'torn' });
      await sleep(200);
      await s.store.catchUp(s.store.rootPaths()[0], 'torn');
      assert.equal(s.diagnostics.filter(isTorn).length, 1);
      const { event } = await s.store.execute('appendEvent', { run_id: 'torn', type: 'note', status: 'running' });
      assert.equal(event.seq, 5);
      assert.equal(s.diagnostics.length, 1, `each torn line is reported once: ${JSON.stringify(s.diagnostics)}`);
    } finally {
      s.store.close();
    }
    assertContiguous(readLogEvents(root, 'torn'));
  });

  it('is repaired by a writer that has just loaded the run', async () => {
    const root = await runWithNotes('torn', 3);
    fs.appendFileSync(logFile(root, 'torn'), TORN_FRAGMENT);
    const s = openStore(root);
    try {
      const { event } = await s.store.execute('appendEvent', { run_id: 'torn', type: 'note', status: 'running' });
      assert.equal(event.seq, 5);
      assert.deepEqual(
        s.diagnostics.map((d) => [d.line, isTorn(d)]),
        [[5, true]],
      );
    } finally {
      s.store.close();
    }
    assertContiguous(readLogEvents(root, 'torn'));
  });
});

describe('a torn last line on a log the OS lets only grow (chattr +a)', () => {
  it('cannot be cut off: a write answers STORAGE_ERROR saying so, and writes nothing', async (t) => {
    const root = await runWithNotes('torn', 3);
    const file = logFile(root, 'torn');
    fs.appendFileSync(file, TORN_FRAGMENT);
    if (!logAppends()) {
      t.skip(
        'the log is written as on Windows (RUNBOARD_LOG_WRITES=positional), which has no such attribute: Linux then refuses to open it for writing at all',
      );
      return;
    }
    if (spawnSync('chattr', ['+a', file]).status !== 0) {
      t.skip('chattr +a is not available here (it needs root and a file system that has the attribute)');
      return;
    }
    try {
      const s = openStore(root);
      try {
        await assert.rejects(
          s.store.execute('appendEvent', { run_id: 'torn', type: 'note', status: 'running' }),
          (e) =>
            e instanceof DomainError &&
            e.code === 'STORAGE_ERROR' &&
            /^Cannot cut the unfinished last line off \S+events\.jsonl: EPERM/.test(e.message),
        );
      } finally {
        s.store.close();
      }
      assert.ok(fs.readFileSync(file, 'utf8').endsWith(`}\n${TORN_FRAGMENT}`), 'nothing written');
    } finally {
      spawnSync('chattr', ['-a', file]);
    }
  });
});

describe('a batch cut short at a line boundary', () => {
  it('is not yet written for a reader, and the next writer cuts all of it off', async () => {
    const root = await runWithNotes('cut', 1);
    const file = logFile(root, 'cut');
    const before = fs.statSync(file).size;
    const w = openStore(root, { snapshotDelayMs: null });
    await w.store.execute('createTasks', {
      run_id: 'cut',
      tasks: Array.from({ length: 4 }, (_, i) => ({ id: `t${i}`, task_type: 'work' })),
    });
    w.store.close();
    deleteCaches(root, 'cut');
    // Keep the first two complete lines of the four-event commit: no torn fragment at all.
    const batchLines = fs.readFileSync(file).subarray(before).toString('utf8').split('\n');
    fs.truncateSync(file, before);
    fs.appendFileSync(file, batchLines.slice(0, 2).join('\n') + '\n');

    const reader = openStore(root, { tornReportMs: 100 });
    try {
      const { run } = await reader.store.execute('getRun', { run_id: 'cut' });
      assert.equal(run.last_event_seq, 2);
      assert.deepEqual(run.tasks, []);
      await sleep(250);
      await reader.store.catchUp(reader.store.rootPaths()[0], 'cut');
      assert.deepEqual(
        reader.diagnostics.map((d) => [d.line, isTorn(d)]),
        [[3, true]],
      );

      const writer = openStore(root);
      try {
        const { event } = await writer.store.execute('appendEvent', { run_id: 'cut', type: 'note', status: 'running' });
        assert.equal(event.seq, 3);
        assert.deepEqual(
          writer.diagnostics.map((d) => [d.line, isTorn(d)]),
          [[3, true]],
        );
      } finally {
        writer.store.close();
      }
      const log = readLogEvents(root, 'cut');
      assertContiguous(log);
      assert.equal(log.length, 3);
      assert.equal((await reader.store.execute('getRun', { run_id: 'cut' })).run.tasks.length, 0);
    } finally {
      reader.store.close();
    }
  });
});

describe('corrupt lines in the middle of the log', () => {
  it('are reported with their line numbers and folded around; the run is read-only until repaired, and seqs are never reused', async () => {
    const root = await runWithNotes('bad', 4);
    const file = logFile(root, 'bad');
    const good = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    assert.equal(good.length, 5);
    const withSeq = (line: string, seq: number) =>
      JSON.stringify({ ...JSON.parse(line), seq, revision: seq, event_id: `evt-forged-${seq}` });
    const lines = [
      good[0], //                         1  seq 1
      good[1], //                         2  seq 2
      'garbage, not JSON at all', //      3  malformed
      '{"valid":"json","not":"an event"}', // 4  invalid record
      good[3], //                         5  seq 4: seq 3 is missing (it was line 3's, say)
      good[1], //                         6  seq 2 again (duplicate)
      good[4], //                         7  seq 5
      '', //                              8  blank: ignored silently
      '{"event_id":"evt-cut", "seq": 9', // 9  cut JSON, but a complete line: seq 9 is taken
      withSeq(good[4], 7), //             10 seq 7: seq 6 is missing
    ];
    fs.writeFileSync(file, lines.join('\n') + '\n');

    const s = openStore(root);
    try {
      const { run, damage } = await s.store.execute('getRun', { run_id: 'bad' });
      assert.equal(run.last_event_seq, 7, 'folded around the holes, up to the last foldable event');
      assert.deepEqual(
        damage?.map((d) => d.line),
        [3, 4, 5, 6, 9, 10],
      );
      assert.deepEqual(
        damage?.filter((d) => d.missing).map((d) => d.missing),
        [
          [3, 3],
          [6, 6],
        ],
      );
      assert.deepEqual(
        s.diagnostics.map((d) => d.line),
        [3, 4, 5, 6, 9, 10],
        JSON.stringify(s.diagnostics, null, 1),
      );
      for (const d of s.diagnostics) {
        assert.equal(d.file, file);
        assert.equal(d.run_id, 'bad');
      }

      await assert.rejects(
        s.store.execute('appendEvent', { run_id: 'bad', type: 'note', status: 'running' }),
        (e) => e instanceof DomainError && e.code === 'RUN_DAMAGED' && /line 3/.test(e.message) && /runboard repair bad/.test(e.message),
      );
      const listed = await s.store.execute('repairRun', { run_id: 'bad' });
      assert.equal(listed.event, null, 'without accept it only lists');
      assert.equal(listed.damage.length, 6);

      const { event } = await s.store.execute('repairRun', { run_id: 'bad', accept: true });
      assert.equal(event?.seq, 10, 'above seq 9, which a line it could not parse holds');
      assert.equal(event?.type, 'context.log.repaired');
      const { event: next } = await s.store.execute('appendEvent', { run_id: 'bad', type: 'note', status: 'running' });
      assert.equal(next.seq, 11);
      assert.equal((await s.store.execute('getRun', { run_id: 'bad' })).damage, undefined);
    } finally {
      s.store.close();
    }

    // A fresh load agrees: the damage before the repair is accepted; replay shows no drift.
    deleteCaches(root, 'bad');
    const fresh = openStore(root);
    try {
      const { run, damage } = await fresh.store.execute('getRun', { run_id: 'bad' });
      assert.equal(run.last_event_seq, 11);
      assert.equal(damage, undefined);
      const replay = await fresh.store.execute('replay', { run_id: 'bad' });
      assert.equal(replay.drift.mismatch, false);
      await fresh.store.execute('appendEvent', { run_id: 'bad', type: 'note', status: 'running' });
    } finally {
      fresh.store.close();
    }
  });

  it('a doubled line (the event before it again) is damage that loses nothing, found from the caches, from the log alone, and by a process that had read on', async () => {
    const root = tempRoot();
    roots.push(root);
    const writer = openStore(root);
    await writer.store.execute('createRun', { run_id: 'twice', objective: 'doubled' });
    for (let i = 0; i < 3; i++)
      await writer.store.execute('appendEvent', { run_id: 'twice', type: 'note', status: 'running', payload: { i } });
    writer.store.close();
    const file = logFile(root, 'twice');
    assert.ok(fs.existsSync(path.join(runFolder(root, 'twice'), 'index.json')), 'the caches name the last event');
    const reader = openStore(root);
    try {
      await reader.store.execute('getRun', { run_id: 'twice' });
      const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      fs.appendFileSync(file, `${lines[3]}\n${lines[1]}\n`);
      const doubled = (damage: { line: number; duplicate?: true }[] | undefined) => damage?.map((d) => [d.line, d.duplicate ?? false]);
      const expected = [
        [5, true],
        [6, false],
      ];
      // A read catches up with the log (the lines were appended after the file was still).
      const { damage: readOn } = await reader.store.execute('getRun', { run_id: 'twice' });
      assert.deepEqual(doubled(readOn), expected, 'read on from the last event');
      for (const caches of [true, false]) {
        if (!caches) deleteCaches(root, 'twice');
        const fresh = openStore(root);
        try {
          const { damage } = await fresh.store.execute('getRun', { run_id: 'twice' });
          assert.deepEqual(doubled(damage), expected, caches ? 'loaded from the caches' : 'folded from the first line');
          assert.match(damage![0].message, /Event seq 4 is written twice: this line repeats the event before it/);
          const { damage: inspected } = await fresh.store.execute('repairRun', { run_id: 'twice' });
          assert.deepEqual(doubled(inspected), expected, "the repair's inspection");
        } finally {
          fresh.store.close();
        }
      }
    } finally {
      reader.store.close();
    }
  });

  it('a run made by a newer Runboard (a higher format) is read, never written', async () => {
    const root = await runWithNotes('newer', 1);
    setRunFormat(root, 'newer', RUN_FORMAT + 1);
    const s = openStore(root);
    try {
      assert.equal((await s.store.execute('getRun', { run_id: 'newer' })).run.last_event_seq, 2);
      await assert.rejects(
        s.store.execute('appendEvent', { run_id: 'newer', type: 'note', status: 'running' }),
        (e) =>
          e instanceof DomainError &&
          e.code === 'RUN_FORMAT_UNSUPPORTED' &&
          e.message.includes(`format ${RUN_FORMAT + 1}`) &&
          e.message.includes(`format ${RUN_FORMAT}`),
      );
    } finally {
      s.store.close();
    }
  });

  it('a seq written by hand near 2^53 is damage, not where writes go on: accepted, the next writes take the seqs after the last real one', async () => {
    const root = await runWithNotes('big', 2);
    const file = logFile(root, 'big');
    const last = JSON.parse(fs.readFileSync(file, 'utf8').trim().split('\n').pop()!);
    fs.appendFileSync(
      file,
      JSON.stringify({ ...last, seq: Number.MAX_SAFE_INTEGER, revision: Number.MAX_SAFE_INTEGER, event_id: 'evt-max' }) + '\n',
    );
    const s = openStore(root);
    try {
      const { damage } = await s.store.execute('getRun', { run_id: 'big' });
      assert.match(damage?.[0].message ?? '', /^Invalid event skipped: .*seq/);
      const { event: repaired } = await s.store.execute('repairRun', { run_id: 'big', accept: true });
      const { event } = await s.store.execute('appendEvent', { run_id: 'big', type: 'note', status: 'running' });
      assert.deepEqual([repaired?.seq, event.seq], [4, 5]);
    } finally {
      s.store.close();
    }
    const fresh = openStore(root);
    try {
      const { run, damage } = await fresh.store.execute('getRun', { run_id: 'big' });
      assert.deepEqual([run.last_event_seq, damage], [5, undefined], 'a new reader folds the acknowledged write');
    } finally {
      fresh.store.close();
    }
  });

  it('a first line that is not the run creation does not make the run', async () => {
    const root = await runWithNotes('bad', 2);
    const file = logFile(root, 'bad');
    const lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    fs.writeFileSync(file, ['{"oops":', ...lines].join('\n') + '\n');
    const s = openStore(root);
    try {
      const { run } = await s.store.execute('getRun', { run_id: 'bad' });
      assert.equal(run.last_event_seq, 3);
      assert.deepEqual(
        s.diagnostics.map((d) => d.line),
        [1],
      );
    } finally {
      s.store.close();
    }
  });
});

// Red-team, 2026-12-07: what programs that ignore the lock leave at the end of the log.
describe('the end of the log as other programs leave it', () => {
  it('a torn tail another program is still writing (an editor saving in place, block by block) is not cut: the writer waits, and every event stays', async () => {
    const root = await runWithNotes('ed', 6);
    const file = logFile(root, 'ed');
    const whole = fs.readFileSync(file);
    const half = whole.length - 150; // inside the last line
    const fd = fs.openSync(file, 'r+');
    try {
      fs.ftruncateSync(fd, 0);
      fs.writeSync(fd, whole, 0, half, 0);
      // A settle time no machine outlasts between the two writes; the torn line is said after 10 ms, so the test sees the writer waiting.
      const writer = openStore(root, { tornSettleMs: 30_000, tornReportMs: 10 });
      try {
        const appending = writer.store.execute('appendEvent', { run_id: 'ed', type: 'note', status: 'running' });
        await waitFor('the writer waiting on the torn line', () => writer.diagnostics.find(isTorn));
        fs.writeSync(fd, whole, half, whole.length - half, half);
        const { event } = await appending;
        assert.equal(event.seq, 8);
        assert.equal(
          writer.diagnostics.filter((d) => /repaired|damage|Malformed/i.test(d.message)).length,
          0,
          JSON.stringify(writer.diagnostics),
        );
      } finally {
        writer.store.close();
      }
    } finally {
      fs.closeSync(fd);
    }
    const events = readLogEvents(root, 'ed');
    assertContiguous(events);
    assert.equal(events.length, 8);
    assert.ok(fs.readFileSync(file).subarray(0, whole.length).equals(whole), 'the saved bytes are whole');
  });

  it('a torn tail that keeps changing past the wait is STORAGE_ERROR (transient), nothing written; one that is still is cut', async () => {
    const root = await runWithNotes('busy', 2);
    const file = logFile(root, 'busy');
    fs.appendFileSync(file, TORN_FRAGMENT);
    const s = openStore(root, { tornSettleMs: 200 });
    try {
      let keepWriting = true;
      const toucher = (async () => {
        while (keepWriting) {
          fs.appendFileSync(file, ' ');
          await sleep(20);
        }
      })();
      await assert.rejects(
        s.store.execute('appendEvent', { run_id: 'busy', type: 'note', status: 'running' }),
        (e) =>
          e instanceof DomainError &&
          e.code === 'STORAGE_ERROR' &&
          e.details.transient === true &&
          /another program is writing it/.test(e.message),
      );
      keepWriting = false;
      await toucher;
      const { event } = await s.store.execute('appendEvent', { run_id: 'busy', type: 'note', status: 'running' });
      assert.equal(event.seq, 4);
    } finally {
      s.store.close();
    }
    assertContiguous(readLogEvents(root, 'busy'));
  });

  it('a complete last event with its newline gone and a stray byte after it is kept; the byte is a damaged line of its own', async () => {
    const root = await runWithNotes('junk', 3);
    const file = logFile(root, 'junk');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, -1) + 'x');
    const s = openStore(root, { tornSettleMs: 0 });
    try {
      await assert.rejects(
        s.store.execute('appendEvent', { run_id: 'junk', type: 'note', status: 'running' }),
        (e) => e instanceof DomainError && e.code === 'RUN_DAMAGED',
      );
      assert.equal(fs.readFileSync(file, 'utf8'), text + 'x\n', 'the event and its newline, then the byte on its own line');
      const said = s.diagnostics.find((d) => /complete event followed by 1 bytes/.test(d.message));
      assert.ok(said, JSON.stringify(s.diagnostics));
      assert.equal(said.line, 4);
      assert.equal((await s.store.execute('getRun', { run_id: 'junk' })).run.last_event_seq, 4, 'the acknowledged event stays');
      await s.store.execute('repairRun', { run_id: 'junk', accept: true });
      const { event } = await s.store.execute('appendEvent', { run_id: 'junk', type: 'note', status: 'running' });
      assert.equal(event.seq, 6, 'after the repair event (seq 5)');
    } finally {
      s.store.close();
    }
  });

  it('a process that had read the last event keeps it when its newline is removed: its state, its pages; its next write puts the newline back', async () => {
    const root = await runWithNotes('nl', 3);
    const file = logFile(root, 'nl');
    const s = openStore(root, { tornSettleMs: 0 });
    try {
      assert.equal((await s.store.execute('getRun', { run_id: 'nl' })).run.last_event_seq, 4);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n$/, ''));
      await s.store.catchUp(s.store.rootPaths()[0], 'nl');
      assert.equal((await s.store.execute('getRun', { run_id: 'nl' })).run.last_event_seq, 4, 'no going back');
      assert.deepEqual(
        (await s.store.execute('listEvents', { run_id: 'nl', since_seq: 2 })).events.map((e) => e.seq),
        [3, 4],
      );
      const { event } = await s.store.execute('appendEvent', { run_id: 'nl', type: 'note', status: 'running' });
      assert.equal(event.seq, 5);
      assert.ok(
        s.diagnostics.some((d) => /lost its newline/.test(d.message)),
        JSON.stringify(s.diagnostics),
      );
    } finally {
      s.store.close();
    }
    const events = readLogEvents(root, 'nl');
    assertContiguous(events);
    assert.equal(events.length, 5);
  });

  it('a line damaged after a repair, before the repair event, is damage: said, and the run read-only until repaired again', async () => {
    const root = await runWithNotes('again', 4);
    const file = logFile(root, 'again');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[2] = 'garbage';
    fs.writeFileSync(file, lines.join('\n'));
    const s = openStore(root, { snapshotDelayMs: null });
    try {
      await s.store.execute('repairRun', { run_id: 'again', accept: true });
    } finally {
      s.store.close();
    }
    const repaired = fs.readFileSync(file, 'utf8').split('\n');
    repaired[1] = 'more garbage';
    fs.writeFileSync(file, repaired.join('\n'));
    const fresh = openStore(root);
    try {
      const { damage } = await fresh.store.execute('getRun', { run_id: 'again' });
      assert.deepEqual(
        damage?.map((d) => d.line),
        [2],
        'line 3, accepted, stays accepted; line 2 is new',
      );
      assert.deepEqual(
        fresh.diagnostics.map((d) => d.line),
        [2],
        JSON.stringify(fresh.diagnostics),
      );
      await assert.rejects(
        fresh.store.execute('appendEvent', { run_id: 'again', type: 'note', status: 'running' }),
        (e) => e instanceof DomainError && e.code === 'RUN_DAMAGED',
      );
    } finally {
      fresh.store.close();
    }
  });

  it('a new reader reads a complete last event without its newline once the file is still; the next writer puts the newline back and follows it', async () => {
    const root = await runWithNotes('bare', 3);
    const file = logFile(root, 'bare');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n$/, ''));
    const settleMs = 300;
    const reader = openStore(root, { tornSettleMs: settleMs, tornReportMs: 100 });
    const writer = openStore(root, { tornSettleMs: 0 });
    try {
      const rootPath = reader.store.rootPaths()[0];
      // Read once the file has been still for tornSettleMs.
      const deadline = Date.now() + 10_000;
      for (;;) {
        await reader.store.catchUp(rootPath, 'bare');
        if ((await reader.store.execute('getRun', { run_id: 'bare' })).run.last_event_seq === 4) break;
        assert.ok(Date.now() < deadline, 'the reader never read the last event');
        await sleep(20);
      }
      assert.deepEqual(
        (await reader.store.execute('listEvents', { run_id: 'bare', since_seq: 2 })).events.map((e) => e.seq),
        [3, 4],
        'its pages hold the event too',
      );
      assert.ok(!reader.diagnostics.some(isTorn), `a whole event is no torn line: ${JSON.stringify(reader.diagnostics)}`);
      assert.ok(fs.readFileSync(file, 'utf8').endsWith('}'), 'a reader writes nothing');

      const { event } = await writer.store.execute('appendEvent', { run_id: 'bare', type: 'note', status: 'running' });
      assert.equal(event.seq, 5);
      await reader.store.catchUp(rootPath, 'bare');
      assert.equal((await reader.store.execute('getRun', { run_id: 'bare' })).run.last_event_seq, 5);
      assert.deepEqual(
        (await reader.store.execute('listEvents', { run_id: 'bare', since_seq: 3 })).events.map((e) => e.seq),
        [4, 5],
      );
    } finally {
      reader.store.close();
      writer.store.close();
    }
    const events = readLogEvents(root, 'bare');
    assertContiguous(events);
    assert.equal(events.length, 5);
  });

  it("a process that had read the log, replaced by an editor's save of the same lines without the last newline: no reset, each event told once", async () => {
    const root = await runWithNotes('saved', 3);
    const file = logFile(root, 'saved');
    const reader = openStore(root, { tornSettleMs: 60_000 });
    const writer = openStore(root, { tornSettleMs: 0 });
    const told: number[] = [];
    const resets: number[] = [];
    reader.store.on({
      onCommit: (n) => told.push(...n.events.map((e) => e.seq)),
      onReset: (n) => resets.push(n.last_seq),
    });
    try {
      const rootPath = reader.store.rootPaths()[0];
      assert.equal((await reader.store.execute('getRun', { run_id: 'saved' })).run.last_event_seq, 4);
      // Written elsewhere and renamed over the log, just now: not still, yet the very event the reader had.
      fs.writeFileSync(`${file}.save`, fs.readFileSync(file, 'utf8').replace(/\n$/, ''));
      fs.renameSync(`${file}.save`, file);
      await reader.store.catchUp(rootPath, 'saved');
      assert.deepEqual(resets, [], 'not another history');
      assert.equal((await reader.store.execute('getRun', { run_id: 'saved' })).run.last_event_seq, 4);
      await writer.store.execute('appendEvent', { run_id: 'saved', type: 'note', status: 'running' });
      await reader.store.catchUp(rootPath, 'saved');
      assert.deepEqual(told, [5], 'the next event, once; none told again');
      assert.deepEqual(resets, []);
    } finally {
      reader.store.close();
      writer.store.close();
    }
  });

  it('a new reader does not read a fragment, nor a whole event that does not end its commit', async () => {
    const root = tempRoot();
    roots.push(root);
    const { store } = openStore(root, { snapshotDelayMs: null });
    await store.execute('createRun', { run_id: 'batch', objective: 'damage' });
    await store.execute('createTasks', { run_id: 'batch', tasks: [{ payload: { title: 'a' } }, { payload: { title: 'b' } }] });
    store.close();
    deleteCaches(root, 'batch');
    const file = logFile(root, 'batch');
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    assert.ok(lines.length >= 3, 'created, then a commit of more than one event');
    // The commit's last line gone, the one before it left without its newline: a whole event, not its commit's end.
    fs.writeFileSync(file, lines.slice(0, -1).join('\n'));
    const reader = openStore(root, { tornSettleMs: 0 });
    try {
      const { run } = await reader.store.execute('getRun', { run_id: 'batch' });
      assert.equal(run.last_event_seq, 1, 'half a commit is not read');
    } finally {
      reader.store.close();
    }
  });

  for (const typed of ['xy', 'x']) {
    it(`a process that had read the log, its final newline typed over in place (${typed.length === 1 ? 'the same size' : 'one byte longer'}): the event stays whole, nothing is appended onto it`, async () => {
      const root = await runWithNotes('typed', 3);
      const file = logFile(root, 'typed');
      const s = openStore(root, { tornSettleMs: 0 });
      try {
        await s.store.execute('getRun', { run_id: 'typed' });
        const before = fs.readFileSync(file);
        const fd = fs.openSync(file, 'r+');
        fs.writeSync(fd, Buffer.from(typed), 0, typed.length, before.length - 1);
        fs.closeSync(fd);
        await assert.rejects(
          s.store.execute('appendEvent', { run_id: 'typed', type: 'note', status: 'running' }),
          (e) => e instanceof DomainError && e.code === 'RUN_DAMAGED',
        );
        assert.equal(
          fs.readFileSync(file, 'utf8'),
          before.toString('utf8') + typed + '\n',
          'the last event whole, the bytes typed on a line of their own',
        );
        assert.equal((await s.store.execute('getRun', { run_id: 'typed' })).run.last_event_seq, 4);
      } finally {
        s.store.close();
      }
    });
  }

  it('a log emptied and being written again (an editor saving it in place) is STORAGE_ERROR (transient) for a new reader, not a run gone', async () => {
    const root = await runWithNotes('saving', 2);
    const file = logFile(root, 'saving');
    const whole = fs.readFileSync(file);
    const cached = openStore(root, { snapshotDelayMs: null });
    await cached.store.execute('getRun', { run_id: 'saving' });
    cached.store.flush(); // its caches, as a run that has been worked has
    cached.store.close();
    assert.ok(fs.existsSync(path.join(runFolder(root, 'saving'), 'index.json')));
    fs.writeFileSync(file, whole.subarray(0, 100)); // inside its first line
    const s = openStore(root);
    try {
      await assert.rejects(
        s.store.execute('getRun', { run_id: 'saving' }),
        (e) =>
          e instanceof DomainError &&
          e.code === 'STORAGE_ERROR' &&
          e.details.transient === true &&
          /another program is writing it/.test(e.message),
      );
      // Emptied, nothing written yet (the save's first step), its caches still there: the same.
      fs.writeFileSync(file, '');
      await assert.rejects(
        s.store.execute('getRun', { run_id: 'saving' }),
        (e) => e instanceof DomainError && e.code === 'STORAGE_ERROR' && e.details.transient === true,
      );
      // Dated ahead of this clock (skew, a copied folder): no wait that never ends.
      fs.writeFileSync(file, whole.subarray(0, 100));
      const ahead = new Date(Date.now() + 3_600_000);
      fs.utimesSync(file, ahead, ahead);
      await assert.rejects(s.store.execute('getRun', { run_id: 'saving' }), (e) => e instanceof DomainError && e.code === 'RUN_NOT_FOUND');
      fs.writeFileSync(file, whole);
      assert.equal((await s.store.execute('getRun', { run_id: 'saving' })).run.last_event_seq, 3);
    } finally {
      s.store.close();
    }
  });

  it('a blank or whitespace line inside a multi-event commit breaks nothing', async () => {
    const root = tempRoot();
    roots.push(root);
    const a = openStore(root, { snapshotDelayMs: null });
    try {
      await a.store.execute('createRun', { run_id: 'gap', objective: 'blank lines' });
      await a.store.execute('createTasks', { run_id: 'gap', tasks: ['b', 'c', 'd'].map((id) => ({ id, task_type: 'w' })) });
    } finally {
      a.store.close();
    }
    deleteCaches(root, 'gap');
    const file = logFile(root, 'gap');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.length, 5, 'created, three tasks in one commit, and the final newline');
    fs.writeFileSync(file, [lines[0], lines[1], '', lines[2], '  \t', lines[3], lines[4]].join('\n'));
    const s = openStore(root);
    try {
      const { run } = await s.store.execute('getRun', { run_id: 'gap' });
      assert.deepEqual(
        run.tasks.map((t) => t.id),
        ['b', 'c', 'd'],
      );
      assert.deepEqual(s.diagnostics, []);
      const { task } = await s.store.execute('claimTask', { run_id: 'gap', agent_id: 'a' });
      assert.equal(task?.id, 'b');
    } finally {
      s.store.close();
    }
  });
});
