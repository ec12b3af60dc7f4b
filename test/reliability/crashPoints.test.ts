// Kill a writer (SIGKILL) at each step of the commit path and prove the run recovers: torn
// writes repaired, no lock left behind (the OS lock dies with its holder, so there is no stale lock
// to wait out), no acknowledged commit lost, every batch whole, snapshots and checkpoints intact.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CrashPoint } from '../../server/src/store/file/crashPoints';
import { RunService } from '../../server/src/service/runService';
import { REPO, tempRoot } from '../server/serverProcess';
import { EVENT } from '../../contract/events';
import { Diagnostic } from '../../contract/diagnostic';

const WORKER = path.join(__dirname, 'workers', 'crashWriter.ts');
const POINTS: CrashPoint[] = ['after-lock', 'partial-write', 'before-fsync', 'before-unlock', 'snapshot-write', 'checkpoint-write'];

function runWorker(
  root: string,
  crashAt: string,
): Promise<{ signal: NodeJS.Signals | null; code: number | null; acks: any[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, root], {
      cwd: REPO,
      env: { ...process.env, RUNBOARD_CRASH_AT: crashAt },
    });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => {
      const acks = out
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l));
      resolve({ code, signal, acks, stderr });
    });
  });
}

describe('crash points on the commit path', () => {
  for (const point of POINTS) {
    it(`recovers from a kill at ${point}`, async () => {
      const root = tempRoot('runboard-crash-');
      // A first worker that dies on its 3rd visit to the point, then a second one on top of the wreck.
      const first = await runWorker(root, `${point}:3`);
      assert.equal(first.signal, 'SIGKILL', `the worker was to die at ${point}; exit ${first.code}: ${first.stderr}`);
      const second = await runWorker(root, `${point}:2`);
      assert.equal(second.signal, 'SIGKILL', second.stderr);
      const acks = [...first.acks, ...second.acks];
      assert.ok(
        acks.some((a) => a.ack === 'batch'),
        'something was committed before the kill',
      );

      const diagnostics: Diagnostic[] = [];
      const store = new RunService([root], { snapshotDelayMs: null });
      store.on({ onDiagnostic: (d) => diagnostics.push(d) });
      try {
        const t0 = Date.now();
        const probe = await store.execute('appendEvent', { run_id: 'crash', type: 'after_crash', status: 'running' });
        assert.ok(Date.now() - t0 < 2000, 'the lock was free at once');
        const { run } = await store.execute('getRun', { run_id: 'crash' });
        assert.equal(run.last_event_seq, probe.event.seq);

        const lines = fs
          .readFileSync(path.join(root, '.runboard/runs/crash/events.jsonl'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
        assert.deepEqual(
          lines.map((e) => e.seq),
          lines.map((_, i) => i + 1),
          'seqs 1..N, torn writes cut off',
        );
        const byBatch = new Map<string, number>();
        for (const e of lines.filter((x) => x.type === EVENT.taskCreated)) {
          const tag = e.task_id.replace(/-\d+$/, '');
          byBatch.set(tag, (byBatch.get(tag) ?? 0) + 1);
        }
        for (const [tag, n] of byBatch) assert.equal(n, 5, `batch ${tag} is whole`);
        const ids = new Set(run.tasks.map((t) => t.id));
        for (const a of acks.filter((x) => x.ack === 'batch'))
          for (const id of a.ids) assert.ok(ids.has(id), `acknowledged task ${id} lost`);
        for (const a of acks.filter((x) => x.ack === 'claim')) {
          const t = run.tasks.find((x) => x.id === a.id)!;
          assert.ok(t.last_lease_token === a.token || t.lease_token === a.token, `acknowledged claim of ${a.id} lost`);
        }
        const cps = await store.execute('listCheckpoints', { run_id: 'crash' });
        assert.ok(
          cps.checkpoints.every((c) => !c.unreadable),
          'no half-written checkpoint',
        );
        for (const a of acks.filter((x) => x.ack === 'checkpoint')) {
          assert.ok(
            cps.checkpoints.some((c) => c.checkpoint_id === a.id),
            `acknowledged checkpoint ${a.id} lost`,
          );
        }
        const replay = await store.execute('replay', { run_id: 'crash' });
        assert.equal(replay.drift.mismatch, false, JSON.stringify(replay.drift));
        const scratch = await store.execute('replay', { run_id: 'crash', from_checkpoint: false });
        assert.equal(scratch.drift.mismatch, false);
        const leftovers = fs.readdirSync(path.join(root, '.runboard/runs/crash')).filter((n) => n.endsWith('.tmp'));
        assert.deepEqual(leftovers, [], 'temp files of dead writers are cleaned up');
        if (point === 'partial-write')
          assert.ok(
            diagnostics.some((d) => /torn/i.test(d.message)),
            'the torn write was reported',
          );
      } finally {
        store.close();
      }
    });
  }
});
