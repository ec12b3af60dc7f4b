// runboard attention: what needs a person, for scripts (--json: the protocol's listAttention
// result, each item with its `resolution`) and for people (each item with the command that resolves it).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { assertBuilt, cli, cliJson, removeTempWorkspaces, seedRun, tempWorkspace, waitFor } from './cliHarness';

after(removeTempWorkspaces);

describe('runboard attention', () => {
  it('lists a task failed to exhaustion and an open question, each with what resolves it; a requeue clears the task', () => {
    assertBuilt();
    const root = tempWorkspace();
    seedRun(root, 'r', [{ id: 'deploy', task_type: 'w', max_attempts: 1, payload: { title: 'Deploy the site' } }]);
    assert.equal(cli(['--root', root, 'attention']).stdout.trim(), 'Nothing needs you.');
    const { task } = cliJson(root, ['--run', 'r', '--agent', 'bot', 'claim']);
    cliJson(root, ['--run', 'r', 'fail', '--token', task.lease_token, '--error', 'the disk is full']);
    const question = cliJson(root, ['--run', 'r', 'question', 'add', 'Which region?']);
    const { items } = cliJson(root, ['attention']);
    assert.deepEqual(items.map((i: { kind: string; action: string }) => [i.kind, i.action]).sort(), [
      ['question_open', 'answer'],
      ['task_exhausted', 'requeue'],
    ]);
    // --json carries the line the text prints under each item.
    assert.equal(
      items.find((i: { kind: string }) => i.kind === 'task_exhausted').resolution,
      'runboard --run r requeue deploy (one more attempt)',
    );
    const text = cli(['--root', root, 'attention']).stdout;
    assert.match(
      text,
      /r {2}Deploy the site failed, no attempts left \(1\/1\): the disk is full\n {4}→ runboard --run r requeue deploy \(one more attempt\)/,
    );
    assert.match(text, new RegExp(`→ runboard --run r question answer ${question.patch.payload.id} "<answer>"`));
    cliJson(root, ['--run', 'r', 'requeue', 'deploy']);
    assert.deepEqual(
      cliJson(root, ['attention']).items.map((i: { kind: string }) => i.kind),
      ['question_open'],
    );
  });

  it('a task failed with attempts left: listed with retry, and the claim of what waits on it says a person is needed', () => {
    assertBuilt();
    const root = tempWorkspace();
    seedRun(root, 'f', [
      { id: 'build', task_type: 'w', payload: { title: 'Build it' } },
      { id: 'ship', task_type: 'w', depends_on_task_ids: ['build'] },
    ]);
    const { task } = cliJson(root, ['--run', 'f', '--agent', 'bot', 'claim']);
    cliJson(root, ['--run', 'f', 'fail', '--token', task.lease_token, '--error', 'tests red']);
    assert.match(
      cli(['--root', root, 'attention']).stdout,
      /^f {2}Build it failed \(1 of 3 attempts used\): tests red\n {4}→ runboard --run f retry build$/m,
    );
    const nothing = cli(['--root', root, '--run', 'f', 'claim']);
    assert.equal(nothing.status, 3);
    assert.match(
      nothing.stdout,
      /^# Nothing to claim in run f now: only blocked or failed tasks, or tasks waiting on a blocked, failed or cancelled one/,
    );
    // RUNBOARD_RUN (an agent's shell, after claim's exports) names another run: the list is that run's, and says so.
    seedRun(root, 'quiet', [{ id: 'q', task_type: 'w' }]);
    const narrowed = cli(['--root', root, 'attention'], { env: { RUNBOARD_RUN: 'quiet' } }).stdout.trim();
    assert.equal(
      narrowed,
      'Nothing needs you in run quiet. Run quiet only (--run or RUNBOARD_RUN names it; without it, every run of the root is listed).',
    );
    assert.match(
      cli(['--root', root, '--run', 'f', 'attention']).stdout,
      /→ runboard --run f retry build\nRun f only \(--run or RUNBOARD_RUN/,
    );
    cliJson(root, ['--run', 'f', 'retry', 'build']);
    assert.equal(cli(['--root', root, 'attention']).stdout.trim(), 'Nothing needs you.');
  });
  it('a blocked task, a paused run and a lease about to run out: each with the command that moves it on', async () => {
    const root = tempWorkspace();
    seedRun(root, 'p', [
      { id: 'held', task_type: 'w', payload: { title: 'Held' } },
      { id: 'stuck', task_type: 'w', status: 'blocked', payload: { title: 'Stuck' } },
    ]);
    // The shortest lease (5 s): listed only once half of it has gone by without a heartbeat — a
    // healthy agent heartbeats by then — and, once run out, with a requeue that needs no force.
    cliJson(root, ['--run', 'p', '--agent', 'bot', 'claim', '--task', 'held', '--lease-ms', '5000']);
    cliJson(root, ['--run', 'p', 'run', 'pause']);
    assert.doesNotMatch(cli(['--root', root, 'attention']).stdout, /Held/, 'just claimed: not listed');
    const text = await waitFor(
      () => {
        const out = cli(['--root', root, 'attention']).stdout;
        return /Held: bot's lease runs out in/.test(out) && out;
      },
      5000,
      'the lease past half its length',
    );
    assert.match(
      text,
      /Stuck is blocked\n {4}→ runboard --run p retry stuck once what blocks it is resolved \(runboard --run p tasks show stuck says what\)/,
    );
    assert.match(
      text,
      /Held: bot's lease runs out in \d+ s, no heartbeat\n {4}→ wait for its agent's heartbeat, or take it back: runboard --run p requeue held --force/,
    );
    assert.match(text, /p {2}Paused: its agents get no task until it is resumed\n {4}→ runboard --run p run resume/);
    const ranOut = await waitFor(
      () => {
        const out = cli(['--root', root, 'attention']).stdout;
        return /Held: bot's lease ran out/.test(out) && out;
      },
      10_000,
      'the lease to run out',
    );
    assert.match(ranOut, /ran out \d+ s ago, no heartbeat.*\n {4}→ put it back on the board now: runboard --run p requeue held$/m);
    cliJson(root, ['--run', 'p', 'run', 'resume']);
    assert.doesNotMatch(cli(['--root', root, 'attention']).stdout, /Paused/);
  });

  it('a damaged run is listed — its agents are refused — with the repair that lets them on; once repaired, not', () => {
    assertBuilt();
    const root = tempWorkspace();
    seedRun(root, 'd', [{ id: 'a', task_type: 'w', payload: { title: 'A' } }]);
    const log = path.join(root, '.runboard', 'runs', 'd', 'events.jsonl');
    const lines = fs.readFileSync(log, 'utf8').split('\n');
    lines.splice(1, 0, '{"not": "an event"');
    fs.writeFileSync(log, lines.join('\n'));
    assert.equal(cli(['--root', root, '--run', 'd', 'claim']).status, 1, 'RUN_DAMAGED: the agent is refused');
    const text = cli(['--root', root, 'attention']).stdout;
    assert.match(
      text,
      /^d {2}Read-only: its log has a damaged line \(line 2: .*\); its agents' writes are refused until it is repaired\n {4}→ runboard --run d repair \(it shows the damage/m,
    );
    cliJson(root, ['--run', 'd', 'repair', '--accept']);
    assert.equal(cli(['--root', root, 'attention']).stdout.trim(), 'Nothing needs you.');
  });

  it('a plan waiting for approval is listed with run approve, which runs the run; approving again writes nothing', () => {
    assertBuilt();
    const root = tempWorkspace();
    cliJson(root, ['run', 'create', 'Ship it\n- Build\n- Ship', '--id', 'plan']);
    cliJson(root, ['--run', 'plan', 'event', 'append', 'planning_started']);
    assert.match(
      cli(['--root', root, 'attention']).stdout,
      /^plan {2}A plan of 3 steps waits for approval\n {4}→ look at it \(runboard --run plan run show\), then approve it: runboard --run plan run approve$/m,
    );
    const approved = cli(['--root', root, '--run', 'plan', 'run', 'approve']);
    assert.match(approved.stdout, /^Approved the plan of run plan: now running \(event #\d+ plan_approved\)$/m);
    assert.equal(cli(['--root', root, 'attention']).stdout.trim(), 'Nothing needs you.');
    const events = cliJson(root, ['--run', 'plan', 'run', 'events']).events.length;
    assert.match(cli(['--root', root, '--run', 'plan', 'run', 'approve']).stdout, /no plan waits for approval; nothing written/);
    assert.equal(cliJson(root, ['--run', 'plan', 'run', 'events']).events.length, events);
  });

  it('a task waiting on a cancelled one is listed, with where to look', () => {
    assertBuilt();
    const root = tempWorkspace();
    seedRun(root, 'c', [
      { id: 'changelog', task_type: 'w', payload: { title: 'Write the changelog' } },
      { id: 'link', task_type: 'w', payload: { title: 'Link it' }, depends_on_task_ids: ['changelog'] },
    ]);
    cliJson(root, ['--run', 'c', 'tasks', 'cancel', 'changelog', '--reason', 'out of scope']);
    assert.match(
      cli(['--root', root, 'attention']).stdout,
      /^c {2}Link it waits on Write the changelog, cancelled: cancel it too, edit its dependencies, or reopen that one\n {4}→ runboard --run c tasks show link$/m,
    );
  });
});
