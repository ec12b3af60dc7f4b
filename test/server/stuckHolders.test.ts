// Lock holders that stop (a Ctrl-Z'd agent) block only their own runs: with 17 runs' locks held by
// a stopped process and 17 writes waiting on them — more than the 16 threads the server's waits
// once took from libuv's pool — a write to another run is answered, and reads are too; when the
// holder dies, the waiting writes go through.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { bindingCandidates } from '../../server/src/store/file/osLock';
import { removeTempWorkspaces, tempWorkspace } from '../cli/cliHarness';
import { startServer, stopServers } from './serverProcess';

const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await stopServers();
  removeTempWorkspaces();
});

/** A process that takes the OS lock on each file (as a writer would), says so, and stops itself. */
async function stoppedHolder(files: string[]): Promise<ChildProcess> {
  const binding = bindingCandidates(`${process.platform}-${process.arch}`).find((f) => fs.existsSync(f))!;
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const b = require(${JSON.stringify(binding)}); const fs = require('fs');
      for (const f of ${JSON.stringify(files)}) b.waitForLockSync(fs.openSync(f, 'r+'), 0, 0, true);
      process.stdout.write('held\\n'); process.kill(process.pid, 'SIGSTOP'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return child;
}

describe('stopped lock holders', () => {
  it('block their own runs only: another run is written while 17 wait, and the 17 finish when the holder goes', async () => {
    const root = tempWorkspace('runboard-stuck-');
    const s = await startServer([root]);
    const stuck = Array.from({ length: 17 }, (_, i) => `s${i + 1}`);
    for (const run_id of [...stuck, 'free']) await s.call('runboard/createRun', { run_id, objective: run_id });
    const holder = await stoppedHolder(stuck.map((id) => path.join(root, '.runboard', 'runs', id, 'events.jsonl')));

    let waitingDone = 0;
    const waiting = stuck.map((run_id) =>
      s.call('runboard/patchBlackboard', { run_id, op: 'add_fact', payload: { text: 'after the holder' } }).then((r) => (waitingDone++, r)),
    );
    const { patch } = await s.call('runboard/patchBlackboard', { run_id: 'free', op: 'add_fact', payload: { text: 'not blocked' } });
    assert.equal(patch.seq, 2);
    const { run } = await s.call('runboard/getRun', { run_id: 's1' });
    assert.equal(run.last_event_seq, 1, 'reads of a locked run are not blocked either');
    assert.equal(waitingDone, 0, 'the 17 writes still wait for the stopped holder');

    holder.kill('SIGKILL');
    const done = await Promise.all(waiting);
    assert.deepEqual(
      done.map((r) => r.patch.seq),
      stuck.map(() => 2),
    );
  });
});
