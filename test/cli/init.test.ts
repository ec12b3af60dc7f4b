// runboard init (issue 16): in a git repository it leaves a .gitignore that git honours — the
// runs stay out of git — and the agent instructions in AGENTS.md; a second init changes nothing.
// And every command's --help shows the global options an agent needs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, cli, cliJson, removeTempWorkspaces, seedRun, startHeadless, stopHeadless, tempWorkspace } from './cliHarness';

before(assertBuilt);
after(removeTempWorkspaces);

function git(root: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('runboard init', () => {
  it('in an empty git repository: a .gitignore git honours, the AGENTS.md block, and a second init changes nothing', () => {
    const root = tempWorkspace();
    git(root, 'init', '-q');
    const first = cliJson(root, ['init']);
    assert.deepEqual(first.changed, [path.join('.runboard', '.gitignore'), 'AGENTS.md']);
    seedRun(root, 'r', [{ id: 'a', task_type: 'w' }]);
    cliJson(root, ['claim']);
    const status = git(root, 'status', '--porcelain', '-uall').trim().split('\n').sort();
    assert.deepEqual(status, ['?? .runboard/.gitignore', '?? AGENTS.md'], 'logs, locks and caches are ignored');
    const agents = fs.readFileSync(path.join(root, 'AGENTS.md'), 'utf8');
    assert.match(agents, /^<!-- runboard:start -->\n[\s\S]*runboard claim --wait[\s\S]*<!-- runboard:end -->\n$/);
    // What surprised agents in their first hour: no run yet, and one agent id for every session of a user.
    assert.match(agents, /no run to work in yet \(RUN_REQUIRED: ask the person you work for to create one\)/);
    assert.match(agents, /export RUNBOARD_AGENT=<a name of your own>/);
    assert.deepEqual(cliJson(root, ['init']).changed, [], 'the second init changes nothing');
    assert.equal(fs.readFileSync(path.join(root, 'AGENTS.md'), 'utf8'), agents);
  });

  it("a .gitignore of the owner's: its lines kept, the rules put before them (or left as it is when it has them)", () => {
    const root = tempWorkspace();
    git(root, 'init', '-q');
    const file = path.join(root, '.runboard', '.gitignore');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '# mine\n!/notes.md\n');
    assert.deepEqual(cliJson(root, ['init']).changed, [path.join('.runboard', '.gitignore'), 'AGENTS.md']);
    const merged = fs.readFileSync(file, 'utf8');
    assert.match(merged, /^# Runboard keeps its runs local[^]*\n\/\*\n!\/\.gitignore\n!\/board\.json\n# mine\n!\/notes\.md\n$/);
    fs.writeFileSync(path.join(root, '.runboard', 'notes.md'), 'kept in git\n');
    seedRun(root, 'r', [{ id: 'a', task_type: 'w' }]);
    const status = git(root, 'status', '--porcelain', '-uall').trim().split('\n').sort();
    assert.deepEqual(
      status,
      ['?? .runboard/.gitignore', '?? .runboard/notes.md', '?? AGENTS.md'],
      'their line still counts; the runs stay out',
    );
    // Set up now: left as it is, their lines and all.
    fs.appendFileSync(file, '!/more.md\n');
    const before = fs.readFileSync(file, 'utf8');
    assert.deepEqual(cliJson(root, ['init']).changed, []);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });

  it('without init, the first write makes .runboard/ with the same .gitignore; an existing .runboard/ is left as it is', async () => {
    const root = tempWorkspace();
    git(root, 'init', '-q');
    cliJson(root, ['run', 'create', 'No init first']);
    cliJson(root, ['tasks', 'add', 'One task']);
    cliJson(root, ['claim']);
    const ignored = () => git(root, 'status', '--porcelain', '-uall').trim().split('\n').sort();
    assert.deepEqual(ignored(), ['?? .runboard/.gitignore'], 'logs, locks and caches are ignored');
    assert.deepEqual(cliJson(root, ['init']).changed, ['AGENTS.md'], 'init finds its .gitignore in place');

    const served = tempWorkspace();
    git(served, 'init', '-q');
    await startHeadless(served);
    assert.deepEqual(git(served, 'status', '--porcelain', '-uall').trim(), '?? .runboard/.gitignore', 'serve --socket made it');
    await stopHeadless();

    const own = tempWorkspace();
    fs.mkdirSync(path.join(own, '.runboard'));
    cliJson(own, ['run', 'create', 'Its own folder']);
    assert.equal(fs.existsSync(path.join(own, '.runboard', '.gitignore')), false);
  });

  it('keeps what AGENTS.md had, replaces an older block in place, and writes CLAUDE.md by flag; --print only prints', () => {
    const root = tempWorkspace();
    fs.writeFileSync(
      path.join(root, 'AGENTS.md'),
      '# Rules\n\nBe brief.\n\n<!-- runboard:start -->\nold text\n<!-- runboard:end -->\n\n## More\n',
    );
    cliJson(root, ['init', '--claude']);
    const text = fs.readFileSync(path.join(root, 'AGENTS.md'), 'utf8');
    assert.match(text, /^# Rules\n\nBe brief\.\n\n<!-- runboard:start -->\n## Shared task board/);
    assert.match(text, /<!-- runboard:end -->\n\n## More\n$/);
    assert.doesNotMatch(text, /old text/);
    assert.ok(fs.existsSync(path.join(root, 'CLAUDE.md')));
    const printed = cli(['--root', root, 'init', '--print']);
    assert.match(printed.stdout, /^<!-- runboard:start -->/);
  });

  it('writes no file outside the workspace through a link a repository carries; a link within it is written through', () => {
    const root = tempWorkspace();
    const away = tempWorkspace();
    const precious = path.join(away, 'precious.txt');
    fs.writeFileSync(precious, 'precious\n');
    fs.symlinkSync(precious, path.join(root, 'AGENTS.md'));
    fs.symlinkSync(path.join(away, 'not-yet.md'), path.join(root, 'CLAUDE.md'));
    const r = cli(['--root', root, 'init', '--claude']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /AGENTS\.md leads out of the workspace, to .*precious\.txt: not written/);
    assert.match(r.stderr, /CLAUDE\.md leads out of the workspace, to .*not-yet\.md: not written/);
    assert.equal(fs.readFileSync(precious, 'utf8'), 'precious\n');
    assert.equal(fs.existsSync(path.join(away, 'not-yet.md')), false, 'a dangling link is not followed either');
    // The folder a file goes in, a link out of the workspace: not written in either.
    fs.mkdirSync(path.join(away, 'gh'));
    fs.symlinkSync(path.join(away, 'gh'), path.join(root, '.github'));
    const copilot = cli(['--root', root, 'init', '--copilot']);
    assert.match(copilot.stderr, /\.github\/copilot-instructions\.md leads out of the workspace/);
    assert.deepEqual(fs.readdirSync(path.join(away, 'gh')), []);

    const inside = tempWorkspace();
    fs.writeFileSync(path.join(inside, 'CLAUDE.md'), '# Claude\n');
    fs.symlinkSync('CLAUDE.md', path.join(inside, 'AGENTS.md'));
    cliJson(inside, ['init']);
    assert.match(fs.readFileSync(path.join(inside, 'CLAUDE.md'), 'utf8'), /^# Claude\n[\s\S]*<!-- runboard:start -->/);
  });
});

describe('--help of every command', () => {
  it('shows the global options (--json, --run, --agent, --root)', () => {
    for (const command of [['claim'], ['complete'], ['mcp'], ['tasks', 'add']]) {
      const help = cli([...command, '--help']).stdout;
      for (const option of ['--json', '--run <run_id>', '--agent <agent_id>', '--root <dir>']) {
        assert.ok(help.includes(option), `runboard ${command.join(' ')} --help lacks ${option}`);
      }
    }
    assert.match(cli(['--help']).stdout, /3 nothing to claim now/);
  });
  it('refuses an option value out of its range before doing anything (serve --archive-after-days -1)', () => {
    for (const value of ['-1', '36501', 'soon']) {
      const r = cli(['serve', '--socket', '--archive-after-days', value]);
      assert.equal(r.status, 2, value);
      assert.match(r.stderr, /--archive-after-days <days>.*Expected a whole number of days, 0 to 36500\./);
    }
  });
});
