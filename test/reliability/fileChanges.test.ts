// What happens to files, done to a run while the real server (and other processes) hold it open:
// the log replaced by rename (an editor's atomic save, `sed -i`, rsync), `git stash` and
// `git stash pop` with real git, files beside the log deleted under load, the run folder deleted
// and the run created again, the final newline removed by hand. Each time: every acknowledged
// commit is on disk exactly once, no seq is acknowledged twice, the server's state equals a fresh
// fold, and a subscriber is told when history it was sent is gone.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  assertBuilt,
  cliAsync,
  cliJson,
  eventsOnDisk,
  removeTempWorkspaces,
  startHeadless,
  stopHeadless,
  tempWorkspace,
} from '../cli/cliHarness';
import { ServerProcess, startServer, stopServers, waitFor } from '../server/serverProcess';

after(async () => {
  await stopServers();
  await stopHeadless();
  removeTempWorkspaces();
});

const serverOn = (root: string) => startServer([root]);

/** A server on `root` with run `runId` created, and a subscription to it (whose deliveries the test reads). */
async function serverWithRun(root: string, runId: string, objective: string): Promise<{ s: ServerProcess; subscription_id: string }> {
  const s = await serverOn(root);
  await s.call('runboard/createRun', { run_id: runId, objective });
  const { subscription_id } = await s.call('runboard/subscribe', { run_ids: [runId] });
  return { s, subscription_id };
}

/** serverWithRun in a new workspace, and `facts` facts committed by the server ("fact 0", …; their seqs in `acked`). */
async function serverWithFacts(prefix: string, runId: string, facts: number) {
  const root = tempWorkspace(prefix);
  const { s, subscription_id } = await serverWithRun(root, runId, prefix);
  const acked = new Map<string, number>();
  for (let i = 0; i < facts; i++) await serverFact(s, runId, `fact ${i}`, acked);
  return { root, s, subscription_id, acked, file: logOf(root, runId) };
}

const logOf = (root: string, runId: string) => path.join(root, '.runboard', 'runs', runId, 'events.jsonl');

/** What an editor's atomic save does: write a copy beside the file, rename it over the file. */
function replaceByRename(file: string, text = fs.readFileSync(file, 'utf8')): void {
  const tmp = `${file}.save~`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Fact texts on disk, by seq; asserts seqs 1..n, each once. */
function factsOnDisk(root: string, runId: string): Map<string, number[]> {
  const events = eventsOnDisk(root, runId);
  events.forEach((e, i) => assert.equal(e.seq, i + 1, `line ${i + 1} has seq ${e.seq}`));
  const facts = new Map<string, number[]>();
  for (const e of events) {
    const text = (e.payload as { payload?: { text?: string } })?.payload?.text;
    if (e.type === 'context.blackboard.patched' && text) facts.set(text, [...(facts.get(text) ?? []), e.seq]);
  }
  return facts;
}

/** Every acknowledged fact is on disk once, at the seq it was acknowledged with. */
function assertAllOnDisk(root: string, runId: string, acked: Map<string, number>): void {
  const facts = factsOnDisk(root, runId);
  for (const [text, seq] of acked)
    assert.deepEqual(facts.get(text), [seq], `acknowledged "${text}" at seq ${seq}: on disk at ${JSON.stringify(facts.get(text))}`);
  const seqs = [...acked.values()];
  assert.equal(new Set(seqs).size, seqs.length, 'no seq acknowledged twice');
}

async function serverFact(s: ServerProcess, runId: string, text: string, acked: Map<string, number>): Promise<void> {
  const { patch } = await s.call('runboard/patchBlackboard', { run_id: runId, op: 'add_fact', payload: { text } });
  acked.set(text, patch.seq);
}

async function cliFact(root: string, runId: string, text: string, acked: Map<string, number>): Promise<void> {
  const r = await cliAsync(['--root', root, '--run', runId, '--json', 'fact', 'add', text]);
  assert.equal(r.status, 0, r.stderr);
  acked.set(text, JSON.parse(r.stdout).patch.seq);
}

/** The server's run equals a fresh fold of the log (a new process reading it). */
async function assertServerMatchesDisk(s: ServerProcess, root: string, runId: string): Promise<void> {
  const { run: inServer } = await s.call('runboard/getRun', { run_id: runId });
  const { run: fresh } = cliJson(root, ['run', 'show', runId]);
  assert.equal(inServer.last_event_seq, eventsOnDisk(root, runId).length);
  assert.deepEqual(inServer, fresh);
}

describe('the log replaced by rename while the server has it open', () => {
  it("an editor's save, three times among server and CLI commits: every acknowledged commit stays on disk, once", async () => {
    const root = tempWorkspace('runboard-replace-');
    const { s, subscription_id } = await serverWithRun(root, 'r', 'replaced');
    const acked = new Map<string, number>();
    for (let i = 0; i < 12; i++) {
      await serverFact(s, 'r', `server ${i}`, acked);
      if (i % 3 === 2) replaceByRename(logOf(root, 'r'));
      if (i % 4 === 3) await cliFact(root, 'r', `cli ${i}`, acked);
    }
    assertAllOnDisk(root, 'r', acked);
    await assertServerMatchesDisk(s, root, 'r');
    const last = eventsOnDisk(root, 'r').length;
    await waitFor(() => s.delivered(subscription_id).length === last, 5000, 'every event delivered');
    assert.deepEqual(
      s.delivered(subscription_id).map((e) => e.seq),
      Array.from({ length: last }, (_, i) => i + 1),
      'delivered once each, in order',
    );
    assert.deepEqual(s.resets, [], 'the same history each time: no reset');
  });

  it('git stash and git stash pop (real git): nothing acknowledged is lost; the subscriber is told while history is shorter', async () => {
    const root = tempWorkspace('runboard-git-');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root, stdio: 'pipe' });
    git('init', '-q');
    const { s, subscription_id } = await serverWithRun(root, 'g', 'stashed');
    const acked = new Map<string, number>();
    await serverFact(s, 'g', 'committed to git', acked);
    git('add', '-f', '.runboard/runs/g/events.jsonl');
    git('commit', '-q', '-m', 'the run so far');
    for (const text of ['after the commit 1', 'after the commit 2']) await serverFact(s, 'g', text, acked);

    git('stash', '-q');
    // The server sees the shorter file (a watcher or a read): history went back.
    const { run: stashed } = await s.call('runboard/getRun', { run_id: 'g' });
    assert.equal(stashed.last_event_seq, 2);
    await waitFor(() => s.resets.find((r) => r.run_id === 'g' && r.last_seq === 2), 5000, 'a reset to seq 2');
    git('stash', 'pop', '-q');
    for (const text of ['after the pop 1', 'after the pop 2']) await serverFact(s, 'g', text, acked);
    await cliFact(root, 'g', 'a CLI after the pop', acked);

    assertAllOnDisk(root, 'g', acked);
    await assertServerMatchesDisk(s, root, 'g');
    assert.equal(s.resets.filter((r) => r.subscription_id === subscription_id).length, 1);
  });

  it('replaced with a shorter file (an older version checked out): later commits continue after its last seq, the subscriber is reset', async () => {
    const { root, s } = await serverWithFacts('runboard-older-', 'o', 4);
    const lines = fs.readFileSync(logOf(root, 'o'), 'utf8').split('\n');
    replaceByRename(logOf(root, 'o'), lines.slice(0, 3).join('\n') + '\n'); // seqs 1–3
    const after = new Map<string, number>();
    await serverFact(s, 'o', 'after the older version', after);
    assert.equal(after.get('after the older version'), 4, 'the next seq of the file at the path');
    assertAllOnDisk(root, 'o', after);
    await assertServerMatchesDisk(s, root, 'o');
    assert.ok(
      s.resets.some((r) => r.run_id === 'o' && r.last_seq === 3),
      JSON.stringify(s.resets),
    );
    assert.ok(
      s.diagnostics.some((d) => /replaced by another program/.test(d.message) && /up to seq 5/.test(d.message)),
      JSON.stringify(s.diagnostics),
    );
  });
});

describe('the log rewritten in place, shorter', () => {
  it('an older version written over it (same file, fewer bytes): the subscriber is reset, later commits follow its last seq', async () => {
    const { root, s, subscription_id, file } = await serverWithFacts('runboard-inplace-', 'p', 4);
    const inode = fs.statSync(file).ino;
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    fs.writeFileSync(file, lines.slice(0, 3).join('\n') + '\n'); // seqs 1–3, written over the same file
    assert.equal(fs.statSync(file).ino, inode, 'rewritten in place, not replaced');
    await waitFor(
      () => s.resets.some((r) => r.subscription_id === subscription_id && r.run_id === 'p' && r.last_seq === 3),
      10_000,
      'the subscriber is reset',
    );
    assert.ok(
      s.diagnostics.some((d) => /shrank/.test(d.message) && /up to seq 5/.test(d.message)),
      JSON.stringify(s.diagnostics),
    );
    const after = new Map<string, number>();
    await serverFact(s, 'p', 'after the rewrite', after);
    assert.equal(after.get('after the rewrite'), 4, 'the next seq of the file as it is now');
    assertAllOnDisk(root, 'p', after);
    await assertServerMatchesDisk(s, root, 'p');
  });
});

describe('files beside the log deleted under load', () => {
  it('two server clients and three CLI writers, every file beside the log deleted again and again: no seq twice, nothing lost', async () => {
    const root = tempWorkspace('runboard-rmlock-');
    const s = await serverOn(root);
    await s.call('runboard/createRun', { run_id: 'l', objective: 'locks deleted' });
    const dir = path.dirname(logOf(root, 'l'));
    const acked = new Map<string, number>();
    let deleting = true;
    let deletions = 0;
    const deleter = (async () => {
      while (deleting) {
        for (const f of fs.readdirSync(dir)) {
          if (f.startsWith('.') && !f.endsWith('.tmp')) {
            fs.rmSync(path.join(dir, f), { force: true });
            deletions++;
          }
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    const writers = [
      ...[0, 1].map(async (w) => {
        for (let i = 0; i < 150; i++) await serverFact(s, 'l', `server ${w}.${i}`, acked);
      }),
      ...[0, 1, 2].map(async (w) => {
        for (let i = 0; i < 30; i++) await cliFact(root, 'l', `cli ${w}.${i}`, acked);
      }),
    ];
    await Promise.all(writers);
    deleting = false;
    await deleter;
    assert.ok(deletions > 0, 'the waiters file was there to delete');
    assert.equal(acked.size, 390);
    assertAllOnDisk(root, 'l', acked);
    await assertServerMatchesDisk(s, root, 'l');
  });
});

describe('the run folder deleted, and the run created again', () => {
  it('the server acknowledges nothing into the deleted file, then serves the new run from its seq 1', async () => {
    const root = tempWorkspace('runboard-recreate-');
    const s = await serverOn(root);
    await s.call('runboard/createRun', { run_id: 'r1', objective: 'the first r1' });
    const { subscription_id } = await s.call('runboard/subscribe', {});
    await s.call('runboard/patchBlackboard', { run_id: 'r1', op: 'add_fact', payload: { text: 'old' } });
    fs.rmSync(path.dirname(logOf(root, 'r1')), { recursive: true });

    const refused = await s.fail('runboard/patchBlackboard', { run_id: 'r1', op: 'add_fact', payload: { text: 'into the void' } });
    assert.equal(refused.data?.code, 'RUN_NOT_FOUND', refused.message);
    assert.equal((await s.fail('runboard/getRun', { run_id: 'r1' })).data?.code, 'RUN_NOT_FOUND');
    await waitFor(() => s.resets.find((r) => r.run_id === 'r1' && r.last_seq === 0), 5000, 'a reset to nothing');

    cliJson(root, ['run', 'create', '--id', 'r1', 'the second r1']);
    const { run } = await s.call('runboard/getRun', { run_id: 'r1' });
    assert.equal(run.objective, 'the second r1');
    assert.equal(run.last_event_seq, 1);
    const { patch } = await s.call('runboard/patchBlackboard', { run_id: 'r1', op: 'add_fact', payload: { text: 'new' } });
    assert.equal(patch.seq, 2);
    assert.deepEqual(
      eventsOnDisk(root, 'r1').map((e) => e.seq),
      [1, 2],
    );
    await assertServerMatchesDisk(s, root, 'r1');
    // The subscriber got the new run's events from seq 1 after the reset.
    await waitFor(
      () =>
        s.delivered(subscription_id).filter((e) => e.run_id === 'r1' && e.seq === 2 && (e.payload as any).payload.text === 'new').length ===
        1,
      5000,
      'the new run delivered',
    );
  });
});

describe('the final newline removed by hand', () => {
  it('the complete last event is kept (its newline put back), the next commit follows it, the server never goes back', async () => {
    const { root, s, subscription_id, acked, file } = await serverWithFacts('runboard-newline-', 'n', 3);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n$/, ''));

    await cliFact(root, 'n', 'from the CLI', acked);
    assert.equal(acked.get('from the CLI'), 5);
    await serverFact(s, 'n', 'from the server', acked);
    assertAllOnDisk(root, 'n', acked);
    assert.ok(fs.readFileSync(file, 'utf8').endsWith('\n'));
    await assertServerMatchesDisk(s, root, 'n');
    await waitFor(() => s.delivered(subscription_id).length === 6, 5000, 'six events delivered');
    assert.deepEqual(
      s.delivered(subscription_id).map((e) => e.seq),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(s.resets, []);
  });
});

describe('the log made read-only (chmod a-w) while the server holds it open', () => {
  it('neither the server, through the descriptor it holds, nor a new process writes it; reads go on; writes resume once it is writable', async () => {
    const { root, s, acked, file } = await serverWithFacts('runboard-readonly-log-', 'ro', 2);
    const before = fs.readFileSync(file, 'utf8');
    fs.chmodSync(file, 0o444);
    try {
      const refused = await s.fail('runboard/patchBlackboard', { run_id: 'ro', op: 'add_fact', payload: { text: 'into a read-only log' } });
      assert.equal(refused.data?.code, 'STORAGE_ERROR', refused.message);
      assert.match(refused.message, /is read-only \(mode 0444\): nothing was written\. Make it writable again/);
      // A new process (as root too: the mode is what counts, not who may ignore it).
      const direct = await cliAsync(['--root', root, '--run', 'ro', '--json', 'fact', 'add', 'into a read-only log']);
      assert.equal(direct.status, 1, direct.stdout);
      assert.equal(JSON.parse(direct.stdout).error.code, 'STORAGE_ERROR', direct.stdout);
      assert.equal(fs.readFileSync(file, 'utf8'), before, 'nothing was written');
      const { run } = await s.call('runboard/getRun', { run_id: 'ro' });
      assert.equal(run.last_event_seq, 3);
    } finally {
      fs.chmodSync(file, 0o644);
    }
    await serverFact(s, 'ro', 'from the server', acked);
    await cliFact(root, 'ro', 'from the CLI', acked);
    assertAllOnDisk(root, 'ro', acked);
    await assertServerMatchesDisk(s, root, 'ro');
    // Finished, then made read-only: neither archived nor compacted (it would come back writable).
    await s.call('runboard/finishRun', { run_id: 'ro', status: 'completed' });
    fs.chmodSync(file, 0o444);
    try {
      for (const method of ['runboard/compactRun', 'runboard/archiveRun']) {
        const moved = await s.fail(method, { run_id: 'ro' });
        assert.equal(moved.data?.code, 'STORAGE_ERROR', `${method}: ${moved.message}`);
        assert.match(moved.message, /is read-only \(mode 0444\)/);
      }
      assert.equal(fs.statSync(file).mode & 0o777, 0o444, 'the log stays where and as it was');
    } finally {
      fs.chmodSync(file, 0o644);
    }
  });
});

// Writers racing compaction, each in its own process, through the root's server and directly: a run
// compacted and restored over and over (every write to a compacted run restores it) by two
// compactors at once while writers append. Each write lands exactly once, and none fails — a write
// that met the run between its moves (its lock closed under it, its log gone from the path, a seal
// read after the restore removed it) is done again on what is there, as PROTOCOL.md §compactRun
// says. Two compactions at once once lost the whole run: the second, its lock taken on the log the
// first had moved away, removed the first one's archive, then its own.
// Last in this file: its load (some 150 processes) never runs beside the tests above, whose
// servers must notice other writers within seconds.
describe('writers racing compaction', () => {
  it('every write lands exactly once, none refused, and the run is never lost', async () => {
    assertBuilt();
    const root = tempWorkspace();
    cliJson(root, ['run', 'create', 'Raced', '--id', 'race']);
    cliJson(root, ['run', 'complete', 'race']);
    await startHeadless(root, ['--idle-timeout', '0']);
    const direct = { RUNBOARD_ROUTE: '0' };
    const routed = {};
    /** Runs `count` CLI calls one after another; what each refused said. */
    const refusals = async (count: number, env: Record<string, string>, args: (i: number) => string[]) => {
      const failures: string[] = [];
      for (let i = 0; i < count; i++) {
        const r = await cliAsync(['--root', root, '--run', 'race', ...args(i)], { env });
        if (r.status !== 0) failures.push(`${args(i).join(' ')}: ${r.stderr.trim()}`);
      }
      return failures;
    };
    const refused = await Promise.all([
      refusals(30, routed, (i) => ['fact', 'add', `a-${i}`]),
      refusals(30, direct, (i) => ['fact', 'add', `b-${i}`]),
      refusals(30, direct, (i) => ['fact', 'add', `c-${i}`]),
      refusals(20, routed, () => ['run', 'compact']),
      refusals(20, direct, () => ['run', 'compact']),
    ]);
    assert.deepEqual(refused.flat(), [], 'no write or compaction refused');
    const { events } = cliJson(root, ['run', 'events', 'race']);
    const facts = events.flatMap((e: { payload?: { op?: string; payload?: { text: string } } }) =>
      e.payload?.op === 'add_fact' ? [e.payload.payload!.text] : [],
    );
    assert.equal(facts.length, 90, 'each once');
    assert.equal(new Set(facts).size, 90);
  });
});
