// What only a reader of the files sees — a damaged line, a cache rebuilt from the log — reaches the
// person at the CLI: a direct call says it on stderr (a few lines, each once), after its result;
// `run show`, which lists the damage itself, does not say it twice; and a group named alone lists.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RepairRunResult } from '../../contract/results';
import {
  assertBuilt,
  cli,
  cliJson,
  removeTempWorkspaces,
  seedRun,
  startHeadless,
  stopHeadless,
  tempWorkspace,
  waitFor,
} from './cliHarness';

before(assertBuilt);
after(async () => {
  await stopHeadless();
  removeTempWorkspaces();
});

const TASKS = Array.from({ length: 12 }, (_, i) => ({ id: `t${i}`, task_type: 'work', payload: { title: `T${i}` } }));

function damagedRun(lines: number[]): { root: string; log: string } {
  const root = tempWorkspace();
  seedRun(root, 'r', TASKS);
  for (let i = 0; i < 8; i++) cliJson(root, ['--run', 'r', 'fact', 'add', `fact ${i}`]);
  const log = path.join(root, '.runboard', 'runs', 'r', 'events.jsonl');
  const text = fs.readFileSync(log, 'utf8').split('\n');
  for (const n of lines) text[n - 1] = '{"damaged": tru';
  fs.writeFileSync(log, text.join('\n'));
  return { root, log };
}

describe('store diagnostics at the CLI', () => {
  it('a direct call says a damaged line on stderr, once, and its result stays whole on stdout', () => {
    const { root, log } = damagedRun([4]);
    const r = cli(['--root', root, '--run', 'r', '--json', 'tasks', 'list']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(Array.isArray(JSON.parse(r.stdout).tasks), 'stdout is the one JSON document');
    const said = r.stderr.split('\n').filter((l) => l.includes(`${log}:4: Malformed line skipped`));
    assert.equal(said.length, 1, r.stderr);
  });

  it('a last event whose newline an editor removed is read by the next call, silently; a write puts the newline back', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', TASKS.slice(0, 2));
    cliJson(root, ['--run', 'r', 'fact', 'add', 'the last event']);
    const log = path.join(root, '.runboard', 'runs', 'r', 'events.jsonl');
    fs.writeFileSync(log, fs.readFileSync(log, 'utf8').replace(/\n$/, ''));
    // Saved a while ago: no writer can be in the middle of it.
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(log, past, past);
    const r = cli(['--root', root, '--run', 'r', '--json', 'blackboard']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /the last event/);
    assert.equal(r.stderr, '', 'a whole event is no torn line');
    assert.ok(fs.readFileSync(log, 'utf8').endsWith('}'), 'a read writes nothing');
    cliJson(root, ['--run', 'r', 'fact', 'add', 'after it']);
    const lines = fs.readFileSync(log, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the log ends with a newline again');
    assert.match(lines[lines.length - 2], /the last event/);
    assert.match(lines[lines.length - 1], /after it/);
  });

  it('an older copy of the log put back (git stash, a backup) is said at every call until the log passes what was recorded', async () => {
    const root = tempWorkspace();
    seedRun(root, 'r', TASKS.slice(0, 2));
    const log = path.join(root, '.runboard', 'runs', 'r', 'events.jsonl');
    const index = path.join(root, '.runboard', 'runs', 'r', 'index.json');
    const older = fs.readFileSync(log);
    // A server writes the caches about a second after a change (a CLI call leaves them to it).
    await startHeadless(root, ['--idle-timeout', '0']);
    const recorded = cliJson(root, ['--run', 'r', 'fact', 'add', 'recorded, then lost']).patch.seq as number;
    await waitFor(
      () => fs.existsSync(index) && JSON.parse(fs.readFileSync(index, 'utf8')).last_event_seq === recorded,
      10_000,
      'the caches',
    );
    await stopHeadless();
    fs.renameSync(log, `${log}.kept`);
    fs.writeFileSync(log, older);
    const r = cli(['--root', root, '--run', 'r', 'blackboard']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /recorded, then lost/);
    assert.match(r.stderr, new RegExp(`but Runboard recorded events up to seq ${recorded} \\(its caches say so\\)`));
    assert.match(r.stderr, /git stash pop/);
    // Listed as needing the person until the log passes that seq, with what keeps the events.
    const { items } = cliJson(root, ['attention']);
    assert.deepEqual(
      items.map((i: { kind: string; action: string }) => [i.kind, i.action]),
      [['log_lost_events', 'replay']],
    );
    assert.match(
      items[0].title,
      new RegExp(
        `^Its log lost events it had recorded: it ends at seq ${recorded - 1}, without seq ${recorded} \\(an older copy put back\\?\\)$`,
      ),
    );
    assert.match(items[0].resolution, /put the newer copy of the log back to keep them/);
    // The newer copy put back (git stash pop): nothing lost, nothing said.
    fs.renameSync(`${log}.kept`, log);
    const back = cli(['--root', root, '--run', 'r', 'blackboard']);
    assert.match(back.stdout, /recorded, then lost/);
    assert.equal(back.stderr, '');
    assert.deepEqual(cliJson(root, ['attention']).items, []);
  });

  it('damage a repair accepted is not said again at every call; damage after the repair is', () => {
    const { root, log } = damagedRun([4]);
    cliJson(root, ['repair', 'r', '--accept']);
    const quiet = cli(['--root', root, '--run', 'r', 'tasks', 'list']);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stderr, '', 'accepted: no news');
    fs.appendFileSync(log, '{"damaged": tru\n');
    const told = cli(['--root', root, '--run', 'r', 'tasks', 'list']);
    const lines = told.stderr.trim().split('\n');
    assert.equal(lines.length, 1, told.stderr);
    assert.match(lines[0], /Malformed line skipped/);
    assert.doesNotMatch(lines[0], new RegExp(`${log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:`));
  });

  it('a line doubled (the event before it written again) is said to lose nothing; repair offers no restore of it', () => {
    const { root, log } = damagedRun([]);
    const lines = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const last = lines.length;
    // The caches name the last event (a cached load reads on from them), then the line is doubled;
    // and an older line repeated further down is a repeat that may hide a lost event, as before.
    cliJson(root, ['--run', 'r', 'replay']);
    fs.appendFileSync(log, `${lines[last - 1]}\n`);
    const r = cli(['--root', root, '--run', 'r', 'tasks', 'list']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `:${last + 1}: Event seq ${last} is written twice: this line repeats the event before it; not folded \\(nothing is lost\\)`,
      ),
    );
    const offer = cli(['--root', root, 'repair', 'r']);
    assert.match(offer.stdout + offer.stderr, /Nothing was lost: the line repeats the event before it\./);
    assert.doesNotMatch(offer.stdout + offer.stderr, /Nothing can restore/);
    const found = cliJson<RepairRunResult>(root, ['repair', 'r']);
    assert.deepEqual(
      found.damage.map((d) => [d.line, d.duplicate]),
      [[last + 1, true]],
    );
    fs.appendFileSync(log, `${lines[2]}\n`);
    const both = cliJson<RepairRunResult>(root, ['repair', 'r']);
    assert.deepEqual(
      both.damage.map((d) => [d.line, d.duplicate]),
      [
        [last + 1, true],
        [last + 2, undefined],
      ],
    );
    assert.match(both.damage[1].message, /Event seq 3 repeats \(expected \d+\)/);
    const accepted = cliJson<RepairRunResult>(root, ['repair', 'r', '--accept']);
    assert.ok(
      (accepted.event!.payload as { damage: object[] }).damage.every((d) => !('duplicate' in d)),
      'the repair event lists lines as before',
    );
  });

  it('says at most five and counts the rest, naming where the whole list is', () => {
    const { root } = damagedRun([4, 5, 6, 7, 8, 9, 10]);
    const r = cli(['--root', root, '--run', 'r', 'blackboard']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 6, r.stderr);
    assert.match(lines[5], /^runboard: … and \d+ more \(`runboard run show r` lists the log's damage\)\.$/);
  });

  it('a write refused as RUN_DAMAGED is that error alone: it sums up the damage, its lines are not said again after it', () => {
    const { root } = damagedRun([4, 5, 6, 7, 8, 9, 10, 11]);
    const r = cli(['--root', root, '--run', 'r', 'fact', 'add', 'refused']);
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^runboard: RUN_DAMAGED: Run r is read-only: .* \(and \d+ more\)\. Reads fold around them\./);
  });

  it('run show lists the damage once, in its output, not again on stderr', () => {
    const { root, log } = damagedRun([4]);
    const r = cli(['--root', root, 'run', 'show', 'r']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4 +Malformed line skipped`));
    assert.doesNotMatch(r.stderr, /Malformed line skipped/);
  });

  it('a routed call leaves the files to the headless server, which says their damage on its stderr', async () => {
    const { root, log } = damagedRun([4]);
    const server = await startHeadless(root, ['--idle-timeout', '0']);
    const r = cli(['--root', root, '--run', 'r', 'tasks', 'list'], { env: { RUNBOARD_DEBUG: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /routed/i, 'the call went to the server');
    assert.doesNotMatch(r.stderr, /Malformed line skipped/);
    await waitFor(() => server.stderr().includes(`${log}:4: Malformed line skipped`), 10_000, 'the server says the damaged line');
  });

  it('a group named alone is its listing: `tasks` lists, `run` shows', () => {
    const root = tempWorkspace();
    seedRun(root, 'r', TASKS.slice(0, 2));
    assert.deepEqual(
      cliJson(root, ['tasks']).tasks.map((t: { id: string }) => t.id),
      ['t0', 't1'],
    );
    assert.deepEqual(
      cliJson(root, ['tasks', '--status', 'pending']).tasks.map((t: { id: string }) => t.id),
      ['t0', 't1'],
    );
    assert.equal(cliJson(root, ['run']).run.run_id, 'r');
    const typo = cli(['--root', root, 'tasks', 'lsit']);
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /Did you mean list\?/);
  });
});
