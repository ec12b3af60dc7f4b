// The Windows and macOS branches of the store's file handling, with the platform and the failing
// calls injected (nothing here runs them for real): renames retried while a virus scanner holds a
// file on Windows and nowhere else, directory fsync skipped where the platform refuses it, and a
// log whose lines end in CRLF (a Windows editor's save) read, extended and replayed like any other.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { FsHost, logAppends, renameReplacing, syncDirectory } from '../../../server/src/store/file/platformFs';
import { OsRunLock } from '../../../server/src/store/file/runLock';
import { assertContiguous, deleteCaches, logFile, openStore, readLogEvents, removeTree, tempRoot } from './helpers';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected`), { code });
}

/** A host whose rename fails with `codes` in turn, then succeeds; records renames, syncs and sleeps. */
function host(
  platform: NodeJS.Platform,
  codes: string[] = [],
  syncError?: string,
): FsHost & { renames: number; sleeps: number[]; syncs: string[] } {
  const h = {
    platform,
    renames: 0,
    sleeps: [] as number[],
    syncs: [] as string[],
    rename() {
      h.renames++;
      const code = codes.shift();
      if (code) throw errno(code);
    },
    fsyncDirectory(dir: string) {
      if (syncError) throw errno(syncError);
      h.syncs.push(dir);
    },
    sleep(ms: number) {
      h.sleeps.push(ms);
    },
    readdir: () => [],
  };
  return h;
}

describe('renameReplacing', () => {
  it('on Windows retries EPERM, EBUSY and EACCES (a scanner holding the file), backing off', () => {
    const h = host('win32', ['EPERM', 'EBUSY', 'EACCES']);
    renameReplacing('a', 'b', h);
    assert.equal(h.renames, 4);
    assert.deepEqual(h.sleeps, [5, 10, 20]);
  });

  it('on Windows gives up after about two seconds and reports the last error', () => {
    const h = host('win32', Array(20).fill('EPERM'));
    assert.throws(() => renameReplacing('a', 'b', h), /EPERM/);
    assert.equal(h.renames, 10);
    const waited = h.sleeps.reduce((a, b) => a + b, 0);
    assert.ok(waited >= 1500 && waited <= 2500, `waited ${waited} ms`);
  });

  it('elsewhere, and for other errors, fails at once', () => {
    for (const [platform, code] of [
      ['linux', 'EPERM'],
      ['darwin', 'EBUSY'],
      ['win32', 'ENOENT'],
      ['win32', 'EXDEV'],
    ] as const) {
      const h = host(platform, [code]);
      assert.throws(() => renameReplacing('a', 'b', h), new RegExp(code));
      assert.equal(h.renames, 1, `${platform} ${code}`);
      assert.deepEqual(h.sleeps, []);
    }
  });
});

describe('syncDirectory', () => {
  it('flushes the directory on Linux and macOS, never on Windows (it cannot be opened for that)', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const h = host(platform);
      syncDirectory('/runs/r1', h);
      assert.deepEqual(h.syncs, ['/runs/r1']);
    }
    const w = host('win32');
    syncDirectory('C:\\runs\\r1', w);
    assert.deepEqual(w.syncs, []);
  });

  it('leaves file systems that refuse it alone, and reports real failures', () => {
    for (const code of ['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP']) assert.doesNotThrow(() => syncDirectory('/d', host('linux', [], code)));
    assert.throws(() => syncDirectory('/d', host('linux', [], 'EIO')), /EIO/);
  });

  it('works on a real directory here', () => {
    const dir = tempRoot();
    try {
      assert.doesNotThrow(() => syncDirectory(dir));
    } finally {
      removeTree(dir);
    }
  });
});

describe('a log saved with CRLF line ends', () => {
  const roots: string[] = [];
  after(() => roots.forEach(removeTree));

  it('loads, takes new commits after the last seq, and replays without drift', async () => {
    const root = tempRoot();
    roots.push(root);
    const first = openStore(root, { snapshotDelayMs: null });
    await first.store.execute('createRun', { run_id: 'crlf', objective: 'edited on Windows' });
    await first.store.execute('createTasks', { run_id: 'crlf', tasks: [{ id: 'a', task_type: 'w', payload: { title: 'A' } }] });
    first.store.close();
    deleteCaches(root, 'crlf');
    const file = logFile(root, 'crlf');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));

    const { store, diagnostics } = openStore(root, { snapshotDelayMs: null });
    try {
      const { run } = await store.execute('getRun', { run_id: 'crlf' });
      assert.equal(run.objective, 'edited on Windows');
      assert.deepEqual(
        run.tasks.map((t) => t.id),
        ['a'],
      );
      const seq = run.last_event_seq;
      await store.execute('patchBlackboard', { run_id: 'crlf', op: 'add_fact', payload: { text: 'after the save' } });
      const events = readLogEvents(root, 'crlf');
      assertContiguous(events);
      assert.equal(events.at(-1)!.seq, seq + 1);
      const replay = await store.execute('replay', { run_id: 'crlf' });
      assert.equal(replay.drift.mismatch, false, JSON.stringify(replay.drift));
      assert.deepEqual(diagnostics, []);
    } finally {
      store.close();
    }
  });
});

describe('the log on Windows, where a handle opened O_APPEND cannot be truncated (libuv takes FILE_WRITE_DATA from it)', () => {
  const roots: string[] = [];
  after(() => roots.forEach(removeTree));

  /** `fn` with the log written as on Windows (RUNBOARD_LOG_WRITES=positional), this process only. */
  async function writtenAsOnWindows(fn: () => Promise<void>): Promise<void> {
    process.env.RUNBOARD_LOG_WRITES = 'positional';
    try {
      await fn();
    } finally {
      delete process.env.RUNBOARD_LOG_WRITES;
    }
  }

  it('is opened without O_APPEND on Windows only', async (t) => {
    assert.deepEqual(
      (['win32', 'linux', 'darwin'] as const).map((platform) => logAppends({ platform }, {})),
      [false, true, true],
    );
    if (!fs.existsSync('/proc/self/fdinfo')) return t.skip('no /proc here to read a descriptor flags from');
    const root = tempRoot();
    roots.push(root);
    const { store } = openStore(root);
    await store.execute('createRun', { run_id: 'w', objective: 'flags' });
    store.close();
    const file = logFile(root, 'w');
    /** The O_APPEND bit of the lock's descriptor on the log, as the kernel holds it. */
    const appending = async () => {
      const lock = new OsRunLock(file, `${file}.waiters`);
      const held = await lock.acquire();
      try {
        const flags = parseInt(/^flags:\s+(\d+)$/m.exec(fs.readFileSync(`/proc/self/fdinfo/${held.fd}`, 'utf8'))![1], 8);
        return (flags & fs.constants.O_APPEND) !== 0;
      } finally {
        held.release();
        lock.close();
      }
    };
    assert.equal(await appending(), true);
    await writtenAsOnWindows(async () => assert.equal(await appending(), false));
  });

  it('a torn last line is cut off, and what follows is written at the end, not where the descriptor stands', async () => {
    const root = tempRoot();
    roots.push(root);
    await writtenAsOnWindows(async () => {
      const first = openStore(root);
      await first.store.execute('createRun', { run_id: 'w', objective: 'written at positions' });
      for (let i = 0; i < 3; i++) await first.store.execute('appendEvent', { run_id: 'w', type: 'note', status: 'running' });
      first.store.close();
      const file = logFile(root, 'w');
      const whole = fs.readFileSync(file, 'utf8');
      fs.appendFileSync(file, '{"event_id":"evt-torn","run_id":"w","seq":5,"ts_ms":1,"type":"no');
      const { store } = openStore(root);
      try {
        const { event } = await store.execute('appendEvent', { run_id: 'w', type: 'after', status: 'running' });
        assert.equal(event.seq, 5);
      } finally {
        store.close();
      }
      const now = fs.readFileSync(file, 'utf8');
      assert.ok(now.startsWith(whole), 'the lines before are as they were');
      assert.equal(now.slice(whole.length).split('\n').length, 2, 'one line after them, the new event');
      const events = readLogEvents(root, 'w');
      assertContiguous(events);
      assert.deepEqual([events.length, events.at(-1)!.type], [5, 'after']);
    });
  });
});
