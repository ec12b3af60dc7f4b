// The run lock against a real other process holding the OS lock: a waiter gets the lock as soon
// as it is let go (it waits in the kernel, not by polling), a timed-out or closed waiter never
// keeps the lock it was still waiting for, and the lock works again afterwards.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { DomainError } from '../../../server/src/engine/errors';
import { bindingCandidates, tryLock, unlock } from '../../../server/src/store/file/osLock';
import { OsRunLock } from '../../../server/src/store/file/runLock';
import { removeTree, tempRoot } from './helpers';

const BINDING = bindingCandidates(`${process.platform}-${process.arch}`).find((f) => fs.existsSync(f))!;

/** Another process that takes the OS lock on `file` (the binding's own calls) and lets go when told (or after `holdMs`). */
async function holder(file: string, holdMs = 60_000): Promise<{ child: ChildProcess; release: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const b = require(${JSON.stringify(BINDING)});
       const fd = require('fs').openSync(${JSON.stringify(file)}, 'a+');
       b.waitForLockSync(fd, 0, 0, true);
       process.stdout.write('held\\n');
       const done = () => { b.unlock(fd, 0, 0); process.stdout.write('released\\n'); setTimeout(() => process.exit(0), 50); };
       process.stdin.on('data', done);
       setTimeout(done, ${holdMs});`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const release = async () => {
    const released = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdin.write('go\n');
    await released;
  };
  return { child, release };
}

/** True when a fresh open file description can take the lock right now. */
function freeNow(file: string): boolean {
  const fd = fs.openSync(file, 'a+');
  try {
    if (!tryLock(fd)) return false;
    unlock(fd);
    return true;
  } finally {
    fs.closeSync(fd);
  }
}

describe('OsRunLock across processes', () => {
  const dir = tempRoot();
  const file = path.join(dir, '.lock');
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    removeTree(dir);
  });

  it('takes the lock within moments of the other process letting go', async () => {
    const h = await holder(file);
    children.push(h.child);
    const lock = new OsRunLock(file, `${file}.waiting`, 10_000);
    let got = 0;
    const acquired = lock.acquire().then((held) => {
      got = Date.now();
      return held;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(got, 0, 'still waiting while the other process holds it');
    const letGo = Date.now();
    await h.release();
    const held = await acquired;
    // Polling with sleeps took up to tens of ms; a kernel wait is immediate (generous margin).
    assert.ok(got - letGo < 250, `took ${got - letGo} ms after the release`);
    assert.equal(freeNow(file), false, 'held by us now');
    held.release();
    assert.equal(freeNow(file), true, 'free after release');
    lock.close();
  });

  it('a timed-out waiter gets STORAGE_ERROR and does not keep the lock when it lands later', async () => {
    const h = await holder(file);
    children.push(h.child);
    const lock = new OsRunLock(file, `${file}.waiting`, 200);
    await assert.rejects(
      lock.acquire(),
      (e) =>
        e instanceof DomainError &&
        e.code === 'STORAGE_ERROR' &&
        /Timed out/.test(e.message) &&
        // Linux tells who holds it (the holder's open file carries the lock in /proc/<pid>/fdinfo).
        (process.platform !== 'linux' || e.message.includes(`held by pid ${h.child.pid}`)),
    );
    await h.release();
    // The abandoned lock call lands now and must let go at once.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(freeNow(file), true, 'nobody holds it');
    const again = await lock.acquire();
    assert.equal(freeNow(file), false);
    again.release();
    lock.close();
  });

  it('closing while a waiter waits rejects it and leaves the lock free once the holder goes', async () => {
    const h = await holder(file);
    children.push(h.child);
    const lock = new OsRunLock(file, `${file}.waiting`, 10_000);
    const outcome = lock.acquire().then(
      () => 'acquired',
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 100));
    lock.close();
    await h.release();
    const e = await outcome;
    assert.ok(e instanceof DomainError && e.code === 'STORAGE_ERROR', String(e));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(freeNow(file), true, 'the orphaned wait let go of what it got');
  });
});
