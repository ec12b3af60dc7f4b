// watch follows a run live (events appended by other processes), and demo works a sample plan
// to the end.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  assertBuilt,
  cli,
  cliJson,
  eventsOnDisk,
  jsonLines,
  removeTempWorkspaces,
  seedRun,
  startCli,
  stopCliProcesses,
  tempWorkspace,
  waitFor,
} from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);
afterEach(stopCliProcesses);

function startWatch(root: string, globalArgs: string[], watchArgs: string[] = []) {
  return startCli(root, [...globalArgs, 'watch', ...watchArgs]);
}

describe('runboard watch', () => {
  it('prints the recent events, then each event another process appends; Ctrl-C exits 0', async () => {
    const root = tempWorkspace();
    seedRun(root, 'w', [{ id: 'job', task_type: 'x' }]);
    const w = startWatch(root, ['--json']);
    const lines = () => jsonLines(w.out.stdout);
    await waitFor(() => lines().length === 2, 15_000, 'the two existing events');
    assert.deepEqual(
      lines().map((e) => e.seq),
      [1, 2],
    );

    cliJson(root, ['fact', 'add', 'seen live']);
    await waitFor(() => lines().length === 3, 10_000, 'the fact event');
    const token = cliJson(root, ['--agent', 'other', 'claim']).task.lease_token;
    await waitFor(() => lines().length === 4, 10_000, 'the claim event');
    cliJson(root, ['complete', '--token', token]);
    await waitFor(() => lines().length === 5, 10_000, 'the completion');
    const got = lines();
    assert.deepEqual(
      got.map((e) => e.seq),
      [1, 2, 3, 4, 5],
    );
    assert.equal(got[2].payload.payload.text, 'seen live');
    assert.equal(got[3].type, 'context.task.claimed');
    assert.equal(got[3].payload.task.lease_owner, 'other');
    assert.equal(got[4].type, 'context.task.completed');

    w.child.kill('SIGINT');
    assert.equal(await w.exited, 0, w.out.stderr);
  });

  it('a log replaced by an older copy (git stash): says so, then prints every event of the new history, its seqs again', async () => {
    const root = tempWorkspace();
    seedRun(root, 's');
    const log = path.join(root, '.runboard/runs/s/events.jsonl');
    const older = fs.readFileSync(log);
    const w = startWatch(root, ['--json']);
    const lines = () => jsonLines(w.out.stdout);
    await waitFor(() => lines().length === 1, 15_000, 'the creation');
    for (const text of ['B1', 'B2']) cliJson(root, ['fact', 'add', text]);
    await waitFor(() => lines().length === 3, 10_000, 'B1 and B2');
    fs.writeFileSync(`${log}.saved`, older);
    fs.renameSync(`${log}.saved`, log);
    await waitFor(() => lines().some((l) => l.run_reset), 10_000, 'the reset');
    for (const text of ['new-1', 'new-2', 'new-3']) cliJson(root, ['fact', 'add', text]);
    await waitFor(() => lines().length === 7, 10_000, 'the new history');
    assert.deepEqual(
      lines().map((l) => (l.run_reset ? `reset to ${l.run_reset.last_seq}` : `${l.seq} ${l.payload.payload?.text ?? l.type}`)),
      ['1 context.run.created', '2 B1', '3 B2', 'reset to 1', '2 new-1', '3 new-2', '4 new-3'],
    );
    w.child.kill('SIGINT');
    assert.equal(await w.exited, 0, w.out.stderr);
  });

  it('a run archived by another process: said as archived (not as another history), and no "deleted" problem', async () => {
    const root = tempWorkspace();
    seedRun(root, 'a');
    const w = startWatch(root, []);
    await waitFor(() => /context\.run\.created/.test(w.out.stdout), 15_000, 'the creation');
    cliJson(root, ['run', 'complete', 'a']);
    cliJson(root, ['--agent', 'ann', 'run', 'archive', 'a']);
    await waitFor(() => /was archived/.test(w.out.stdout), 10_000, 'the archive said');
    assert.match(w.out.stdout, /^-- run a was archived by ann: no more events until it is restored \(runboard run restore a\) --$/m);
    assert.doesNotMatch(w.out.stdout, /replaced by another history/);
    assert.doesNotMatch(w.out.stderr, /was deleted/);
    w.child.kill('SIGINT');
    assert.equal(await w.exited, 0, w.out.stderr);
  });

  it('in human mode prints one line per event, starting from --tail', async () => {
    const root = tempWorkspace();
    seedRun(root, 'h');
    for (const text of ['one', 'two', 'three']) cliJson(root, ['fact', 'add', text]);
    const w = startWatch(root, [], ['--tail', '2']);
    await waitFor(() => /add_fact: three/.test(w.out.stdout), 15_000, 'the tail');
    assert.match(w.out.stdout, /^[\d:.]+ {2}#3 +context\.blackboard\.patched +queued +add_fact: two\n[\d:.]+ {2}#4 /);
    cliJson(root, ['decision', 'add', 'go live']);
    await waitFor(() => /add_decision: go live/.test(w.out.stdout), 10_000, 'the decision');
    assert.match(w.out.stderr, /Watching run h/);
    w.child.kill('SIGINT');
    assert.equal(await w.exited, 0);
  });
});

describe('runboard demo', () => {
  it('--fast: simulated agents finish the sample plan, with failures retried', () => {
    const root = tempWorkspace();
    const r = cli(['--root', root, '--json', 'demo', '--fast', '--agents', '3']);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.run.status, 'completed');
    assert.equal(result.run.tasks.length, 12);
    assert.ok(result.run.tasks.every((t: any) => t.status === 'done'));
    assert.ok(result.run.steps.length === 4 && result.run.steps.every((s: any) => s.status === 'done'));
    assert.equal(result.failures_retried, 2);
    assert.ok(result.blackboard.artifacts.length >= 5);
    assert.ok(result.blackboard.decisions.length >= 2);
    assert.match(r.stderr, /claimed T01/, 'progress goes to stderr in --json mode');

    const events = eventsOnDisk(root, result.run.run_id);
    assert.equal(events.filter((e) => e.type === 'context.task.failed').length, 2);
    assert.equal(events.filter((e) => e.type === 'context.task.completed').length, 12);
    assert.ok(events.some((e) => e.type === 'context.task.heartbeat'));
    const agents = new Set(events.filter((e) => e.type === 'context.task.claimed').map((e) => e.payload.agent_id));
    assert.ok(agents.size >= 2, `several agents worked: ${[...agents].join(', ')}`);
    assert.equal(cliJson(root, ['--run', result.run.run_id, 'checkpoints']).checkpoints.length, 1);
  });

  it('stopped halfway (Ctrl-C), it cancels its run and says so: your own run stays the only open one', async () => {
    const root = tempWorkspace();
    seedRun(root, 'mine', [{ id: 'my-task', task_type: 'x' }]);
    const demo = startCli(root, ['demo', '--agents', '2']);
    await waitFor(() => /claimed T0/.test(demo.out.stdout), 30_000, 'an agent at work');
    demo.child.kill('SIGINT');
    assert.equal(await demo.exited, 130);
    const stdout = demo.out.stdout;
    const demoRun = /Run (demo-\S+): /.exec(stdout)![1];
    assert.match(
      stdout,
      new RegExp(`Cancelled, so that commands that pick the open run leave it alone: \`runboard run reopen ${demoRun}\``),
    );
    const runs = cliJson(root, ['runs']).runs.map((r: any) => [r.run_id, r.status]);
    assert.deepEqual(
      runs.find((r: string[]) => r[0] === demoRun),
      [demoRun, 'cancelled'],
    );
    assert.equal(cliJson(root, ['claim']).task.id, 'my-task', 'the only open run is yours again');
    assert.ok(
      cliJson(root, ['--run', demoRun, 'tasks', 'list']).tasks.every((t: any) => t.status !== 'in_progress'),
      'its agents let go',
    );
  });

  it("on a folder whose board is the team's PostgreSQL board, it says so and does nothing unless --team-board", () => {
    const root = tempWorkspace();
    fs.mkdirSync(path.join(root, '.runboard'), { recursive: true });
    // No database is reached: the refusal comes first (port 1 answers nothing).
    fs.writeFileSync(
      path.join(root, '.runboard', 'board.json'),
      JSON.stringify({ store: 'postgres', board: 'team', postgres: { host: '127.0.0.1', port: 1, database: 'runboard', user: 'ann' } }),
    );
    const r = cli(['--root', root, 'demo', '--fast']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /board is the PostgreSQL board team \(board\.json\), which your team shares: .* pass --team-board to do it anyway\./,
    );
  });

  it('rejects a silly agent count', () => {
    const root = tempWorkspace();
    assert.equal(cli(['--root', root, 'demo', '--agents', '0']).status, 2);
  });
});
