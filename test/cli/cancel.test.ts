// Cancelling tasks through the CLI (issue 17, run format 4): `tasks cancel` with and without
// --cascade, dependents that wait ("dependency cancelled") in `tasks show` and `tasks list`, a
// leased task refused without --force and its holder told (TASK_CANCELLED), its own holder
// cancelling with its token, requeue reopening, the listings that show why and by whom, and a
// demo agent whose task a person cancels.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  assertBuilt,
  cli,
  cliJson,
  eventsOnDisk,
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

/** a ← b ← c (each waits on the one before), and d on its own. */
const CHAIN = [
  { id: 'a', task_type: 'research', payload: { title: 'Look around' } },
  { id: 'b', task_type: 'review', depends_on_task_ids: ['a'] },
  { id: 'c', task_type: 'review', depends_on_task_ids: ['b'] },
  { id: 'd', task_type: 'research' },
];

const statuses = (root: string) => Object.fromEntries(cliJson(root, ['tasks', 'list']).tasks.map((t: any) => [t.id, t.status]));

describe('runboard tasks cancel', () => {
  it('cancels one task; its dependents wait ("dependency cancelled") for a person, in tasks show and tasks list', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', CHAIN);
    const result = cliJson(root, ['--agent', 'ana', 'tasks', 'cancel', 'a', '--reason', 'Out of scope']);
    assert.deepEqual(Object.keys(result).sort(), ['cancelled', 'task']);
    assert.equal(result.task.status, 'cancelled');
    assert.deepEqual(result.task.cancelled.by, 'ana');
    assert.deepEqual(result.task.cancelled.reason, 'Out of scope');
    assert.deepEqual(
      result.cancelled.map((t: any) => t.id),
      ['a'],
    );
    assert.deepEqual(statuses(root), { a: 'cancelled', b: 'pending', c: 'pending', d: 'pending' });

    const shown = cliJson(root, ['tasks', 'show', 'b']);
    assert.equal(shown.claimable, false);
    assert.match(shown.waits.join('\n'), /^dependency cancelled: a/m);
    const human = cli(['--root', root, 'tasks', 'show', 'b']);
    assert.match(human.stdout, /waits: +dependency cancelled: a/);
    const list = cli(['--root', root, 'tasks', 'list']);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^a\s+cancelled\s+research/m);
    assert.match(list.stdout, /^ {2}a: cancelled by ana at .+: Out of scope; requeue it to reopen$/m);
    assert.match(list.stdout, /^ {2}b: dependency cancelled: a/m);
    assert.deepEqual(
      cliJson(root, ['tasks', 'list', '--status', 'cancelled']).tasks.map((t: any) => t.id),
      ['a'],
    );
    // Only d is claimable now; b needs a person.
    assert.equal(cliJson(root, ['claim', '--task', 'b'], 3).reason, 'needs_a_person');
    const cancelledShown = cli(['--root', root, 'tasks', 'show', 'a']);
    assert.match(cancelledShown.stdout, /^Task a {2}\[cancelled\]/);
    assert.match(cancelledShown.stdout, /cancelled +\S+ ago by ana: Out of scope/);
    // It waits for nothing: its cancelled line says what became of it, once.
    assert.doesNotMatch(cancelledShown.stdout, /waits:|claimable now/);
  });

  it('a task added after a cancelled one says it waits for a person, not that it is claimable once that one is done', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', CHAIN);
    cliJson(root, ['tasks', 'cancel', 'a']);
    const added = cli(['--root', root, 'tasks', 'add', 'Later', '--id', 'later', '--after', 'a']);
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stdout, /^ {2}waits: {5}dependency cancelled: a — cancel this task too, edit its dependencies, or reopen it$/m);
    assert.doesNotMatch(added.stdout, /claimable once/);
  });

  it('a cancel that completes an auto_finish run says so, as complete does', () => {
    const root = tempWorkspace();
    cliJson(root, ['run', 'create', 'Ends with a cancel', '--id', 'af', '--auto-finish']);
    cliJson(root, ['--run', 'af', 'tasks', 'add', 'Done', '--id', 'd']);
    cliJson(root, ['--run', 'af', 'tasks', 'add', 'Dropped', '--id', 'x']);
    const { task } = cliJson(root, ['--run', 'af', 'claim', '--task', 'd']);
    cliJson(root, ['--run', 'af', 'complete', '--token', task.lease_token]);
    const cancelled = cli(['--root', root, '--run', 'af', 'tasks', 'cancel', 'x']);
    assert.equal(cancelled.status, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /^That was the last open task: the run is completed \(auto_finish\)/m);
    assert.equal(cliJson(root, ['run', 'show', 'af']).run.status, 'completed');
    // One that leaves work open says nothing of the kind.
    cliJson(root, ['run', 'create', 'Goes on', '--id', 'on', '--auto-finish']);
    cliJson(root, ['--run', 'on', 'tasks', 'add', 'A', '--id', 'a']);
    cliJson(root, ['--run', 'on', 'tasks', 'add', 'B', '--id', 'b']);
    const json = cliJson(root, ['--run', 'on', 'tasks', 'cancel', 'a']);
    assert.equal(json.run_completed, undefined);
  });

  it('a dependent requeued while its dependency stays cancelled says it still waits, not only "runnable"', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', CHAIN);
    cliJson(root, ['tasks', 'cancel', 'a', '--cascade']);
    const requeued = cli(['--root', root, 'requeue', 'b']);
    assert.equal(requeued.status, 0, requeued.stderr);
    assert.match(requeued.stdout, /^Requeued b \(review, runnable\)/m);
    assert.match(requeued.stdout, /^ {2}waits: {5}dependency cancelled: a — cancel this task too, edit its dependencies, or reopen it$/m);
    // d waits on nothing: no line.
    cliJson(root, ['tasks', 'cancel', 'd']);
    assert.doesNotMatch(cli(['--root', root, 'requeue', 'd']).stdout, /waits:/);
    // retry says it the same way: a blocked task after the cancelled one.
    cliJson(root, ['tasks', 'add', 'Held', '--id', 'held', '--status', 'blocked', '--after', 'a']);
    const retried = cli(['--root', root, 'retry', 'held']);
    assert.equal(retried.status, 0, retried.stderr);
    assert.match(retried.stdout, /^Retrying held .*\n {2}waits: {5}dependency cancelled: a/m);
  });

  it('says in words what it cancelled and which tasks now wait; --cascade cancels them, naming the task it came from', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', CHAIN);
    const first = cli(['--root', root, '--agent', 'ana', 'tasks', 'cancel', 'a']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^Cancelled a \(research, cancelled\) — Look around$/m);
    assert.match(first.stdout, /waiting +b waits on it \("dependency cancelled"\)/);

    const cascade = cliJson(root, ['--agent', 'ana', 'tasks', 'cancel', 'a', '--cascade', '--reason', 'Dropped']);
    assert.equal(cascade.task.id, 'a');
    assert.deepEqual(
      cascade.cancelled.map((t: any) => [t.id, t.cancelled.cascade_from, t.cancelled.reason]),
      [
        ['b', 'a', 'Dropped'],
        ['c', 'a', 'Dropped'],
      ],
      'a was cancelled already: only its dependents are new',
    );
    assert.deepEqual(statuses(root), { a: 'cancelled', b: 'cancelled', c: 'cancelled', d: 'pending' });
    assert.match(
      cli(['--root', root, 'tasks', 'list']).stdout,
      /^ {2}c: cancelled by ana at .+ along with a: Dropped; requeue it to reopen$/m,
    );
    assert.match(cli(['--root', root, 'tasks', 'show', 'c']).stdout, /cancelled +\S+ ago by ana, cascade from a: Dropped/);
    assert.match(cli(['--root', root, 'runs']).stdout, /^r\s+\S+\s+0\/4 \(3 cancelled\)/m);

    const again = cli(['--root', root, 'tasks', 'cancel', 'd', '--cascade']);
    assert.match(again.stdout, /^Cancelled d /m);
    assert.doesNotMatch(again.stdout, /cascade +also/, 'd has no dependents');
    assert.deepEqual(
      eventsOnDisk(root, 'r')
        .filter((e) => e.type === 'context.task.cancelled')
        .map((e) => e.task_id),
      ['a', 'b', 'c', 'd'],
    );

    // requeue --cascade brings back what a's cancel took along (not d, cancelled on its own).
    const back = cli(['--root', root, 'requeue', 'a', '--cascade', '--reason', 'Back in scope']);
    assert.equal(back.status, 0, back.stderr);
    assert.match(
      back.stdout,
      /^Requeued a \(research, runnable\) — Look around\n {2}also reopened b \(review, runnable\)\n {2}also reopened c \(review, runnable\)$/m,
    );
    assert.deepEqual(statuses(root), { a: 'runnable', b: 'runnable', c: 'runnable', d: 'cancelled' });
    const none = cliJson(root, ['requeue', 'a', '--cascade']);
    assert.deepEqual(none.reopened, [], 'nothing left that went with it');
    assert.equal(cliJson(root, ['claim', '--agent', 'x']).task.id, 'a', 'b and c wait on a again');
  });

  it("another agent's task needs --force; its holder's next complete or heartbeat hears TASK_CANCELLED", () => {
    const root = tempWorkspace();
    seedRun(root, 'r', CHAIN);
    const held = cliJson(root, ['--agent', 'worker', 'claim', '--task', 'd']).task;
    const refused = cli(['--root', root, '--agent', 'boss', 'tasks', 'cancel', 'd']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /TASK_LEASE_REQUIRED: .*claimed by worker.*pass --force/);
    assert.equal(statuses(root).d, 'in_progress', 'nothing was written');

    const forced = cliJson(root, ['--agent', 'boss', 'tasks', 'cancel', 'd', '--force', '--reason', 'Duplicate of a']);
    assert.equal(forced.task.status, 'cancelled');
    assert.equal(forced.task.lease_token, undefined);

    const env = { RUNBOARD_LEASE_TOKEN: held.lease_token };
    const complete = cli(['--root', root, 'complete'], { env });
    assert.equal(complete.status, 1);
    assert.match(complete.stderr, /^runboard: TASK_CANCELLED: Task d was cancelled by boss: Duplicate of a\. Stop working on it/);
    const beat = cliJson(root, ['heartbeat', '--task', 'd', '--token', held.lease_token], 1);
    assert.equal(beat.error.code, 'TASK_CANCELLED');
    assert.equal(beat.error.data.cancelled_by, 'boss');
    assert.equal(statuses(root).d, 'cancelled');
  });

  it('the holder cancels its own task with its lease token, no --force needed', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', CHAIN);
    const held = cliJson(root, ['--agent', 'worker', 'claim', '--task', 'd']).task;
    const env = { RUNBOARD_LEASE_TOKEN: held.lease_token };
    const mine = cliJson(root, ['--agent', 'worker', 'tasks', 'cancel', 'd', '--reason', 'Not needed after all'], 0, { env });
    assert.equal(mine.task.status, 'cancelled');
    assert.equal(mine.task.cancelled.by, 'worker');
  });

  it('requeue reopens a cancelled task, and its dependents wait for it as for any other', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', CHAIN);
    cliJson(root, ['tasks', 'cancel', 'a']);
    const reopened = cliJson(root, ['requeue', 'a']);
    assert.equal(reopened.task.status, 'runnable');
    assert.equal(reopened.task.cancelled, undefined);
    const b = cliJson(root, ['tasks', 'show', 'b']);
    assert.doesNotMatch(b.waits.join('\n'), /cancelled/);
    assert.match(b.waits.join('\n'), /waits for a \(runnable\)/);
    assert.equal(cliJson(root, ['claim', '--task', 'a']).task.id, 'a');
  });

  it('refuses a done task, an unknown one, and shows an example in --help', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', CHAIN);
    const d = cliJson(root, ['claim', '--task', 'd']).task;
    cliJson(root, ['complete', '--token', d.lease_token]);
    assert.equal(cliJson(root, ['tasks', 'cancel', 'd'], 1).error.code, 'TASK_TRANSITION_INVALID');
    assert.equal(cliJson(root, ['tasks', 'cancel', 'nope'], 1).error.code, 'TASK_NOT_FOUND');
    assert.equal(cli(['--root', root, 'tasks', 'cancel']).status, 2, 'the task is required');
    const help = cli(['tasks', 'cancel', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--cascade/);
    assert.match(help.stdout, /Example:\n {2}runboard tasks cancel \S+ --reason/);
  });
  it('a demo agent stops working on a task a person cancels, and the demo ends once every task is finished', async () => {
    const root = tempWorkspace();
    // At a person's pace, so that a cancel lands while the agent works on the task it claimed.
    const demo = startCli(root, ['demo', '--agents', '1']);
    const said = () => demo.out.stdout + demo.out.stderr;
    const runId = await waitFor(() => /created its own run (\S+) in/.exec(said())?.[1], 30_000, 'the demo run');
    const person = (args: string[], status?: number) => cliJson(root, ['--run', runId, '--agent', 'person', ...args], status);
    // The task the agent claimed last; should it be done before the cancel lands, the next one.
    let stopped: string | undefined;
    for (let seen = 0; stopped === undefined;) {
      const claims = await waitFor(
        () => {
          const fresh = [...said().matchAll(/claimed (T\d+)/g)].slice(seen);
          return fresh.length > 0 && fresh;
        },
        60_000,
        'a claim',
      );
      seen += claims.length;
      const taskId = claims[claims.length - 1][1];
      const r = cli([
        '--root',
        root,
        '--run',
        runId,
        '--agent',
        'person',
        '--json',
        'tasks',
        'cancel',
        taskId,
        '--force',
        '--cascade',
        '--reason',
        'Not now',
      ]);
      if (r.status === 0) stopped = taskId;
      else assert.equal(JSON.parse(r.stdout).error.code, 'TASK_TRANSITION_INVALID', 'done before the cancel landed');
    }
    await waitFor(
      () => said().includes(`stopped ${stopped}: Task ${stopped} was cancelled by person: Not now.`),
      30_000,
      'the agent to stop',
    );
    // What the cascade left (when an earlier task was done first), a person cancels too.
    for (const t of person(['tasks', 'list']).tasks) {
      if (t.status !== 'done' && t.status !== 'cancelled') person(['tasks', 'cancel', t.id, '--force']);
    }
    assert.equal(await demo.exited, 0, said());
    assert.match(said(), /all 12 tasks finished; run completed/);
    assert.equal(person(['run', 'show']).run.status, 'completed');
  });
});
