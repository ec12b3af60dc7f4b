// The OS lock (fs-native-extensions' N-API binary): exclusive and shared locks between open files,
// freed when the holding process is killed, waits that do not occupy libuv's thread pool, the
// read-write descriptor it needs on Linux, and the loader's messages for every target it has no
// binary for (platforms injected: nothing here runs macOS, Windows or musl).
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  bindingCandidates,
  LOCK_BINARY,
  LOCK_PACKAGE,
  LOCK_TARGETS,
  loadLockBinding,
  lockRegion,
  lockTarget,
  tryLock,
  unlock,
  waitForLock,
} from '../../../server/src/store/file/osLock';
import { removeTree, tempRoot } from './helpers';

const RW = fs.constants.O_RDWR | fs.constants.O_CREAT;

describe('the OS lock between open files', () => {
  const dir = tempRoot();
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    removeTree(dir);
  });

  it('excludes a second open file; shared locks coexist and keep an exclusive one out', () => {
    const file = path.join(dir, 'a.lock');
    const [a, b, c] = [fs.openSync(file, RW), fs.openSync(file, RW), fs.openSync(file, RW)];
    assert.equal(tryLock(a), true);
    assert.equal(tryLock(b), false, 'a second open file cannot take it');
    unlock(a);
    assert.equal(tryLock(b), true);
    unlock(b);
    assert.equal(tryLock(a, { shared: true }), true);
    assert.equal(tryLock(b, { shared: true }), true, 'shared with shared');
    assert.equal(tryLock(c), false, 'exclusive against shared');
    unlock(a);
    unlock(b);
    assert.equal(tryLock(c), true);
    unlock(c);
    for (const fd of [a, b, c]) fs.closeSync(fd);
  });

  it('is freed the moment its holder is killed (kill -9), and a waiter gets it', async () => {
    const file = path.join(dir, 'killed.lock');
    const binding = bindingCandidates(`${process.platform}-${process.arch}`).find((f) => fs.existsSync(f))!;
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const b = require(${JSON.stringify(binding)}); const fd = require('fs').openSync(${JSON.stringify(file)}, 'a+');
        b.waitForLockSync(fd, 0, 0, true); process.stdout.write('held\\n'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const fd = fs.openSync(file, RW);
    assert.equal(tryLock(fd), false, 'held by the child');
    const got = new Promise<number>((resolve, reject) => waitForLock(fd, (err) => (err ? reject(err) : resolve(Date.now()))));
    const killedAt = Date.now();
    child.kill('SIGKILL');
    const at = await got;
    assert.ok(at - killedAt < 2_000, `the waiter got it ${at - killedAt} ms after the kill`);
    unlock(fd);
    fs.closeSync(fd);
  });

  it('waits run on threads of their own: 8 pending waits leave file I/O answering', async () => {
    const file = path.join(dir, 'busy.lock');
    const holderFd = fs.openSync(file, RW);
    assert.equal(tryLock(holderFd), true);
    const waiters = Array.from({ length: 8 }, () => fs.openSync(file, RW));
    const landed = waiters.map((fd) => new Promise<void>((resolve, reject) => waitForLock(fd, (err) => (err ? reject(err) : resolve()))));
    // libuv's pool has 4 threads by default: had the waits taken them, this read would hang.
    const text = await Promise.race([
      fs.promises.readFile(__filename, 'utf8'),
      new Promise<string>((_, reject) => setTimeout(() => reject(new Error('file I/O starved by lock waits')), 5_000)),
    ]);
    assert.ok(text.length > 0);
    unlock(holderFd);
    // Each waiter takes it in turn and lets go.
    for (let i = 0; i < waiters.length; i++) {
      const first = await Promise.race(landed.map((p, j) => p.then(() => j)));
      unlock(waiters[first]);
      landed[first] = new Promise(() => {});
    }
    for (const fd of [holderFd, ...waiters]) fs.closeSync(fd);
  });

  it(
    'needs a descriptor opened for reading and writing on Linux (why the store opens its lock files read-write)',
    { skip: process.platform !== 'linux' },
    () => {
      const file = path.join(dir, 'modes.lock');
      fs.writeFileSync(file, '');
      const appendOnly = fs.openSync(file, 'a');
      assert.throws(
        () => tryLock(appendOnly, { shared: true }),
        (e: NodeJS.ErrnoException) => e.code === 'EBADF',
      );
      fs.closeSync(appendOnly);
      const readOnly = fs.openSync(file, 'r');
      assert.throws(
        () => tryLock(readOnly),
        (e: NodeJS.ErrnoException) => e.code === 'EBADF',
      );
      fs.closeSync(readOnly);
    },
  );
});

describe('loading the lock binary on each platform', () => {
  const never = () => {
    throw new Error('cannot load');
  };

  it('has a target for each desktop platform, and the package has its binary', () => {
    const pkgDir = path.dirname(require.resolve(`${LOCK_PACKAGE}/package.json`));
    for (const t of LOCK_TARGETS) {
      const [platform, arch] = t.split('-');
      assert.deepEqual(lockTarget(platform, arch), { target: t });
      assert.ok(fs.existsSync(path.join(pkgDir, 'prebuilds', t, LOCK_BINARY)), `${t} binary in ${LOCK_PACKAGE}`);
    }
  });

  it('locks one byte past any log on Windows (mandatory locks there would block readers), the whole file elsewhere', () => {
    assert.deepEqual(lockRegion('win32'), { offset: 2 ** 40, length: 1 });
    for (const platform of ['linux', 'darwin'] as const) assert.deepEqual(lockRegion(platform), { offset: 0, length: 0 });
  });

  it('names an unsupported platform or arch (armhf, FreeBSD) before trying anything', () => {
    for (const [platform, arch, what] of [
      ['linux', 'arm', 'linux-arm'],
      ['freebsd', 'x64', 'freebsd-x64'],
      ['win32', 'ia32', 'win32-ia32'],
    ] as const) {
      assert.throws(
        () => loadLockBinding({ platform: platform, arch }, () => assert.fail('no candidates for an unsupported target'), never),
        (e: Error) => e.message.includes(`no file-lock binary for ${what}`) && e.message.includes('darwin-arm64'),
      );
    }
  });

  it('names musl (Alpine) when the glibc build does not load there', () => {
    assert.throws(
      () => loadLockBinding({ platform: 'linux', arch: 'x64', glibc: () => false }, (t) => [`/x/${t}/${LOCK_BINARY}`], never),
      /no file-lock binary for linux-x64 with musl libc \(Alpine\)/,
    );
  });

  it('lists every place it looked when a supported target has no loadable binary', () => {
    for (const t of ['darwin-arm64', 'win32-x64', 'linux-arm64']) {
      const [platform, arch] = t.split('-');
      assert.throws(
        () =>
          loadLockBinding(
            { platform: platform as NodeJS.Platform, arch, glibc: () => true },
            (target) => [`/dist/native/${target}/${LOCK_BINARY}`, `/pkg/${target}`],
            never,
          ),
        (e: Error) => e.message.includes(`binary for ${t}`) && e.message.includes(`/dist/native/${t}/`) && e.message.includes(`/pkg/${t}`),
      );
    }
  });

  it('takes the first candidate that loads', () => {
    const loaded: string[] = [];
    const b = loadLockBinding(
      { platform: 'win32', arch: 'arm64' },
      (t) => [`/a/${t}`, `/b/${t}`, `/c/${t}`],
      (f) => {
        loaded.push(f);
        if (f.startsWith('/a/')) throw new Error('missing');
        return { from: f };
      },
    );
    assert.deepEqual(b, { from: '/b/win32-arm64' });
    assert.deepEqual(loaded, ['/a/win32-arm64', '/b/win32-arm64']);
  });

  it('looks beside the bundles first, then in the package', () => {
    const c = bindingCandidates('darwin-x64', '/ext/dist');
    assert.equal(c[0], path.join('/ext/dist', 'native', 'darwin-x64', LOCK_BINARY));
    assert.match(c[1], new RegExp(`${LOCK_PACKAGE}[/\\\\]prebuilds[/\\\\]darwin-x64`));
  });
});
