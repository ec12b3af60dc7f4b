// runs, run create|show|events|pause|resume|cancel|reopen, event append and the blackboard
// commands, through the built CLI on real temp workspaces: --json shapes, human output, exit
// codes, root discovery and the default run.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, cli, cliJson, eventsOnDisk, removeTempWorkspaces, seedRun, tempWorkspace } from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);

describe('runboard runs and run …', () => {
  it('creates, lists and shows runs with the protocol result shapes', () => {
    const root = tempWorkspace();
    const created = cliJson(root, ['run', 'create', 'Ship the CSV export', '--id', 'r1', '--type', 'batch']);
    assert.equal(created.run.run_id, 'r1');
    assert.equal(created.run.run_type, 'batch');
    assert.equal(created.run.source_client, 'runboard-cli');
    assert.equal(created.run.last_event_seq, 1);
    assert.deepEqual(Object.keys(created), ['run']);
    assert.ok(fs.existsSync(path.join(root, '.runboard', 'runs', 'r1', 'events.jsonl')));

    const listed = cliJson(root, ['runs']);
    // `runs` asks for each run's size on disk (listRuns with sizes).
    assert.deepEqual(Object.keys(listed), ['runs', 'sizes']);
    assert.deepEqual(
      listed.sizes.map((x: { run_id: string; bytes: number }) => [x.run_id, x.bytes > 0]),
      [['r1', true]],
    );
    assert.deepEqual(
      listed.runs.map((r: any) => r.run_id),
      ['r1'],
    );

    const shown = cliJson(root, ['run', 'show']);
    assert.deepEqual(Object.keys(shown).sort(), ['blackboard', 'run']);
    assert.equal(shown.run.objective, 'Ship the CSV export');

    const human = cli(['--root', root, 'runs']);
    assert.equal(human.status, 0);
    assert.match(human.stdout, /^RUN\s+STATUS\s+TASKS/m);
    assert.match(human.stdout, /r1\s+queued\s+0\/0/);
    const show = cli(['--root', root, 'run', 'show', 'r1']);
    assert.match(show.stdout, /Run r1 {2}\[queued\]/);
    assert.match(show.stdout, /Board {2}0 tasks/);
  });

  it('the lists people guess first — run list, runs list, checkpoints list, fact list — are the lists', () => {
    const root = tempWorkspace();
    cliJson(root, ['run', 'create', 'Guess the lists', '--id', 'g1']);
    cliJson(root, ['fact', 'add', 'A fact to list']);
    cliJson(root, ['checkpoint', '--reason', 'to list']);
    for (const guess of [
      ['run', 'list'],
      ['runs', 'list'],
    ]) {
      assert.deepEqual(cliJson(root, [...guess, '--status', 'queued']), cliJson(root, ['runs', '--status', 'queued']), guess.join(' '));
    }
    for (const guess of [
      ['checkpoints', 'list'],
      ['checkpoint', 'list'],
    ])
      assert.deepEqual(cliJson(root, guess), cliJson(root, ['checkpoints']));
    for (const guess of [
      ['fact', 'list'],
      ['blackboard', 'list'],
    ])
      assert.deepEqual(cliJson(root, guess), cliJson(root, ['blackboard']));
    // Global options before the guess, as agents write them; the human output too.
    const human = cli(['--root', root, '--run', 'g1', 'checkpoint', 'list']);
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /to list/);
    // A checkpoint list wrote no checkpoint.
    assert.equal(cliJson(root, ['checkpoints']).checkpoints.length, 1);
    // With two runs open, replay and the checkpoint commands take the run as run show does.
    cliJson(root, ['run', 'create', 'A second run', '--id', 'g2']);
    assert.equal(cliJson(root, ['checkpoint', 'g2', '--reason', 'second']).checkpoint.run_id, 'g2');
    assert.deepEqual(
      cliJson(root, ['checkpoints', 'g1']).checkpoints.map((c: { reason: string }) => c.reason),
      ['to list'],
    );
    assert.equal(cliJson(root, ['replay', 'g2']).drift.mismatch, false);
  });

  it('filters runs by status and rejects an unknown status as invalid params (exit 2)', () => {
    const root = tempWorkspace();
    seedRun(root, 'a');
    seedRun(root, 'b');
    cliJson(root, ['--run', 'b', 'run', 'cancel']);
    assert.deepEqual(
      cliJson(root, ['runs', '--status', 'cancelled']).runs.map((r: any) => r.run_id),
      ['b'],
    );
    const bad = cliJson(root, ['runs', '--status', 'sleeping'], 2);
    assert.equal(bad.error.code, 'INVALID_PARAMS');
    assert.equal(bad.error.data.issues[0].path, 'status');
  });

  it('pause, resume, cancel and reopen append the run events and move the status', () => {
    const root = tempWorkspace();
    seedRun(root, 'steer');
    const paused = cliJson(root, ['run', 'pause', '--reason', 'lunch']);
    assert.equal(paused.event.type, 'run_paused');
    assert.equal(paused.run.status, 'paused');
    assert.deepEqual(paused.event.payload, { reason: 'lunch' });
    // The reason is said where the pause stops someone: an agent's claim, the attention list, run show.
    assert.equal(paused.run.status_reason, 'lunch');
    cliJson(root, ['tasks', 'add', 'After lunch', '--id', 'later']);
    const claim = cli(['--root', root, 'claim']);
    assert.equal(claim.status, 3);
    assert.match(claim.stdout, /^# Nothing to claim in run steer now \(paused: lunch\): the run is paused;/m);
    assert.deepEqual(
      cliJson(root, ['attention']).items.map((i: { title: string }) => i.title),
      ['Paused (lunch): its agents get no task until it is resumed'],
    );
    assert.match(cli(['--root', root, 'run', 'show']).stdout, /^ {2}reason {5}lunch$/m);
    assert.equal(cliJson(root, ['run', 'resume']).run.status_reason, undefined, 'over with the pause');
    assert.equal(cliJson(root, ['run', 'cancel', 'steer']).run.status, 'cancelled');
    // A cancelled run is terminal: no longer the default run, and it refuses other events.
    const refused = cli(['--root', root, '--run', 'steer', 'run', 'pause']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /RUN_TERMINAL/);
    const reopened = cliJson(root, ['--run', 'steer', 'run', 'reopen', '--reason', 'one more fix']);
    assert.equal(reopened.run.status, 'running');
    assert.match(reopened.run.why_next_step, /one more fix/);
    assert.deepEqual(
      eventsOnDisk(root, 'steer').map((e) => e.type),
      ['context.run.created', 'run_paused', 'context.task.created', 'run_resumed', 'run_cancelled', 'run_reopened'],
    );
  });

  it('event append defaults the status to the current one and takes --step and --payload', () => {
    const root = tempWorkspace();
    seedRun(root, 'ev');
    const planned = cliJson(root, ['event', 'append', 'planning_started']);
    assert.equal(planned.run.status, 'awaiting_approval');
    assert.ok(planned.run.steps.length > 0);
    const step = planned.run.steps[0].step_id;
    const started = cliJson(root, ['event', 'append', 'step_started', '--step', step, '--payload', '{"why_next_step":"go"}']);
    assert.equal(started.event.step_id, step);
    assert.equal(started.event.status, 'awaiting_approval');
    assert.equal(started.run.why_next_step, 'go');
    const finished = cliJson(root, ['event', 'append', 'session_run_finished', '--status', 'completed']);
    assert.equal(finished.run.status, 'completed');

    assert.equal(cliJson(root, ['--run', 'ev', 'event', 'append', 'x', '--payload', '{oops'], 2).error.code, 'USAGE');
    assert.equal(cliJson(root, ['--run', 'ev', 'event', 'append', 'x', '--status', 'asleep'], 2).error.code, 'USAGE');
    const reserved = cliJson(root, ['--run', 'ev', 'event', 'append', 'context.task.claimed'], 1);
    assert.equal(reserved.error.code, 'TASK_EVENT_APPEND_DISABLED');
  });

  it('run events pages with --since, --tail and --limit', () => {
    const root = tempWorkspace();
    seedRun(root, 'pages');
    for (let i = 0; i < 4; i++) cliJson(root, ['fact', 'add', `fact ${i}`]);
    assert.deepEqual(
      cliJson(root, ['run', 'events']).events.map((e: any) => e.seq),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(
      cliJson(root, ['run', 'events', '--tail', '2']).events.map((e: any) => e.seq),
      [4, 5],
    );
    const page = cliJson(root, ['run', 'events', '--since', '1', '--limit', '2']);
    assert.deepEqual(
      page.events.map((e: any) => e.seq),
      [2, 3],
    );
    assert.equal(page.next_since_seq, 3);
    const human = cli(['--root', root, 'run', 'events', '--tail', '1']);
    assert.match(human.stdout, /#5\s+context\.blackboard\.patched\s+queued\s+add_fact: fact 3/);
    // A count or seq that means nothing is a usage error naming the flag, not one event or none.
    for (const [flag, value, min] of [
      ['--limit', '0', 1],
      ['--limit', '-1', 1],
      ['--tail', '-5', 1],
      ['--since', '-3', 0],
    ] as const) {
      const bad = cli(['--root', root, 'run', 'events', flag, value]);
      assert.equal(bad.status, 2, `${flag} ${value}: ${bad.stdout}`);
      assert.match(
        bad.stderr,
        new RegExp(`option '${flag} <\\w+>' argument '${value}' is invalid\\. Expected a whole number, ${min} or more\\.`),
      );
    }
  });

  it('fact, decision, question and artifact add patch the blackboard', () => {
    const root = tempWorkspace();
    cliJson(root, ['run', 'create', 'Read the API\n1. Read it\n2. Write it down', '--id', 'bb']);
    // A step the run does not have, and a blank text, are refused, saying why.
    assert.match(
      cliJson(root, ['fact', 'add', 'x', '--step', 'step-9'], 1).error.message,
      /has no step step-9; its steps are step-1, step-2/,
    );
    assert.equal(cliJson(root, ['question', 'add', '  '], 1).error.code, 'BLACKBOARD_PAYLOAD_INVALID');
    const fact = cliJson(root, ['fact', 'add', 'The API is paginated', '--step', 'step-1']);
    assert.deepEqual(Object.keys(fact).sort(), ['blackboard', 'patch']);
    assert.equal(fact.patch.op, 'add_fact');
    assert.equal(fact.patch.payload.text, 'The API is paginated');
    assert.equal(fact.patch.payload.step_id, 'step-1');
    cliJson(root, ['decision', 'add', 'Use RFC 4180']);
    cliJson(root, ['question', 'add', 'Include archived rows?']);
    const art = cliJson(root, ['artifact', 'add', 'src/csv.ts', '--type', 'source']);
    assert.equal(art.patch.op, 'add_artifact');
    const bb = cliJson(root, ['run', 'show']).blackboard;
    assert.deepEqual(
      bb.facts.map((f: any) => f.text),
      ['The API is paginated'],
    );
    assert.deepEqual(
      bb.decisions.map((f: any) => f.text),
      ['Use RFC 4180'],
    );
    assert.deepEqual(
      bb.open_questions.map((f: any) => f.text),
      ['Include archived rows?'],
    );
    assert.deepEqual(
      bb.artifacts.map((a: any) => [a.path, a.artifact_type]),
      [['src/csv.ts', 'source']],
    );
    const human = cli(['--root', root, 'fact', 'add', 'second']);
    assert.match(human.stdout, /^Added fact-\S+ \(#6\): second/);
  });

  it('finds the root from a subfolder like git, and falls back to the current folder', () => {
    const root = tempWorkspace();
    seedRun(root, 'found');
    const deep = path.join(root, 'src', 'deep', 'er');
    fs.mkdirSync(deep, { recursive: true });
    const r = cli(['--json', 'runs'], { cwd: deep });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      JSON.parse(r.stdout).runs.map((x: any) => x.run_id),
      ['found'],
    );
    assert.ok(!fs.existsSync(path.join(deep, '.runboard')));

    const bare = tempWorkspace();
    const made = cli(['--json', 'run', 'create', 'here', '--id', 'here'], { cwd: bare });
    assert.equal(made.status, 0, made.stderr);
    assert.ok(fs.existsSync(path.join(bare, '.runboard', 'runs', 'here')));
  });

  it('picks the only open run, honours RUNBOARD_RUN, and says so when it cannot choose', () => {
    const root = tempWorkspace();
    const none = cliJson(root, ['run', 'show'], 2);
    assert.equal(none.error.code, 'RUN_REQUIRED');
    assert.match(none.error.message, /runboard run create/);
    seedRun(root, 'one');
    assert.equal(cliJson(root, ['run', 'show']).run.run_id, 'one');
    cliJson(root, ['run', 'complete']);
    assert.equal(cliJson(root, ['run', 'show']).run.run_id, 'one', "the root's only run, though finished (issue 15)");
    cliJson(root, ['run', 'reopen']);
    seedRun(root, 'two');
    const human = cli(['--root', root, 'run', 'show']);
    assert.equal(human.status, 2);
    // Newest first, each with its objective: ids alone say nothing to a person (issue 15).
    assert.match(
      human.stderr,
      /RUN_AMBIGUOUS: 2 open runs in .*:\n {2}two {2}queued +Objective of two\n {2}one {2}running +Objective of one\nChoose one with --run <id> or RUNBOARD_RUN/,
    );
    assert.equal(cliJson(root, ['run', 'show'], 0, { env: { RUNBOARD_RUN: 'two' } }).run.run_id, 'two');
    assert.equal(cliJson(root, ['--run', 'one', 'run', 'show'], 0, { env: { RUNBOARD_RUN: 'two' } }).run.run_id, 'one');
    cliJson(root, ['--run', 'two', 'run', 'cancel']);
    assert.equal(cliJson(root, ['run', 'show']).run.run_id, 'one', 'a finished run is not a candidate');
  });

  it('--command-id makes run create safe to repeat: the repeat is the same run, deduped; a create of that id under another is RUN_EXISTS', () => {
    const root = tempWorkspace();
    const create = (commandId: string, status = 0) =>
      cliJson(root, ['--command-id', commandId, 'run', 'create', 'Ship it', '--id', 'once'], status);
    const first = create('make-once');
    const again = create('make-once');
    assert.equal(again.deduped, true);
    assert.deepEqual({ ...again, deduped: undefined }, { ...first, deduped: undefined });
    assert.equal(create('another', 1).error.code, 'RUN_EXISTS');
    assert.deepEqual(
      eventsOnDisk(root, 'once').map((e) => [e.type, e.command_id]),
      [['context.run.created', 'make-once']],
    );
    const noId = cliJson(root, ['--command-id', 'c', 'run', 'create', 'Ship it'], 2);
    assert.equal(noId.error.data.issues[0].path, 'command_id');
    assert.match(noId.error.message, /command_id needs run_id/);
  });

  it('domain errors exit 1 with the code on stderr, and with --json a JSON error on stdout', () => {
    const root = tempWorkspace();
    seedRun(root, 'dup');
    const human = cli(['--root', root, 'run', 'create', 'again', '--id', 'dup']);
    assert.equal(human.status, 1);
    assert.equal(human.stdout, '');
    assert.match(human.stderr, /^runboard: RUN_EXISTS: Run dup already exists/);
    const json = cliJson(root, ['run', 'create', 'again', '--id', 'dup'], 1);
    assert.deepEqual(json.error.data, { code: 'RUN_EXISTS', run_id: 'dup' });
    assert.equal(cliJson(root, ['run', 'show', 'nope'], 1).error.code, 'RUN_NOT_FOUND');
    assert.equal(cliJson(root, ['run', 'show', 'bad/id'], 1).error.code, 'RUN_ID_INVALID');
  });

  it('bad arguments exit 2 (unknown command or option, missing argument, bad integer)', () => {
    const root = tempWorkspace();
    for (const args of [
      ['frobnicate'],
      ['runs', '--bogus'],
      ['run', 'create'],
      ['runs', '--limit', 'ten'],
      ['tasks', 'lsit'],
      [],
      ['--durability', 'maybe', 'runs'],
    ]) {
      const r = cli(['--root', root, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.notEqual(r.stderr, '', 'says what is wrong');
    }
    const json = cliJson(root, ['runs', '--limit', 'ten'], 2);
    assert.equal(json.error.code, 'USAGE');
    assert.match(json.error.message, /--limit/);
    assert.equal(cli(['--help']).status, 0);
    assert.match(cli(['--version']).stdout, /^\d+\.\d+\.\d+/);
  });
});
