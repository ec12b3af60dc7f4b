// Kill an archive or a restore (SIGKILL) at each of its steps and prove nothing is lost: the run is
// then live or archived — never both, never neither — with every event it had, and its state the
// same; archiving or restoring it again completes, leaving no work folder or leftover archive.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { CrashPoint } from '../../server/src/store/file/crashPoints';
import { RunService } from '../../server/src/service/runService';
import { REPO, tempRoot } from '../server/serverProcess';

const WORKER = path.join(__dirname, 'workers', 'archiveWorker.ts');
const ARCHIVE_POINTS: CrashPoint[] = ['archive-segment', 'archive-manifest', 'archive-in-place', 'archive-run-moved'];
const RESTORE_POINTS: CrashPoint[] = ['restore-log', 'restore-in-place'];
const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

function runWorker(
  root: string,
  action: 'archive' | 'compact' | 'restore',
  crashAt?: string,
): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, root, action, 'crash'], {
      cwd: REPO,
      env: { ...process.env, RUNBOARD_CRASH_AT: crashAt ?? '' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** A finished run of a few hundred events and a checkpoint. */
async function seed(root: string): Promise<{ log: Buffer; run: unknown }> {
  const s = new RunService([root], { durability: 'none' });
  try {
    await s.execute('createRun', { run_id: 'crash', objective: 'archive crash points' });
    for (let i = 0; i < 20; i++)
      await s.execute('createTasks', {
        run_id: 'crash',
        tasks: Array.from({ length: 10 }, (_, k) => ({ id: `t${i}-${k}`, task_type: 'w' })),
      });
    await s.execute('createCheckpoint', { run_id: 'crash', reason: 'seeded' });
    await s.execute('finishRun', { run_id: 'crash', status: 'failed' });
    const { run } = await s.execute('getRun', { run_id: 'crash' });
    return { log: fs.readFileSync(path.join(root, '.runboard', 'runs', 'crash', 'events.jsonl')), run };
  } finally {
    s.close();
  }
}

/** Where the run is after the kill: live or archived, exactly one, with the same state and events. */
async function assertWhole(root: string, seeded: { log: Buffer; run: unknown }): Promise<'live' | 'archived'> {
  const s = new RunService([root], { durability: 'none' });
  try {
    const listed = await s.execute('listRuns', { archived: true });
    const live = listed.runs.map((r) => r.run_id);
    const archived = (listed.archived ?? []).map((a) => a.run_id);
    assert.equal(live.length + archived.length, 1, `live ${JSON.stringify(live)}, archived ${JSON.stringify(archived)}`);
    const got = await s.execute('getRun', { run_id: 'crash' });
    assert.deepEqual(got.run, seeded.run);
    const events = (await s.execute('listEvents', { run_id: 'crash', limit: 1000 })).events;
    assert.equal(events.length, (seeded.run as { last_event_seq: number }).last_event_seq);
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
    );
    assert.equal((await s.execute('listCheckpoints', { run_id: 'crash' })).checkpoints.length, 1);
    return live.length === 1 ? 'live' : 'archived';
  } finally {
    s.close();
  }
}

/** No work folder of a dead process, no leftover archive of a live run. */
function assertTidy(root: string): void {
  for (const dir of ['runs', 'archive', 'compacted']) {
    const names = fs.existsSync(path.join(root, '.runboard', dir)) ? fs.readdirSync(path.join(root, '.runboard', dir)) : [];
    assert.deepEqual(
      names.filter((n) => /\.(archiving|archived|restoring)$/.test(n)),
      [],
      `${dir}: ${names.join(', ')}`,
    );
  }
  const live = fs.existsSync(path.join(root, '.runboard', 'runs', 'crash', 'events.jsonl'));
  const held = ['archive', 'compacted'].filter((d) => fs.existsSync(path.join(root, '.runboard', d, 'crash')));
  assert.equal(Number(live) + held.length, 1, `live ${live}, held in ${held.join(', ')}`);
}

describe('crash points of archiving and restoring', () => {
  for (const point of ARCHIVE_POINTS) {
    it(`a kill at ${point} loses nothing; archiving again completes`, async () => {
      const root = tempRoot('runboard-archive-crash-');
      roots.push(root);
      const seeded = await seed(root);
      const killed = await runWorker(root, 'archive', point);
      assert.equal(killed.signal, 'SIGKILL', `the worker was to die at ${point}: exit ${killed.code}: ${killed.stderr}`);
      const where = await assertWhole(root, seeded);
      // Before the run left runs/ it is live; after, archived.
      assert.equal(where, point === 'archive-run-moved' ? 'archived' : 'live');
      if (where === 'live') {
        const again = await runWorker(root, 'archive');
        assert.equal(again.code, 0, again.stderr);
      }
      assert.equal(await assertWhole(root, seeded), 'archived');
      const restored = await runWorker(root, 'restore');
      assert.equal(restored.code, 0, restored.stderr);
      assert.deepEqual(fs.readFileSync(path.join(root, '.runboard', 'runs', 'crash', 'events.jsonl')), seeded.log);
      assertTidy(root);
    });
  }
  for (const point of ARCHIVE_POINTS) {
    it(`a kill at ${point} of a compaction loses nothing; the run stays listed; its next write restores it`, async () => {
      const root = tempRoot('runboard-archive-crash-');
      roots.push(root);
      const seeded = await seed(root);
      const killed = await runWorker(root, 'compact', point);
      assert.equal(killed.signal, 'SIGKILL', `the worker was to die at ${point}: exit ${killed.code}: ${killed.stderr}`);
      const s = new RunService([root], { durability: 'none' });
      try {
        const listed = await s.execute('listRuns', { archived: true });
        assert.deepEqual(listed.runs, [seeded.run], 'listed once, as it was');
        assert.deepEqual(listed.archived, []);
        const events = (await s.execute('listEvents', { run_id: 'crash', limit: 1000 })).events;
        assert.deepEqual(
          events.map((e) => e.seq),
          events.map((_, i) => i + 1),
        );
        assert.equal(events.length, (seeded.run as { last_event_seq: number }).last_event_seq);
      } finally {
        s.close();
      }
      assert.equal((await runWorker(root, 'compact')).code, 0);
      const again = new RunService([root], { durability: 'none' });
      try {
        assert.ok((await again.execute('getRun', { run_id: 'crash' })).compacted, 'compacted');
        await again.execute('appendEvent', { run_id: 'crash', type: 'run_reopened', status: 'running' });
      } finally {
        again.close();
      }
      const log = fs.readFileSync(path.join(root, '.runboard', 'runs', 'crash', 'events.jsonl'));
      assert.deepEqual(log.subarray(0, seeded.log.length), seeded.log, 'the log as it was, then the reopening');
      assertTidy(root);
    });
  }
  for (const point of RESTORE_POINTS) {
    it(`a kill at ${point} of a restore loses nothing; restoring again completes`, async () => {
      const root = tempRoot('runboard-archive-crash-');
      roots.push(root);
      const seeded = await seed(root);
      assert.equal((await runWorker(root, 'archive')).code, 0);
      const killed = await runWorker(root, 'restore', point);
      assert.equal(killed.signal, 'SIGKILL', `the worker was to die at ${point}: exit ${killed.code}: ${killed.stderr}`);
      const where = await assertWhole(root, seeded);
      assert.equal(where, point === 'restore-in-place' ? 'live' : 'archived');
      // Restoring again completes — or, the run live already, removes the leftover archive.
      const again = await runWorker(root, 'restore');
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(fs.readFileSync(path.join(root, '.runboard', 'runs', 'crash', 'events.jsonl')), seeded.log);
      assertTidy(root);
    });
  }
});
