// The task board through the CLI: tasks create (file, stdin, {tasks}), claim with its filters,
// the lease holder's heartbeat/complete/fail/release with --token or RUNBOARD_LEASE_TOKEN and
// the task derived from the lease, retry, requeue, command ids, and the error exit codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, cleanEnv, CLI_JS, cli, cliJson, eventsOnDisk, removeTempWorkspaces, seedRun, tempWorkspace } from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);

const PLAN = [
  { id: 'a', task_type: 'research', payload: { title: 'Look around' } },
  { id: 'b', task_type: 'review', depends_on_task_ids: ['a'] },
  { id: 'c', task_type: 'research', workflow_id: 'wf', priority: -1 },
];

describe('runboard tasks and leases', () => {
  it('tasks create reads a file, stdin, or {tasks: [...]}, and validates the whole batch', () => {
    const root = tempWorkspace();
    seedRun(root, 'r');
    const file = path.join(root, 'plan.json');
    fs.writeFileSync(file, JSON.stringify(PLAN.slice(0, 2)));
    const fromFile = cliJson(root, ['tasks', 'create', file]);
    assert.deepEqual(Object.keys(fromFile), ['tasks']);
    assert.deepEqual(
      fromFile.tasks.map((t: any) => [t.id, t.status, t.task_rev]),
      [
        ['a', 'pending', 1],
        ['b', 'pending', 1],
      ],
    );
    const fromStdin = cliJson(root, ['tasks', 'create', '-'], 0, { input: JSON.stringify({ tasks: [PLAN[2]] }) });
    assert.equal(fromStdin.tasks[0].workflow_id, 'wf');

    const cycle = cliJson(root, ['tasks', 'create', '-'], 1, {
      input: JSON.stringify([
        { id: 'x', task_type: 't', depends_on_task_ids: ['y'] },
        { id: 'y', task_type: 't', depends_on_task_ids: ['x'] },
      ]),
    });
    assert.equal(cycle.error.code, 'TASK_DEPENDENCY_CYCLE');
    assert.equal(cliJson(root, ['tasks', 'create', '-'], 1, { input: JSON.stringify([PLAN[0]]) }).error.code, 'TASK_DUPLICATE_ID');
    const shape = cliJson(root, ['tasks', 'create', '-'], 2, { input: JSON.stringify([{ id: 'z', task_type: ' ' }]) });
    assert.equal(shape.error.code, 'INVALID_PARAMS');
    assert.equal(shape.error.data.issues[0].path, 'tasks.0.task_type');
    // Rows without a type get the one `tasks add` gives a task named without one.
    const untyped = cliJson(root, ['tasks', 'create', '-'], 0, {
      input: JSON.stringify([
        { id: 'z', payload: { title: 'Z' } },
        { id: 'z2', payload: { title: 'Z2', output_target: { path: 'Z2.md' } } },
      ]),
    });
    assert.deepEqual(
      untyped.tasks.map((t: { task_type: string }) => t.task_type),
      ['work', 'implementation'],
    );
    assert.equal(cliJson(root, ['tasks', 'create', '-'], 2, { input: '{"nope": 1}' }).error.code, 'USAGE');
    const beside = cliJson(root, ['tasks', 'create', '-'], 2, { input: '{"tasks": [{"task_type": "t"}], "extra": 1}' });
    assert.match(beside.error.message, /^Unknown field "extra" beside "tasks"/);
    const untitled = cliJson(root, ['tasks', 'create', '-'], 1, {
      input: JSON.stringify([{ id: 'n', task_type: 't', payload: { title: 123 } }]),
    });
    assert.deepEqual(
      [untitled.error.code, untitled.error.message],
      ['TASK_CONTRACT_INVALID', 'Task n: payload.title must be text (a JSON string), not number.'],
    );
    // A byte order mark first (PowerShell's Out-File, Windows editors) is not a JSON error.
    fs.writeFileSync(file, '\uFEFF' + JSON.stringify([{ id: 'bom', task_type: 't' }]));
    assert.equal(cliJson(root, ['tasks', 'create', file]).tasks[0].id, 'bom');
    assert.equal(cliJson(root, ['tasks', 'create', '-'], 2, { input: 'not json' }).error.code, 'USAGE');
    assert.equal(cliJson(root, ['tasks', 'create', path.join(root, 'missing.json')], 2).error.code, 'USAGE');

    assert.deepEqual(
      cliJson(root, ['tasks', 'list']).tasks.map((t: any) => t.id),
      ['a', 'b', 'c', 'z', 'z2', 'bom'],
    );
    assert.deepEqual(cliJson(root, ['tasks', 'list', '--status', 'pending']).tasks.length, 6);
    const table = cli(['--root', root, 'tasks', 'list']);
    assert.match(table.stdout, /^TASK\s+STATUS\s+TYPE/m);
    assert.match(table.stdout, /^b\s+pending\s+review\s+0\/3\s+a/m);
  });

  it('claim → heartbeat → complete with the token from the claim, the task derived from it', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', PLAN);
    const claimed = cliJson(root, ['--agent', 'agent-1', 'claim', '--lease-ms', '60000']);
    assert.deepEqual(Object.keys(claimed), ['task']);
    const task = claimed.task;
    assert.equal(task.id, 'a', 'priority then creation order');
    assert.equal(task.status, 'in_progress');
    assert.equal(task.lease_owner, 'agent-1');
    assert.match(task.lease_token, /^lease-/);
    assert.ok(task.lease_expires_at_ms - Date.now() > 30_000);

    const beat = cliJson(root, ['heartbeat', '--token', task.lease_token, '--lease-ms', '120000']);
    assert.equal(beat.task.id, 'a');
    assert.ok(beat.task.lease_expires_at_ms > task.lease_expires_at_ms);
    const done = cliJson(root, ['complete', '--token', task.lease_token]);
    assert.equal(done.task.status, 'done');
    assert.equal(done.task.lease_token, undefined);

    // b's dependency is done: it is next.
    assert.equal(cliJson(root, ['claim']).task.id, 'b');
    assert.deepEqual(
      eventsOnDisk(root, 'r')
        .slice(4)
        .map((e) => e.type),
      ['context.task.claimed', 'context.task.heartbeat', 'context.task.completed', 'context.task.claimed'],
    );
  });

  it("tasks list names a task's agent while it holds the task and once it finished it, not after it let go", () => {
    const root = tempWorkspace();
    seedRun(root, 'r', PLAN);
    const agentOf = (id: string) => {
      const lines = cli(['--root', root, 'tasks', 'list']).stdout.split('\n');
      const at = lines[0].indexOf('AGENT');
      const row = lines.find((l) => l.startsWith(`${id} `))!;
      return row.slice(at, lines[0].indexOf('LEASE')).trim();
    };
    const claimed = cliJson(root, ['--agent', 'agent-1', 'claim', '--task', 'a']).task;
    assert.equal(agentOf('a'), 'agent-1');
    cliJson(root, ['release', '--token', claimed.lease_token]);
    assert.equal(agentOf('a'), '', 'released: waiting for any agent');
    const again = cliJson(root, ['--agent', 'agent-2', 'claim', '--task', 'a']).task;
    cliJson(root, ['--agent', 'agent-2', 'complete', '--token', again.lease_token]);
    assert.equal(agentOf('a'), 'agent-2', 'done by agent-2');
  });

  it('reads the token from RUNBOARD_LEASE_TOKEN; --task and --token override', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', PLAN);
    const a = cliJson(root, ['claim']).task;
    const c = cliJson(root, ['claim', '--workflow', 'wf']).task;
    assert.equal(c.id, 'c');
    const env = { RUNBOARD_LEASE_TOKEN: a.lease_token };
    assert.equal(cliJson(root, ['heartbeat'], 0, { env }).task.id, 'a');
    // The env token belongs to a; --token names c's lease, so c is released.
    assert.equal(cliJson(root, ['release', '--token', c.lease_token], 0, { env }).task.id, 'c');
    assert.equal(cliJson(root, ['tasks', 'list']).tasks.find((t: any) => t.id === 'c').status, 'runnable');
    // --task with the env token of another task's lease: the store refuses it.
    const c2 = cliJson(root, ['claim', '--task', 'c']).task;
    const wrong = cliJson(root, ['complete', '--task', 'c'], 1, { env });
    assert.equal(wrong.error.code, 'TASK_LEASE_INVALID');
    assert.equal(cliJson(root, ['complete', '--task', 'c', '--token', c2.lease_token]).task.status, 'done');
    const human = cli(['--root', root, 'complete'], { env });
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /^Completed a \(research, done\) — Look around/);
  });

  it("a title's terminal control sequences are printed as escapes, and kept as they are in JSON", () => {
    const root = tempWorkspace();
    const title = '\u001b[31mRED\u001b]0;pwned\u0007';
    seedRun(root, 'r', [{ id: 'esc', task_type: 'w', payload: { title } }]);
    const list = cli(['--root', root, 'tasks', 'list']);
    assert.equal(list.status, 0, list.stderr);
    assert.doesNotMatch(list.stdout, /[\u001b\u0007]/);
    assert.match(list.stdout, /\\u001b\[31mRED\\u001b\]0;pwned\\u0007/);
    assert.equal(cliJson(root, ['tasks', 'show', 'esc']).task.payload.title, title);
  });

  it('the agent loop commands take the task as their argument, as retry and requeue do', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', PLAN);
    const a = cliJson(root, ['claim', 'a']).task;
    assert.equal(a.id, 'a');
    assert.equal(cliJson(root, ['heartbeat', 'a', '--token', a.lease_token]).task.id, 'a');
    const two = cli(['--root', root, 'complete', 'a', '--task', 'c', '--token', a.lease_token]);
    assert.equal(two.status, 2);
    assert.match(two.stderr, /Two tasks named: a \(the argument\) and c \(--task\)/);
    assert.equal(cliJson(root, ['complete', 'a', '--task', 'a', '--token', a.lease_token]).task.status, 'done');
  });

  it('fail needs --error; retry puts the task back until attempts run out', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', [{ id: 'flaky', task_type: 'test', max_attempts: 2 }]);
    const t1 = cliJson(root, ['claim']).task;
    assert.equal(cli(['--root', root, 'fail', '--token', t1.lease_token]).status, 2, '--error is required');
    const blank = cli(['--root', root, 'fail', '--token', t1.lease_token, '--error', '  ']);
    assert.equal(blank.status, 2, 'an empty --error says nothing');
    assert.match(blank.stderr, /--error <text>.*Expected some text/);
    const failed = cliJson(root, ['fail', '--token', t1.lease_token, '--error', 'assertion failed']);
    assert.equal(failed.task.status, 'failed');
    assert.equal(failed.task.attempt, 1);
    assert.equal(failed.task.last_error, 'assertion failed');
    assert.equal(cliJson(root, ['claim'], 3).task, null, 'a failed task is not claimable (exit 3)');
    assert.equal(cliJson(root, ['retry', 'flaky']).task.status, 'runnable');
    const t2 = cliJson(root, ['claim']).task;
    cliJson(root, ['fail', '--token', t2.lease_token, '--error', 'again']);
    const exhausted = cliJson(root, ['retry', '--task', 'flaky'], 1);
    assert.equal(exhausted.error.code, 'TASK_ATTEMPTS_EXHAUSTED');
    assert.deepEqual({ attempt: exhausted.error.data.attempt, max: exhausted.error.data.max_attempts }, { attempt: 2, max: 2 });
    assert.equal(cli(['--root', root, 'retry']).status, 2, 'retry needs a task');
  });

  it('requeue takes a live lease only with --force; a stale token then gets TASK_LEASE_EXPIRED', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', PLAN);
    const a = cliJson(root, ['claim']).task;
    const active = cliJson(root, ['requeue', 'a'], 1);
    assert.equal(active.error.code, 'TASK_LEASE_ACTIVE');
    const requeued = cliJson(root, ['requeue', 'a', '--force', '--reason', 'stuck']);
    assert.equal(requeued.task.status, 'runnable');
    assert.equal(requeued.task.last_error, 'stuck');
    const stale = cli(['--root', root, 'heartbeat', '--token', a.lease_token]);
    assert.equal(stale.status, 1);
    assert.match(stale.stderr, /TASK_LEASE_EXPIRED/);
  });

  it('a claim with nothing claimable prints null and why, clears the token for eval, and exits 3 (issue 16)', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', [PLAN[0]]);
    const json = cliJson(root, ['claim', '--type', 'nothing-of-this-type'], 3);
    assert.deepEqual([json.task, json.reason], [null, 'no_match']);
    const human = cli(['--root', root, 'claim', '--type', 'nothing-of-this-type']);
    assert.equal(human.status, 3);
    assert.match(
      human.stdout,
      /^# Nothing to claim in run r now: no task is of the task type or workflow asked for\.\nexport RUNBOARD_TASK=\nexport RUNBOARD_LEASE_TOKEN=$/m,
    );
    const named = cli(['--root', root, 'claim', '--task', 'ghost']);
    assert.equal(named.status, 1);
    assert.match(named.stderr, /TASK_NOT_FOUND/);
  });

  it('human claim output shows the lease and an export line for the token', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', PLAN);
    const r = cli(['--root', root, '--agent', 'me', 'claim']);
    assert.equal(r.status, 0, r.stderr);
    const token = /^export RUNBOARD_LEASE_TOKEN=(lease-\S+)$/m.exec(r.stdout)?.[1];
    assert.ok(token, r.stdout);
    // Comments and exports only: `eval` of the whole output is safe (issue 16).
    assert.match(r.stdout, /^# Claimed a \(research, in_progress\) — Look around/);
    assert.match(r.stdout, /owner {4}me, expires in \d+s/);
    assert.match(r.stdout, /^export RUNBOARD_RUN=r$/m);
    assert.match(r.stdout, /^export RUNBOARD_TASK=a$/m);
    assert.match(r.stdout, /^export RUNBOARD_AGENT=me$/m, 'the later calls of the loop act as the agent that claimed');
    assert.deepEqual(
      r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('export ')),
      [],
    );
    // Its own token, with RUNBOARD_LEASE_TOKEN set; another session's listing leaves it out.
    assert.equal(cliJson(root, ['tasks', 'list'], 0, { env: { RUNBOARD_LEASE_TOKEN: token } }).tasks[0].lease_token, token);
    assert.equal(cliJson(root, ['tasks', 'list']).tasks[0].lease_token, undefined);
    // tasks show for people: the same rule (it printed every holder's token).
    const shown = (env: Record<string, string>) => cli(['--root', root, '--agent', 'other', 'tasks', 'show', 'a'], { env }).stdout;
    assert.equal(shown({}).includes(token), false, "another agent's tasks show does not print the token");
    assert.match(shown({}), /^ {2}lease {7}held \(its token is its holder's\)$/m);
    assert.match(shown({ RUNBOARD_LEASE_TOKEN: token }), new RegExp(`^ {2}lease {7}${token}$`, 'm'));
  });

  it(
    'a shell agent loop: eval the export lines of a claim, then complete with no arguments',
    { skip: process.platform === 'win32' },
    () => {
      const root = tempWorkspace();
      seedRun(root, 'loop', PLAN);
      seedRun(root, 'other');
      const node = JSON.stringify(process.execPath);
      const script = `set -e
      eval "$(${node} ${JSON.stringify(CLI_JS)} --run loop claim | grep '^export ')"
      ${node} ${JSON.stringify(CLI_JS)} --json complete`;
      const r = spawnSync('sh', ['-c', script], { cwd: root, env: cleanEnv(), encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const done = JSON.parse(r.stdout);
      assert.equal(done.task.id, 'a');
      assert.equal(done.task.status, 'done');
    },
  );

  it('lease commands need a task or a token (exit 2), and a token nobody holds is TASK_LEASE_INVALID (exit 1)', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', PLAN);
    const none = cliJson(root, ['complete'], 2);
    assert.equal(none.error.code, 'USAGE');
    assert.match(none.error.message, /--task/);
    // A token is the run's business: one nobody holds or held is a domain error (exit 1), never usage (issue 16).
    const unknown = cliJson(root, ['heartbeat', '--token', 'lease-nobody'], 1);
    assert.equal(unknown.error.code, 'TASK_LEASE_INVALID');
    assert.match(unknown.error.message, /lease-nobody/);
    // With a task but no token, the store asks for the lease.
    cliJson(root, ['claim']);
    assert.equal(cliJson(root, ['complete', '--task', 'a'], 1).error.code, 'TASK_LEASE_REQUIRED');
  });

  it('--command-id makes a claim idempotent: the repeat returns the same task and token, deduped', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', PLAN);
    const first = cliJson(root, ['--command-id', 'claim-1', 'claim']);
    const again = cliJson(root, ['--command-id', 'claim-1', 'claim']);
    assert.equal(again.deduped, true);
    assert.equal(again.task.id, first.task.id);
    assert.equal(again.task.lease_token, first.task.lease_token);
    assert.equal(eventsOnDisk(root, 'r').filter((e) => e.type === 'context.task.claimed').length, 1);
    const conflict = cliJson(root, ['--command-id', 'claim-1', 'claim', '--type', 'review'], 1);
    assert.equal(conflict.error.code, 'COMMAND_ID_CONFLICT');
    // In text, the repeat says so — as a comment, since claim's output is eval'd — and an edit's repeat too.
    const text = cli(['--root', root, '--command-id', 'claim-1', 'claim']);
    assert.match(text.stdout, /\n# a repeat of a recorded command \(the same command_id\): its answer then; nothing was written now\n$/);
    cli(['--root', root, '--command-id', 'edit-1', 'tasks', 'edit', first.task.id, '--priority', '4', '--token', first.task.lease_token]);
    const edited = cli([
      '--root',
      root,
      '--command-id',
      'edit-1',
      'tasks',
      'edit',
      first.task.id,
      '--priority',
      '4',
      '--token',
      first.task.lease_token,
    ]);
    assert.match(edited.stdout, /^Edited .*\n.*\n# a repeat of a recorded command/);
    assert.doesNotMatch(cli(['--root', root, 'tasks', 'show', first.task.id]).stdout, /a repeat/);
  });

  it('with several open runs, a lease command finds the run holding the token', () => {
    const root = tempWorkspace();
    seedRun(root, 'one', PLAN);
    seedRun(root, 'two', PLAN);
    const t = cliJson(root, ['--run', 'two', 'claim']).task;
    assert.equal(cliJson(root, ['claim'], 2).error.code, 'RUN_AMBIGUOUS');
    const done = cliJson(root, ['complete'], 0, { env: { RUNBOARD_LEASE_TOKEN: t.lease_token } });
    assert.equal(done.task.status, 'done');
    assert.equal(cliJson(root, ['--run', 'two', 'tasks', 'list']).tasks[0].status, 'done');
  });
});

describe('runboard tasks list --filter', () => {
  it('keeps the tasks matching every word; an unknown key is a usage error naming the keys', () => {
    const root = tempWorkspace();
    seedRun(root, 'f', [
      {
        id: 'api',
        task_type: 'implementation',
        labels: ['backend'],
        payload: { title: 'Build the API', output_target: { path: 'api.ts' } },
      },
      { id: 'ui', task_type: 'implementation', labels: ['frontend'], payload: { title: 'Build the UI', output_target: { path: 'ui.ts' } } },
      { id: 'docs', task_type: 'research', payload: { title: 'Survey the API docs' } },
    ]);
    const ids = (filter: string) =>
      cliJson(root, ['--run', 'f', 'tasks', 'list', '--filter', filter]).tasks.map((t: { id: string }) => t.id);
    assert.deepEqual(ids('label:backend'), ['api']);
    assert.deepEqual(ids('type:impl build'), ['api', 'ui']);
    assert.deepEqual(ids('api'), ['api', 'docs'], 'plain text in ids and titles');
    const bad = cli(['--root', root, '--run', 'f', 'tasks', 'list', '--filter', 'owner:bob']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--filter: Unknown filter key "owner:"/);
  });
});
