// runboard run archive / run restore / runs --archived, through the built CLI on real files: a
// finished run archived leaves `runs`, shows under --archived with its sizes, is still shown and
// read, refuses writes with RUN_ARCHIVED (exit 1), and comes back whole; an unfinished one needs --force.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { assertBuilt, cleanEnv, cli, cliAsync, CLI_JS, cliJson, removeTempWorkspaces, seedRun, tempWorkspace } from './cliHarness';

after(removeTempWorkspaces);

describe('runboard run archive / restore', () => {
  it('archives a finished run, lists it apart, reads it, refuses writes, and restores it whole', () => {
    assertBuilt();
    const root = tempWorkspace();
    seedRun(root, 'shipped', [
      { id: 'a', task_type: 'w' },
      { id: 'b', task_type: 'w' },
    ]);
    for (const id of ['a', 'b']) {
      const { task } = cliJson(root, ['--run', 'shipped', '--agent', 'ann', 'claim', '--task', id]);
      cliJson(root, ['--run', 'shipped', 'complete', '--task', id, '--token', task.lease_token]);
    }
    seedRun(root, 'ongoing', [{ id: 'c', task_type: 'w' }]);
    const log = path.join(root, '.runboard', 'runs', 'shipped', 'events.jsonl');

    const refused = cli(['--root', root, 'run', 'archive', 'shipped']);
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /RUN_NOT_FINISHED: Run shipped is queued: only finished runs are archived.*force/);

    cliJson(root, ['run', 'complete', 'shipped']);
    const bytes = fs.readFileSync(log);
    const text = cli(['--root', root, '--agent', 'ann', 'run', 'archive', 'shipped', '--reason', 'released']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(
      text.stdout,
      /^Archived run shipped: its log of [\d.]+ (B|KB) is kept in [\d.]+ (B|KB); restore it with `runboard run restore shipped`\.$/m,
    );
    assert.equal(fs.existsSync(log), false);

    assert.deepEqual(
      cliJson(root, ['runs']).runs.map((r: { run_id: string }) => r.run_id),
      ['ongoing'],
    );
    const listed = cliJson(root, ['runs', '--archived']);
    assert.deepEqual(
      listed.archived.map((a: { run_id: string; archived_by: string; reason: string }) => [a.run_id, a.archived_by, a.reason]),
      [['shipped', 'ann', 'released']],
    );
    const table = cli(['--root', root, 'runs', '--archived']).stdout;
    assert.match(table, /Archived:\n.*RUN +STATUS +ARCHIVED +BY +SIZE/);
    assert.match(table, /shipped +completed +.* ann +[\d.]+ (B|KB) \(log [\d.]+ KB\)/);

    const shown = cli(['--root', root, 'run', 'show', 'shipped']).stdout;
    assert.match(shown, /ARCHIVED .* by ann \(released\): read-only; `runboard run restore shipped` brings it back\./);
    assert.equal(cliJson(root, ['run', 'events', 'shipped']).events.length, bytes.toString().trim().split('\n').length);
    const write = cli(['--root', root, 'run', 'reopen', 'shipped']);
    assert.equal(write.status, 1);
    assert.match(write.stderr, /RUN_ARCHIVED: Run shipped is archived: restore it to change it \(runboard run restore shipped\)\./);

    const restored = cli(['--root', root, 'run', 'restore', 'shipped']);
    assert.equal(restored.status, 0, restored.stderr);
    assert.match(restored.stdout, /^Restored run shipped \(completed, \d+ events\)\.$/m);
    assert.deepEqual(fs.readFileSync(log), bytes);
    assert.deepEqual(
      cliJson(root, ['runs'])
        .runs.map((r: { run_id: string }) => r.run_id)
        .sort(),
      ['ongoing', 'shipped'],
    );
    cliJson(root, ['run', 'reopen', 'shipped']);

    const none = cli(['--root', root, 'run', 'archive', '--older-than', '1']);
    assert.equal(none.status, 0, none.stderr);
    assert.match(none.stdout, /^No finished run is unchanged for more than 1 day\.$/m);
    const both = cli(['--root', root, 'run', 'archive', 'shipped', '--older-than', '3']);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--older-than archives every finished run that old: name no run/);

    // Compacting: only a finished run, and the refusal speaks of compacting (it has no force).
    const early = cli(['--root', root, 'run', 'compact', 'shipped']);
    assert.equal(early.status, 1);
    assert.match(early.stderr, /RUN_NOT_FINISHED: Run shipped is \w+: only finished runs are compacted\. Finish it first/);
    assert.doesNotMatch(early.stderr, /force|archive/);
    // Compacted: still listed (its size says so), shown, and its next change restores it.
    cliJson(root, ['run', 'complete', 'shipped']);
    const compacted = cli(['--root', root, 'run', 'compact', 'shipped']);
    assert.equal(compacted.status, 0, compacted.stderr);
    assert.match(
      compacted.stdout,
      /^Compacted run shipped: its log of [\d.]+ KB is kept in [\d.]+ (B|KB); it stays listed, and its next change restores it\.$/m,
    );
    assert.match(cli(['--root', root, 'runs']).stdout, /shipped +completed +.* [\d.]+ (B|KB) \(compacted\)/);
    assert.match(cli(['--root', root, 'run', 'show', 'shipped']).stdout, /COMPACTED .*: its log of .* its next change restores it\./);
    cliJson(root, ['run', 'reopen', 'shipped']);
    assert.ok(fs.existsSync(log), 'the reopening restored the log');

    const forced = cliJson(root, ['run', 'archive', 'ongoing', '--force']);
    assert.deepEqual(forced.requeued, []);
    assert.equal(forced.archived.status, 'queued');
  });
  // A disk that fills up mid-write: writeSync writes what fits and says how much. A file size limit
  // (bash's ulimit -f; node ignores SIGXFSZ) makes the same short write here without a full disk.
  it(
    'a manifest or checkpoint cut short by a full disk is an error: the run stays live and whole (ulimit -f)',
    { skip: process.platform === 'win32' },
    () => {
      assertBuilt();
      const root = tempWorkspace();
      seedRun(
        root,
        'big',
        Array.from({ length: 20 }, (_, i) => ({ id: `t${i}`, task_type: 'w', payload: { title: 'y'.repeat(100) } })),
      );
      // Enough checkpoints that the manifest outgrows the limit, while each file before it fits.
      for (let i = 0; i < 40; i++) cliJson(root, ['--run', 'big', 'checkpoint', '--reason', `checkpoint number ${i} with a long reason`]);
      cliJson(root, ['run', 'complete', 'big']);
      const log = path.join(root, '.runboard', 'runs', 'big', 'events.jsonl');
      const bytes = fs.readFileSync(log);
      const limited = (...args: string[]) =>
        spawnSync('bash', ['-c', 'ulimit -f 8; exec "$@"', 'bash', process.execPath, CLI_JS, '--root', root, ...args], {
          encoding: 'utf8',
          env: cleanEnv({ RUNBOARD_ROUTE: '0' }),
        });
      const archive = limited('run', 'archive', 'big');
      assert.equal(archive.status, 1, archive.stdout);
      assert.match(archive.stderr, /STORAGE_ERROR: Cannot archive run big: EFBIG/);
      assert.deepEqual(fs.readFileSync(log), bytes, 'still live, byte for byte');
      assert.deepEqual(
        cliJson(root, ['runs', '--archived']).archived.map((a: { run_id: string }) => a.run_id),
        [],
      );
      // A checkpoint larger than the limit is refused, not acknowledged half written.
      const checkpoint = limited('--run', 'big', 'checkpoint');
      assert.equal(checkpoint.status, 1, checkpoint.stdout);
      assert.ok(cliJson(root, ['--run', 'big', 'checkpoints']).checkpoints.every((c: { unreadable?: unknown }) => !c.unreadable));
      // With room again it archives and restores whole.
      cliJson(root, ['run', 'archive', 'big']);
      // Only an archived run: the live list is empty, and says so as such.
      assert.match(cli(['--root', root, 'runs', '--archived']).stdout, /^No live runs\.\n\nArchived:\n/);
      cliJson(root, ['run', 'restore', 'big']);
      assert.deepEqual(fs.readFileSync(log), bytes);
    },
  );
  // Two processes archiving one run at once: the second's lock lands on the log the first moved
  // away. It once archived that stale file anyway — removing the first one's archive, then its own
  // when the run's folder was not there to move: the run was gone everywhere.
  it('a root whose only run is archived says so to a call that names no run, not "no run yet"', () => {
    const root = tempWorkspace();
    seedRun(root, 'gone');
    cliJson(root, ['--run', 'gone', 'run', 'complete']);
    cliJson(root, ['run', 'archive', 'gone']);
    const r = cli(['--root', root, 'run', 'show']);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /RUN_REQUIRED: No open run in \S+; archived: gone \(`runboard run restore <id>` brings one back; `runboard runs --archived` lists them\)\. Create one with/,
    );
  });

  it('two archives of one run at once: both answer the archive, and the run restores whole', async () => {
    assertBuilt();
    const root = tempWorkspace();
    seedRun(root, 'twice');
    cliJson(root, ['run', 'complete', 'twice']);
    const log = path.join(root, '.runboard', 'runs', 'twice', 'events.jsonl');
    const bytes = fs.readFileSync(log);
    for (let round = 0; round < 5; round++) {
      const both = await Promise.all(
        [1, 2].map(() => cliAsync(['--root', root, '--json', 'run', 'archive', 'twice'], { env: { RUNBOARD_ROUTE: '0' } })),
      );
      for (const r of both) {
        assert.equal(r.status, 0, `round ${round}: ${r.stderr}`);
        assert.equal(JSON.parse(r.stdout).archived.run_id, 'twice');
      }
      assert.equal(cliJson(root, ['run', 'restore', 'twice']).already_live, undefined);
      assert.deepEqual(fs.readFileSync(log), bytes, `round ${round}: restored byte for byte`);
    }
    // Archiving an archived run archives nothing, and says so.
    const archived = cli(['--root', root, '--json', 'run', 'archive', 'twice']);
    assert.equal(JSON.parse(archived.stdout).already_archived, undefined);
    assert.equal(archived.stderr, '', 'its own move is not said again as a diagnostic');
    assert.equal(cliJson(root, ['run', 'archive', 'twice']).already_archived, true);
    assert.match(
      cli(['--root', root, 'run', 'archive', 'twice']).stdout,
      /^Run twice was archived already \(\d{4}-\d\d-\d\dT[\d:.]+Z\): /m,
    );
    // Its id is taken while it is archived: said so, with how to get it back.
    assert.match(
      cli(['--root', root, 'run', 'create', 'Again', '--id', 'twice']).stderr,
      /RUN_EXISTS: Run twice exists in .*, archived: restore it \(runboard run restore twice\), or choose another id\./,
    );
    cliJson(root, ['run', 'restore', 'twice']);
    // Restoring a live run restores nothing, and says so.
    assert.equal(cliJson(root, ['run', 'restore', 'twice']).already_live, true);
    const said = cli(['--root', root, 'run', 'restore', 'twice']);
    assert.equal(said.status, 0, said.stderr);
    assert.match(
      said.stdout,
      /^Run twice is live \(completed, \d+ events\): it was not archived or compacted, so there is nothing to restore\.$/m,
    );
  });
  it('an archive that cannot be read is listed as unreadable; the others are listed as usual', () => {
    assertBuilt();
    const root = tempWorkspace();
    seedRun(root, 'kept');
    cliJson(root, ['run', 'complete', 'kept']);
    cliJson(root, ['run', 'archive', 'kept']);
    const archive = path.join(root, '.runboard', 'archive');
    fs.cpSync(path.join(archive, 'kept'), path.join(archive, 'copied'), { recursive: true });
    const listed = cliJson(root, ['runs', '--archived']);
    assert.deepEqual(
      listed.archived.map((a: { run_id: string }) => a.run_id),
      ['kept'],
    );
    assert.deepEqual(
      listed.unreadable.map((u: { run_id: string; message: string }) => [u.run_id, /is not an archive of run copied/.test(u.message)]),
      [['copied', true]],
    );
  });
});
