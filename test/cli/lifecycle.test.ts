// Runs and tasks as people write them on the command line (issue 15): steps from a multi-line
// objective, runs that finish, tasks in one line, task files checked field by field, replay of a
// past seq said as what changed since, and the smaller surprises of the first hour.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { RunService } from '../../server/src/service/runService';
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

describe('runs as people write them', () => {
  it('a three-line objective gives three steps, and completing steps moves "next" along', () => {
    const root = tempWorkspace();
    const { run } = cliJson(root, ['run', 'create', 'Survey docs\nWrite changelog\nLink it', '--id', 'r']);
    assert.deepEqual(
      run.steps.map((s: { step_id: string; title: string; status: string }) => [s.step_id, s.title, s.status]),
      [
        ['step-1', 'Survey docs', 'pending'],
        ['step-2', 'Write changelog', 'pending'],
        ['step-3', 'Link it', 'pending'],
      ],
    );
    cliJson(root, ['event', 'append', 'step_completed', '--step', 'step-1']);
    const shown = cli(['--root', root, 'run', 'show']);
    assert.match(shown.stdout, /next {7}Continue with step step-2: Write changelog/);
    assert.match(shown.stdout, /step-2 +in_progress/);
    assert.deepEqual(cliJson(root, ['run', 'create', 'One line', '--id', 'one']).run.steps, []);
  });

  it('run complete finishes a run with pending tasks and none in progress; in progress it needs --force', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', [
      { id: 'a', task_type: 'w' },
      { id: 'b', task_type: 'w' },
    ]);
    cliJson(root, ['claim', '--task', 'a']);
    const refused = cli(['--root', root, 'run', 'complete']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /TASKS_IN_PROGRESS: 1 task is in progress \(a\)/);
    assert.equal(cliJson(root, ['runs']).runs[0].status, 'queued');
    assert.match(cli(['--root', root, 'runs']).stdout, /queued · 1 in progress/);
    const done = cli(['--root', root, 'run', 'complete', '--force', '--reason', 'shipped']);
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /Completed run r .*run_completed.*\n {2}1 task left pending/);
    const { run } = cliJson(root, ['run', 'show']);
    assert.deepEqual([run.status, run.why_next_step], ['completed', 'Completed: shipped']);
    const replayed = cli(['--root', root, 'replay']);
    assert.match(replayed.stdout, /No drift\./);
  });

  it('with --auto-finish, completing the last task completes the run, and replay shows no drift', () => {
    const root = tempWorkspace();
    cliJson(root, ['run', 'create', 'Auto', '--id', 'auto', '--auto-finish']);
    cliJson(root, ['tasks', 'add', 'Only task', '--id', 'only']);
    const token = cliJson(root, ['claim']).task.lease_token;
    const done = cli(['--root', root, 'complete', '--token', token]);
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /^That was the last open task: the run is completed \(auto_finish\)/m, 'the agent is told');
    assert.equal(cliJson(root, ['run', 'show']).run.status, 'completed');
    assert.equal(cliJson(root, ['replay']).drift.mismatch, false);
    assert.equal(cliJson(root, ['run', 'fail'], 1).error.code, 'RUN_TERMINAL');
  });

  it('pause, resume and reopen act only on a run they fit: twice is said and writes nothing, reopen of a paused run is refused', () => {
    const root = tempWorkspace();
    seedRun(root, 'p', [{ id: 'a', task_type: 'work' }]);
    const events = () => eventsOnDisk(root, 'p').length;
    assert.equal(cliJson(root, ['run', 'pause']).event.type, 'run_paused');
    const n = events();
    const again = cli(['--root', root, 'run', 'pause']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^Run p is paused already; nothing written\.$/m);
    const reopen = cli(['--root', root, 'run', 'reopen']);
    assert.equal(reopen.status, 2);
    assert.match(reopen.stderr, /Run p is paused, not finished: there is nothing to reopen\. `runboard run resume` resumes a paused run\./);
    assert.equal(events(), n, 'nothing written');
    assert.equal(cliJson(root, ['claim'], 3).reason, 'run_paused', 'still paused: no task handed out');
    assert.equal(cliJson(root, ['run', 'resume']).run.status, 'running');
    const m = events();
    assert.deepEqual(Object.keys(cliJson(root, ['run', 'resume'])), ['run'], 'resuming a running run: the run, no event');
    assert.equal(cli(['--root', root, 'run', 'reopen']).status, 2);
    assert.equal(events(), m);
  });

  it("the exported lease token is its own task's: a call naming another task does not send it", () => {
    const root = tempWorkspace();
    seedRun(root, 'e', [
      { id: 'a', task_type: 'work' },
      { id: 'b', task_type: 'work' },
    ]);
    const mine = cliJson(root, ['--agent', 'alice', 'claim', 'a']).task;
    cliJson(root, ['--agent', 'bob', 'claim', 'b']);
    const env = { RUNBOARD_AGENT: 'alice', RUNBOARD_TASK: 'a', RUNBOARD_LEASE_TOKEN: mine.lease_token };
    for (const args of [
      ['tasks', 'edit', 'b', '--priority', '2'],
      ['tasks', 'cancel', 'b'],
      ['complete', 'b'],
    ]) {
      const r = cli(['--root', root, '--json', ...args], { env });
      assert.equal(r.status, 1, r.stderr);
      assert.equal(JSON.parse(r.stdout).error.code, 'TASK_LEASE_REQUIRED', `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /Task b is claimed by bob/);
    }
    // Its own task still takes it from the environment.
    assert.equal(cliJson(root, ['tasks', 'edit', 'a', '--priority', '2'], 0, { env }).task.priority, 2);
    assert.equal(cliJson(root, ['complete'], 0, { env }).task.status, 'done');
  });

  it('run rebind binds a run paused for being opened in another folder to this one, and it runs again; attention names the command', async () => {
    const first = tempWorkspace();
    seedRun(first, 'moved', [{ id: 'a', task_type: 'work' }]);
    const bind = async (root: string) => {
      const s = new RunService([root], { durability: 'none' });
      try {
        return await s.execute('validateWorkspaceLease', { run_id: 'moved', phase: 'open', current_path: root });
      } finally {
        s.close();
      }
    };
    await bind(first);
    // The folder copied elsewhere (a clone, a move): opened there, the run pauses.
    const second = tempWorkspace();
    fs.cpSync(path.join(first, '.runboard'), path.join(second, '.runboard'), { recursive: true });
    assert.equal((await bind(second)).mismatch, true);
    assert.equal(cliJson(second, ['claim'], 3).reason, 'run_paused');
    assert.match(cli(['--root', second, 'attention']).stdout, /run rebind/);
    const r = cli(['--root', second, 'run', 'rebind']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Bound run moved to .+ \(was .+\); it was paused for the other folder and is running again\.$/m);
    const { run } = cliJson(second, ['run', 'show']);
    assert.equal(run.workspace.canonical_path, fs.realpathSync(second));
    assert.equal(cliJson(second, ['claim']).task.id, 'a');
  });

  it('run fail keeps the reason', () => {
    const root = tempWorkspace();
    seedRun(root, 'f');
    cliJson(root, ['run', 'fail', '--reason', 'the API is gone']);
    const { run } = cliJson(root, ['run', 'show']);
    assert.deepEqual([run.status, run.last_error], ['failed', 'the API is gone']);
  });
});

describe('tasks as people write them', () => {
  it('tasks add writes one task from a line; tasks show says what it is and why it waits', () => {
    const root = tempWorkspace();
    seedRun(root, 'r');
    cliJson(root, ['tasks', 'add', 'Survey the docs', '--id', 'survey-docs']);
    const { tasks } = cliJson(root, [
      'tasks',
      'add',
      'Write the changelog',
      '--type',
      'implementation',
      '--priority',
      '2',
      '--after',
      'survey-docs',
      '--id',
      'changelog',
      '--target',
      'CHANGELOG.md',
    ]);
    assert.deepEqual(
      [
        tasks[0].id,
        tasks[0].task_type,
        tasks[0].priority,
        tasks[0].depends_on_task_ids,
        tasks[0].payload.title,
        tasks[0].payload.output_target.path,
      ],
      ['changelog', 'implementation', 2, ['survey-docs'], 'Write the changelog', 'CHANGELOG.md'],
    );
    const shown = cli(['--root', root, 'tasks', 'show', 'changelog']);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /^Task changelog {2}\[pending\] {2}implementation, priority 2, failed 0\/3/);
    assert.match(shown.stdout, /target {6}CHANGELOG.md/);
    assert.match(shown.stdout, /waits: {6}waits for survey-docs \(pending\)/);
    const json = cliJson(root, ['tasks', 'show', 'survey-docs']);
    assert.deepEqual([json.task.id, json.claimable, json.waits], ['survey-docs', true, []]);
    assert.equal(cliJson(root, ['tasks', 'show', 'nope'], 1).error.code, 'TASK_NOT_FOUND');
  });

  it('a tasks file with task_id and title is refused, naming id and payload.title; nothing is created', () => {
    const root = tempWorkspace();
    seedRun(root, 'r');
    const file = path.join(root, 'runboard.tasks.json');
    fs.writeFileSync(file, JSON.stringify([{ task_id: 'a', title: 'A', task_type: 'w' }]));
    const refused = cli(['--root', root, 'tasks', 'create', file]);
    assert.equal(refused.status, 2);
    assert.match(
      refused.stderr,
      /tasks\.0: Unknown task fields "task_id" \(did you mean "id"\?\), "title" \(did you mean "payload\.title"\?\)/,
    );
    assert.deepEqual(cliJson(root, ['tasks', 'list']).tasks, []);
    assert.match(cli(['tasks', 'create', '--help']).stdout, /schemas\/tasks\.schema\.json/);
  });
});

describe('tasks that change (issue 17)', () => {
  it('tasks edit sets priority, dependencies, title and labels; a cycle is refused and writes nothing', () => {
    const root = tempWorkspace();
    cliJson(root, ['run', 'create', 'Edits', '--id', 'e']);
    cliJson(root, ['tasks', 'add', 'First', '--id', 'a']);
    cliJson(root, ['tasks', 'add', 'Second', '--id', 'b', '--label', 'docs']);
    const { task } = cliJson(root, [
      'tasks',
      'edit',
      'b',
      '--priority',
      '3',
      '--after',
      'a',
      '--title',
      'Better',
      '--label',
      'docs,release',
    ]);
    assert.deepEqual([task.priority, task.depends_on_task_ids, task.payload.title, task.labels], [3, ['a'], 'Better', ['docs', 'release']]);
    // A label may hold spaces: commas part labels, as the filter's label:"…" finds them.
    cliJson(root, ['tasks', 'add', 'Third', '--id', 'c', '--label', 'needs review, ui']);
    assert.deepEqual(cliJson(root, ['tasks', 'show', 'c']).task.labels, ['needs review', 'ui']);
    assert.deepEqual(
      cliJson(root, ['tasks', 'list', '--filter', 'label:"needs review"']).tasks.map((t: { id: string }) => t.id),
      ['c'],
    );
    assert.deepEqual(cliJson(root, ['tasks', 'edit', 'c', '--label', 'needs review', 'ux']).task.labels, ['needs review', 'ux']);
    // The text says what was set, as the task now has it.
    const said = cli(['--root', root, 'tasks', 'edit', 'c', '--priority', '2', '--after', 'a', '--label', '']);
    assert.match(said.stdout, /^ {2}set: priority 2, after a, labels none$/m, said.stdout + said.stderr);
    // The same edit again changes nothing, and says so: nothing is written.
    const events = cliJson(root, ['run', 'events']).events.length;
    const again = cli(['--root', root, 'tasks', 'edit', 'c', '--priority', '2']);
    assert.match(again.stdout, /^Nothing to change in .*\n {2}it has: priority 2 \(nothing written\)$/m, again.stdout + again.stderr);
    assert.equal(cliJson(root, ['tasks', 'edit', 'c', '--priority', '2']).unchanged, true);
    assert.equal(cliJson(root, ['run', 'events']).events.length, events);
    const before = cliJson(root, ['run', 'events']).events.length;
    const cycle = cli(['--root', root, 'tasks', 'edit', 'a', '--after', 'b']);
    assert.equal(cycle.status, 1);
    assert.match(cycle.stderr, /TASK_DEPENDENCY_CYCLE: Task a cannot wait for b: b already waits for a/);
    assert.equal(cliJson(root, ['run', 'events']).events.length, before, 'nothing written');
    const nothing = cli(['--root', root, 'tasks', 'edit', 'a']);
    assert.equal(nothing.status, 2);
    assert.match(nothing.stderr, /Say what to change: --title, --description/);
    const token = cliJson(root, ['--agent', 'other', 'claim', '--task', 'a']).task.lease_token;
    assert.equal(cliJson(root, ['tasks', 'edit', 'a', '--priority', '1'], 1).error.code, 'TASK_LEASE_REQUIRED');
    assert.match(
      cli(['--root', root, 'tasks', 'edit', 'a', '--priority', '1']).stderr,
      /TASK_LEASE_REQUIRED: .*or pass --force to edit it anyway\./,
    );
    assert.equal(cliJson(root, ['tasks', 'edit', 'a', '--priority', '1', '--token', token]).task.priority, 1);
    assert.equal(cliJson(root, ['replay']).drift.mismatch, false);
  });
});

describe('the smaller surprises', () => {
  it('replay of an earlier seq says what changed since, never "drift", on a healthy run', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', [{ id: 'a', task_type: 'w' }]);
    cliJson(root, ['claim']);
    const past = cli(['--root', root, 'replay', '--upto', '2']);
    assert.equal(past.status, 0, past.stderr);
    assert.doesNotMatch(past.stdout, /drift/i);
    assert.match(past.stdout, /Changes since seq 2: .*task statuses/);
  });

  it('tasks list --status with an unknown status is refused, like runs --status', () => {
    const root = tempWorkspace();
    seedRun(root, 'r');
    const r = cli(['--root', root, 'tasks', 'list', '--status', 'bogus']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--status must be one of pending, runnable, in_progress, blocked, done, failed/);
  });

  it('--root that does not exist is refused and not created', () => {
    const missing = path.join(tempWorkspace(), 'not-here');
    const r = cli(['--root', missing, 'run', 'create', 'x']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^runboard: --root \S+not-here does not exist: pass an existing workspace folder\.$/m);
    assert.equal(fs.existsSync(missing), false);
    // Given as RUNBOARD_ROOT (claim --worktree exports it), it is named so: there was no --root to look for.
    const fromEnv = cli(['run', 'create', 'x'], { env: { RUNBOARD_ROOT: missing } });
    assert.equal(fromEnv.status, 2);
    assert.match(fromEnv.stderr, /^runboard: RUNBOARD_ROOT=\S+not-here does not exist: set it to an existing workspace folder\.$/m);
    assert.equal(fs.existsSync(missing), false);
  });

  it('an event type one typo away from a known one gets a warning naming it, and is still recorded', () => {
    const root = tempWorkspace();
    seedRun(root, 'r');
    const r = cli(['--root', root, 'event', 'append', 'step_complete', '--step', 'step-1']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /did you mean "step_completed"\?/);
    assert.doesNotMatch(cli(['--root', root, 'event', 'append', 'deploy_note']).stderr, /did you mean/);
  });

  it('a step event naming a step the run does not have is refused, with the steps it has; nothing is recorded', () => {
    const root = tempWorkspace();
    cliJson(root, ['run', 'create', 'Ship\nWrite it\nTest it', '--id', 'r']);
    const before = eventsOnDisk(root, 'r').length;
    const r = cli(['--root', root, 'event', 'append', 'step_completed', '--step', 'step-9']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^runboard: STEP_NOT_FOUND: Run r has no step step-9; its steps are step-1, step-2, step-3\./);
    assert.equal(eventsOnDisk(root, 'r').length, before);
  });

  it('a requeued task out of attempts gets one more: attempts never read 3/2', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', [{ id: 'a', task_type: 'w', max_attempts: 1 }]);
    cliJson(root, ['fail', '--token', cliJson(root, ['claim']).task.lease_token, '--error', 'first']);
    const { task } = cliJson(root, ['requeue', 'a']);
    assert.deepEqual([task.attempt, task.max_attempts], [1, 2]);
    cliJson(root, ['fail', '--token', cliJson(root, ['claim']).task.lease_token, '--error', 'second']);
    const after = cliJson(root, ['tasks', 'show', 'a']).task;
    assert.deepEqual([after.status, after.attempt, after.max_attempts], ['failed', 2, 2]);
  });

  it('"Board 1 task", singular', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', [{ id: 'a', task_type: 'w' }]);
    assert.match(cli(['--root', root, 'run', 'show']).stdout, /Board {2}1 task \(/);
  });

  it('watch with no run yet waits for the first one instead of failing', async () => {
    const root = tempWorkspace();
    const w = startCli(root, ['watch']);
    await waitFor(() => /waiting for one/.test(w.out.stderr), 15_000, 'the waiting message');
    seedRun(root, 'late');
    await waitFor(() => /context\.run\.created/.test(w.out.stdout), 15_000, 'the new run followed');
    assert.match(w.out.stderr, /Watching run late/);
    w.child.kill('SIGINT');
    assert.equal(await w.exited, 0, w.out.stderr);
  });

  it('watch stopped by Ctrl-C while it waits for a first run exits 0', async () => {
    const root = tempWorkspace();
    const w = startCli(root, ['watch']);
    await waitFor(() => /waiting for one/.test(w.out.stderr), 15_000, 'the waiting message');
    w.child.kill('SIGINT');
    assert.equal(await w.exited, 0, w.out.stderr);
  });
});
