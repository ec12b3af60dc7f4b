// runboard claim --worktree with a real git repository (issue 22): three agents claiming at once get
// three worktrees on three branches, outside the workspace; completing removes a clean worktree
// and keeps its branch, keeps a dirty one and says so; a failed task's next attempt reuses its
// worktree; a dependent task starts from its dependency's branch; a CLI call from inside a worktree
// (with RUNBOARD_ROOT, or without it: a worktree's board is its main worktree's) acts on the run in
// the main workspace; no repository is a clear error, before anything is claimed;
// merges and rebases stop on conflicts changing nothing; an MCP session claims with a worktree too.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  assertBuilt,
  cleanEnv,
  cli,
  cliAsync,
  cliJson,
  CLI_JS,
  eventsOnDisk,
  removeTempWorkspaces,
  seedRun,
  startHeadless,
  stopHeadless,
  tempWorkspace,
} from './cliHarness';

const homes: string[] = [];
after(async () => {
  await stopHeadless();
  removeTempWorkspaces();
  // The worktrees went beside each repository (the default place).
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** A file written and committed in a worktree (or the main one). */
function commit(where: string, file: string, text: string): void {
  fs.writeFileSync(path.join(where, file), text);
  git(where, 'add', file);
  git(where, 'commit', '-q', '-m', file);
}

/** `task` (claimed with a worktree) completed with `file` left uncommitted in it: its worktree kept (--force). */
function completeLeaving(
  root: string,
  run: string,
  task: { lease_token: string; worktree: { path: string } },
  file: string,
  text: string,
): void {
  fs.writeFileSync(path.join(task.worktree.path, file), text);
  cliJson(root, ['--run', run, 'complete', '--token', task.lease_token, '--force']);
}

/** An MCP session on `root` (`runboard mcp`), spoken to by the SDK's own client. */
async function mcpSession(root: string): Promise<Client> {
  const client = new Client({ name: 'runboard-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [CLI_JS, 'mcp', '--root', root],
      env: cleanEnv({ RUNBOARD_AGENT: 'model' }) as Record<string, string>,
      stderr: 'pipe',
    }),
  );
  return client;
}

/** A repository with one commit, set up by `runboard init` (.runboard/.gitignore committed: every worktree checks out a .runboard/ without runs). */
function repository(): string {
  const root = tempWorkspace('runboard-git-');
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.email', 'test@example.com');
  git(root, 'config', 'user.name', 'Test');
  fs.writeFileSync(path.join(root, 'README.md'), '# project\n');
  assert.equal(cli(['--root', root, 'init']).status, 0);
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'first');
  homes.push(`${root}.worktrees`);
  return root;
}

describe('runboard claim --worktree', () => {
  it('a worktree per task: made outside the workspace, settled on completion, reused, based on a dependency', async () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'wt', [
      { id: 'a', task_type: 'w' },
      { id: 'b', task_type: 'w' },
      { id: 'c', task_type: 'w', max_attempts: 3 },
      { id: 'd', task_type: 'w', depends_on_task_ids: ['a'] },
    ]);
    // Three agents at once: the worktree adds are serialised per repository.
    const claims = await Promise.all(
      (['a', 'b', 'c'] as const).map((id, i) =>
        cliAsync(['--root', root, '--json', '--run', run, '--agent', `agent-${i}`, 'claim', '--task', id, '--worktree']),
      ),
    );
    const tasks = claims.map((r) => {
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout).task;
    });
    const trees = tasks.map((t) => t.worktree);
    assert.deepEqual(
      trees.map((w) => w.branch),
      [`runboard/${run}/a`, `runboard/${run}/b`, `runboard/${run}/c`],
    );
    assert.equal(new Set(trees.map((w) => w.path)).size, 3);
    const home = path.join(path.dirname(root), `${path.basename(root)}.worktrees`);
    for (const w of trees) {
      assert.equal(w.state, 'active');
      assert.ok(w.path.startsWith(home + path.sep), `${w.path} is outside the workspace, beside it`);
      assert.equal(git(w.path, 'rev-parse', '--abbrev-ref', 'HEAD'), w.branch);
      assert.equal(w.base, git(root, 'rev-parse', 'HEAD'));
    }
    const text = cli(['--root', root, '--run', run, '--agent', 'agent-x', 'claim', '--task', 'd', '--worktree']);
    assert.equal(text.status, 3, 'd waits for a');

    // a: committed work; completed from inside its worktree (RUNBOARD_ROOT as claim exported it) → removed, branch kept.
    fs.writeFileSync(path.join(trees[0].path, 'a.txt'), 'done by a\n');
    git(trees[0].path, 'add', 'a.txt');
    git(trees[0].path, 'commit', '-q', '-m', 'a');
    const doneA = cliJson(root, ['complete', '--token', tasks[0].lease_token], 0, {
      cwd: trees[0].path,
      env: { RUNBOARD_ROOT: root, RUNBOARD_WORKTREE: trees[0].path },
    });
    assert.equal(doneA.task.status, 'done');
    assert.equal(doneA.task.worktree.state, 'removed');
    assert.equal(fs.existsSync(trees[0].path), false);
    assert.equal(git(root, 'show', `${trees[0].branch}:a.txt`), 'done by a');

    // b: an uncommitted file → not completed: its branch, where the tasks after it start, lacks it. With --force: kept, and said so.
    fs.writeFileSync(path.join(trees[1].path, 'wip.txt'), 'not committed\n');
    const refusedB = cli(['--root', root, '--run', run, 'complete', '--token', tasks[1].lease_token], {
      env: { RUNBOARD_WORKTREE: trees[1].path },
    });
    assert.equal(refusedB.status, 1);
    assert.match(
      refusedB.stderr,
      /^runboard: WORKTREE_UNCOMMITTED: Task b is not completed: its worktree \S+ holds uncommitted changes, and its branch runboard\/wt\/b — what the worktrees of the tasks after it start from, and what a merge brings in — lacks them\. Commit them/,
    );
    assert.equal(cliJson(root, ['--run', run, 'tasks', 'show', 'b']).task.status, 'in_progress', 'nothing written');
    const doneB = cli(['--root', root, '--run', run, 'complete', '--token', tasks[1].lease_token, '--force'], {
      env: { RUNBOARD_WORKTREE: trees[1].path },
    });
    assert.equal(doneB.status, 0, doneB.stderr);
    assert.match(doneB.stdout, /# worktree kept: .* holds uncommitted changes: commit them on runboard\/wt\/b/);
    assert.ok(fs.existsSync(path.join(trees[1].path, 'wip.txt')));
    const b = cliJson(root, ['--run', run, 'tasks', 'show', 'b']).task;
    assert.equal(b.worktree.state, 'kept');
    // A new shell in a worktree, RUNBOARD_ROOT not exported, from a folder inside it: the worktree's board is the main workspace's.
    fs.mkdirSync(path.join(trees[1].path, 'sub'));
    const inside = cli(['--json', '--run', run, 'tasks', 'show', 'b'], { cwd: path.join(trees[1].path, 'sub') });
    assert.equal(inside.status, 0, inside.stderr);
    assert.equal(JSON.parse(inside.stdout).task.worktree.state, 'kept');
    assert.equal(fs.existsSync(path.join(trees[1].path, '.runboard', 'runs')), false, 'no board made in the worktree');
    // …and so does an MCP server or a window given the worktree as its root.
    assert.equal(cliJson(trees[1].path, ['--run', run, 'tasks', 'show', 'b']).task.id, 'b');

    // c: failed, then claimed again → the same worktree.
    cliJson(root, ['--run', run, 'fail', '--token', tasks[2].lease_token, '--error', 'flaky']);
    cliJson(root, ['--run', run, 'retry', 'c']);
    const again = cliJson(root, ['--run', run, '--agent', 'agent-2', 'claim', '--task', 'c', '--worktree']).task;
    assert.equal(again.worktree.path, trees[2].path);
    assert.equal(again.worktree.branch, trees[2].branch);

    // d: from a's branch, a's work in it.
    const d = cliJson(root, ['--run', run, '--agent', 'agent-3', 'claim', '--task', 'd', '--worktree']).task;
    assert.equal(d.worktree.base, `runboard/${run}/a`);
    assert.equal(fs.readFileSync(path.join(d.worktree.path, 'a.txt'), 'utf8'), 'done by a\n');
    const shell = cli(['--root', root, '--run', run, 'tasks', 'show', 'd']);
    assert.equal(shell.status, 0);
  });

  it('a task after several starts with the work of all of them: merged in, from HEAD once they are in it, and said when one cannot be', () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'md', [
      { id: 'p', task_type: 'w' },
      { id: 'q', task_type: 'w' },
      { id: 'r', task_type: 'w', depends_on_task_ids: ['p', 'q'] },
      { id: 'x', task_type: 'w' },
      { id: 'y', task_type: 'w' },
      { id: 'z', task_type: 'w', depends_on_task_ids: ['x', 'y'] },
      { id: 's', task_type: 'w', depends_on_task_ids: ['p', 'q'] },
    ]);
    /** `id` claimed with a worktree, `files` committed there, and completed. */
    const worked = (id: string, files: Record<string, string>) => {
      const t = cliJson(root, ['--run', run, '--agent', id, 'claim', '--task', id, '--worktree']).task;
      for (const [file, text] of Object.entries(files)) commit(t.worktree.path, file, text);
      cliJson(root, ['--run', run, 'complete', '--token', t.lease_token]);
    };
    worked('p', { 'p.txt': 'p\n' });
    worked('q', { 'q.txt': 'q\n' });
    const r = cli(['--root', root, '--run', run, '--agent', 'r', 'claim', '--task', 'r', '--worktree']);
    assert.equal(r.status, 0, r.stderr);
    const rPath = /^export RUNBOARD_WORKTREE=(\S+)$/m.exec(r.stdout)![1].replace(/^'|'$/g, '');
    assert.deepEqual(
      ['p.txt', 'q.txt'].map((f) => fs.existsSync(path.join(rPath, f))),
      [true, true],
      "both dependencies' work (until this change only q's)",
    );
    assert.match(r.stdout, /^# worktree \S+ \(branch runboard\/md\/r, from runboard\/md\/q \+ runboard\/md\/p\)$/m);

    // Two dependencies that changed the same lines: the first merged, the other left out — said, with how to bring it in.
    worked('x', { 'same.txt': 'x\n' });
    worked('y', { 'same.txt': 'y\n' });
    const z = cliJson(root, ['--run', run, '--agent', 'z', 'claim', '--task', 'z', '--worktree']).task;
    assert.equal(z.worktree.base, `runboard/${run}/y`);
    assert.equal(fs.readFileSync(path.join(z.worktree.path, 'same.txt'), 'utf8'), 'y\n');
    assert.equal(
      z.worktree.note,
      `This worktree lacks the work of runboard/${run}/x, a dependency: merging it failed (it conflicts in same.txt); merge it in here (git merge runboard/${run}/x).`,
    );
    assert.equal(git(z.worktree.path, 'status', '--porcelain'), '', 'the failed merge left nothing behind');

    // Both merged into main: a task after them starts from main, which holds them and whatever else came since.
    cliJson(root, ['--run', run, 'tasks', 'merge', 'p']);
    cliJson(root, ['--run', run, 'tasks', 'merge', 'q']);
    commit(root, 'main.txt', 'since\n');
    const s = cliJson(root, ['--run', run, '--agent', 's', 'claim', '--task', 's', '--worktree']).task;
    assert.equal(s.worktree.base, git(root, 'rev-parse', 'HEAD'));
    assert.deepEqual(
      ['p.txt', 'q.txt', 'main.txt'].map((f) => fs.existsSync(path.join(s.worktree.path, f))),
      [true, true, true],
    );
  });

  it('without a repository: GIT_UNAVAILABLE, and nothing is claimed', () => {
    assertBuilt();
    const root = tempWorkspace();
    const run = seedRun(root, 'nogit', [{ id: 'a', task_type: 'w' }]);
    const r = cli(['--root', root, '--run', run, 'claim', '--worktree']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /GIT_UNAVAILABLE: .* is not in a git repository: worktrees need one/);
    assert.equal(cliJson(root, ['--run', run, 'tasks', 'show', 'a']).task.status, 'pending', 'not claimed');
  });

  it('a repository with no commit yet: GIT_UNAVAILABLE saying to make one, and nothing is claimed', () => {
    assertBuilt();
    const root = tempWorkspace('runboard-git-');
    git(root, 'init', '-q', '-b', 'main');
    const run = seedRun(root, 'nocommit', [{ id: 'a', task_type: 'w' }]);
    const before = eventsOnDisk(root, run).length;
    const r = cli(['--root', root, '--run', run, 'claim', '--worktree']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /GIT_UNAVAILABLE: .* has no commit yet: a worktree branches from one \(make a first commit\)\./);
    assert.equal(eventsOnDisk(root, run).length, before, 'no claim, no release: nothing written');
  });

  it('without git on PATH: GIT_UNAVAILABLE saying so, and nothing is claimed', () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'nogitbin', [{ id: 'a', task_type: 'w' }]);
    const r = cli(['--root', root, '--run', run, 'claim', '--worktree'], { env: { PATH: path.join(root, 'no-such-bin') } });
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /GIT_UNAVAILABLE: git is not installed \(or not on PATH\): worktrees need it\. Install git, or claim without a worktree\./,
    );
    assert.equal(cliJson(root, ['--run', run, 'tasks', 'show', 'a']).task.status, 'pending', 'not claimed');
  });

  it('a worktree git cannot make: the error, and the task released — nobody holds a lease whose token was never printed', () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'nomk', [{ id: 'a', task_type: 'w' }]);
    const blocker = path.join(root, '..', `${path.basename(root)}-a-file`);
    fs.writeFileSync(blocker, 'not a folder\n');
    try {
      const r = cli(['--root', root, '--run', run, 'claim', '--worktree'], { env: { RUNBOARD_WORKTREES: path.join(blocker, 'under') } });
      assert.equal(r.status, 1, r.stdout);
      assert.match(r.stderr, /GIT_FAILED: Cannot make the folder .* for the task's worktree: ENOTDIR\./);
      assert.match(r.stderr, /Task a was released \(claimed again, it is tried anew\)\./);
      const a = cliJson(root, ['--run', run, 'tasks', 'show', 'a']).task;
      assert.deepEqual([a.status, a.lease_owner, a.worktree], ['runnable', undefined, undefined]);
      // Where mkdir answers ENOENT under a folder that exists, node's recursive mkdir never returned
      // (the claim spun, holding the repository's worktree lock): now the same error.
      if (process.platform === 'linux') {
        const proc = cli(['--root', root, '--run', run, 'claim', '--worktree'], { env: { RUNBOARD_WORKTREES: '/proc/runboard-test' } });
        assert.equal(proc.signal, null, 'it ends');
        assert.match(proc.stderr, /GIT_FAILED: Cannot make the folder \/proc\/runboard-test\/.* ENOENT\./);
        assert.equal(cliJson(root, ['--run', run, 'tasks', 'show', 'a']).task.status, 'runnable');
      }
    } finally {
      fs.rmSync(blocker, { force: true });
    }
  });

  it('eval of claim --worktree in bash: the shell in the worktree, its exports set, and a line break in the path runs nothing', () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'ev', [{ id: 'a', task_type: 'w' }]);
    // A path a comment line would break: its second line is a command if the break is kept.
    const trees = path.join(tempWorkspace('runboard-trees-'), "odd 'q'\ntouch pwned #");
    const said = path.join(root, '..', `${path.basename(root)}-said`);
    const r = spawnSync(
      'bash',
      [
        '-c',
        `eval "$("$NODE" "$CLI" --run ${run} claim --worktree)" && printf '%s\\0%s\\0%s' "$PWD" "$RUNBOARD_WORKTREE" "$RUNBOARD_ROOT" > "$SAID"`,
      ],
      { cwd: root, encoding: 'utf8', env: cleanEnv({ NODE: process.execPath, CLI: CLI_JS, RUNBOARD_WORKTREES: trees, SAID: said }) },
    );
    try {
      assert.equal(r.status, 0, r.stderr);
      const wt = cliJson(root, ['--run', run, 'tasks', 'show', 'a']).task.worktree;
      assert.ok(wt.path.startsWith(trees), wt.path);
      assert.deepEqual(fs.readFileSync(said, 'utf8').split('\0'), [wt.path, wt.path, root]);
      assert.equal(fs.existsSync(path.join(root, 'pwned')), false, 'a line of the path ran as a command');
    } finally {
      fs.rmSync(said, { force: true });
    }
  });

  it('completing when git cannot remove the worktree: the task is done (exit 0), and it says that prune settles the worktree later', () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'lk', [{ id: 'a', task_type: 'w' }]);
    const a = cliJson(root, ['--run', run, 'claim', '--worktree']).task;
    git(root, 'worktree', 'lock', a.worktree.path); // git refuses to remove a locked worktree
    const done = cli(['--root', root, '--run', run, 'complete', '--token', a.lease_token]);
    assert.equal(done.status, 0, done.stderr);
    assert.match(
      done.stdout,
      /^# Task a is done, but its worktree .* was not settled: git worktree failed .* `runboard worktree prune` settles it later\.$/m,
    );
    const after = cliJson(root, ['--run', run, 'tasks', 'show', 'a']).task;
    assert.deepEqual([after.status, after.worktree.state], ['done', 'active']);
    git(root, 'worktree', 'unlock', a.worktree.path);
    assert.equal(cliJson(root, ['--run', run, 'worktree', 'prune']).tasks[0].worktree.state, 'removed');
  });

  it('through a running server, a complete that does not know of the worktree (no RUNBOARD_WORKTREE) still looks at it first and settles it — the task completed once', async () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'th', [{ id: 'a', task_type: 'w' }]);
    await startHeadless(root);
    const a = cliJson(root, ['--run', run, 'claim', '--worktree']).task;
    fs.writeFileSync(path.join(a.worktree.path, 'a.txt'), 'a\n');
    const refused = cli(['--root', root, '--run', run, 'complete', '--token', a.lease_token], { env: { RUNBOARD_DEBUG: '1' } });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /route: transitionTask: routed/, 'the thin path asked the server first');
    assert.match(refused.stderr, /WORKTREE_UNCOMMITTED: Task a is not completed/);
    commit(a.worktree.path, 'a.txt', 'a\n');
    const done = cli(['--root', root, '--run', run, 'complete', '--token', a.lease_token], { env: { RUNBOARD_DEBUG: '1' } });
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stderr, /route: transitionTask: routed/, 'the thin path completed it through the server');
    assert.match(
      done.stdout,
      /^# worktree .* removed; its work is on branch runboard\/th\/a\n# a shell that was in it: cd "\$RUNBOARD_ROOT"$/m,
    );
    assert.equal(fs.existsSync(a.worktree.path), false);
    const completed = eventsOnDisk(root, run).filter((e) => e.type === 'context.task.completed');
    assert.equal(completed.length, 1, 'the full CLI did the complete again by its command_id: once');
  });

  it('a complete done again under its command_id answers the first (its worktree looked at once); a worktree git cannot read does not keep a task from completing', () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'cid', [
      { id: 'a', task_type: 'w' },
      { id: 'b', task_type: 'w' },
    ]);
    const a = cliJson(root, ['--run', run, 'claim', '--task', 'a', '--worktree']).task;
    commit(a.worktree.path, 'a.txt', 'a\n');
    const first = cliJson(root, ['--run', run, 'complete', '--token', a.lease_token, '--command-id', 'k1']);
    assert.equal(first.task.status, 'done');
    const again = cli(['--root', root, '--run', run, '--json', 'complete', '--token', a.lease_token, '--command-id', 'k1']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).task.status, 'done', 'the recorded answer, not COMMAND_ID_CONFLICT');
    assert.equal(eventsOnDisk(root, run).filter((e) => e.type === 'context.task.completed').length, 1);

    // b's worktree broken by hand (its .git file gone): no worktree of the repository any more. The task
    // is completed all the same, and the folder left as it is, said (until this change it stayed
    // active, and every prune failed on it).
    const b = cliJson(root, ['--run', run, 'claim', '--task', 'b', '--worktree']).task;
    fs.renameSync(path.join(b.worktree.path, '.git'), path.join(b.worktree.path, 'git-moved'));
    const done = cli(['--root', root, '--run', run, '--json', 'complete', '--token', b.lease_token]);
    assert.equal(done.status, 0, done.stderr);
    const out = JSON.parse(done.stdout);
    assert.deepEqual([out.task.status, out.task.worktree.state], ['done', 'removed']);
    assert.match(
      out.task.worktree.note,
      /is no longer a git worktree \(git removed it, or its \.git file is gone\): its files are left as they are/,
    );
    assert.ok(fs.existsSync(path.join(b.worktree.path, 'git-moved')), 'its files stay');
    assert.match(cli(['--root', root, '--run', run, 'tasks', 'show', 'b']).stdout, /· removed: .* is no longer a git worktree/);
  });

  it('worktree prune settles every worktree it can, and says which git refused and why (exit 1)', () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'pr', [
      { id: 'a', task_type: 'w' },
      { id: 'b', task_type: 'w' },
    ]);
    // Both done while git refuses to remove them (locked): their worktrees stay active, for prune.
    for (const id of ['a', 'b']) {
      const t = cliJson(root, ['--run', run, '--agent', id, 'claim', '--task', id, '--worktree']).task;
      git(root, 'worktree', 'lock', t.worktree.path);
      cliJson(root, ['--run', run, 'complete', '--token', t.lease_token]);
    }
    const aPath = cliJson(root, ['--run', run, 'tasks', 'show', 'a']).task.worktree.path;
    const bPath = cliJson(root, ['--run', run, 'tasks', 'show', 'b']).task.worktree.path;
    git(root, 'worktree', 'unlock', bPath);
    const pruned = cli(['--root', root, '--run', run, 'worktree', 'prune']);
    assert.equal(pruned.status, 1, pruned.stdout + pruned.stderr);
    assert.match(pruned.stdout, /^a: not settled — git worktree failed .*locked/m);
    assert.match(pruned.stdout, /^b: removed .* \(branch runboard\/pr\/b stays\)$/m, 'b settled after a failed');
    assert.equal(fs.existsSync(bPath), false);
    git(root, 'worktree', 'unlock', aPath);
    const json = cliJson(root, ['--run', run, 'worktree', 'prune']);
    assert.deepEqual([json.tasks.map((t: { id: string }) => t.id), json.failed], [['a'], undefined]);
  });

  it("a run moved here from another clone: its worktrees are the other repository's — not settled here, their records left as they are, said", () => {
    assertBuilt();
    const there = repository();
    const run = seedRun(there, 'mv', [{ id: 'a', task_type: 'w' }]);
    const a = cliJson(there, ['--run', run, 'claim', '--worktree']).task;
    completeLeaving(there, run, a, 'half.txt', 'half done\n');
    const exported = path.join(there, 'mv.jsonl');
    cliJson(there, ['run', 'export', run, '--output', exported]);

    const here = repository();
    cliJson(here, ['run', 'import', exported]);
    const pruned = cli(['--root', here, '--run', run, 'worktree', 'prune']);
    assert.equal(pruned.status, 1, pruned.stdout + pruned.stderr);
    assert.match(
      pruned.stdout,
      /^a: not settled — \S+ is a worktree of another repository \(.*\), not of .*: that clone settles it \(runboard worktree prune there\), and its record here is left as it is\.$/m,
    );
    assert.ok(fs.existsSync(path.join(a.worktree.path, 'half.txt')), "the other repository's worktree is untouched");
    assert.equal(cliJson(here, ['--run', run, 'tasks', 'show', 'a']).task.worktree.state, 'kept', 'its record too');
    // Settled where it is: there its changes are committed, and its prune removes it.
    commit(a.worktree.path, 'half.txt', 'half done\n');
    assert.equal(cliJson(there, ['--run', run, 'worktree', 'prune']).tasks[0].worktree.state, 'removed');
  });

  it('a worktree git refuses to look at (safe.directory: another owner) is not taken for one that is gone: not settled, said, its record kept', (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to give the worktree another owner');
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'sd', [{ id: 'a', task_type: 'w' }]);
    const a = cliJson(root, ['--run', run, 'claim', '--worktree']).task;
    spawnSync('chown', ['-R', '12345:12345', a.worktree.path]);
    try {
      const done = cli(['--root', root, '--run', run, '--json', 'complete', '--token', a.lease_token]);
      assert.equal(done.status, 0, done.stderr);
      const out = JSON.parse(done.stdout);
      assert.deepEqual(
        [out.task.status, out.task.worktree.state],
        ['done', 'active'],
        'not recorded removed (until this change: "no longer a git worktree")',
      );
      assert.match(out.note, /was not settled: .*dubious ownership/);
      assert.ok(fs.existsSync(path.join(a.worktree.path, '.git')));
    } finally {
      spawnSync('chown', ['-R', '0:0', a.worktree.path]);
    }
  });

  it('git removes the worktree but cannot delete its folder (Windows, while a shell works in it): the task done, the worktree removed, the folder said', (t) => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'iu', [{ id: 'a', task_type: 'w' }]);
    const a = cliJson(root, ['--run', run, 'claim', '--worktree']).task;
    commit(a.worktree.path, 'a.txt', 'a\n');
    // An immutable run folder keeps its entries, as Windows keeps a folder in use: git removes the
    // worktree's files and its record, then fails on the folder.
    const runFolder = path.dirname(a.worktree.path);
    if (spawnSync('chattr', ['+i', runFolder]).status !== 0)
      return t.skip('chattr +i is not available here (root and a file system with the attribute)');
    try {
      const done = cli(['--root', root, '--run', run, '--json', 'complete', '--token', a.lease_token]);
      assert.equal(done.status, 0, done.stderr);
      const out = JSON.parse(done.stdout);
      assert.deepEqual([out.task.status, out.task.worktree.state, out.note], ['done', 'removed', undefined]);
      assert.match(
        out.task.worktree.note,
        /^git removed the worktree but could not delete its folder \S+ \(git worktree failed .*\) — a process may still be working in it \(Windows keeps a folder in use\): delete it once nothing is\.$/,
      );
      assert.doesNotMatch(git(root, 'worktree', 'list'), /runboard\/iu\/a/);
    } finally {
      spawnSync('chattr', ['-i', runFolder]);
    }
  });

  it("the agent's loop: the shell left in a worktree removed on complete still claims the next task (RUNBOARD_ROOT); without it, a clear error", () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'lp', [
      { id: 'a', task_type: 'w' },
      { id: 'b', task_type: 'w' },
    ]);
    const a = cliJson(root, ['--run', run, 'claim', '--task', 'a', '--worktree']).task;
    // As `eval "$(runboard claim --worktree)"` left it: the shell in the worktree, RUNBOARD_ROOT exported.
    const loop = (env: Record<string, string>) =>
      spawnSync(
        'bash',
        [
          '-c',
          'cd "$1" && "$2" "$3" complete --token "$4" >/dev/null && "$2" "$3" --json --run "$5" claim --task b',
          'loop',
          a.worktree.path,
          process.execPath,
          CLI_JS,
          a.lease_token,
          run,
        ],
        { env: cleanEnv(env), encoding: 'utf8' },
      );
    const next = loop({ RUNBOARD_ROOT: root, RUNBOARD_WORKTREE: a.worktree.path });
    assert.equal(next.status, 0, next.stderr);
    assert.equal(JSON.parse(next.stdout).task.id, 'b');
    assert.equal(fs.existsSync(a.worktree.path), false, 'the worktree the shell was in is gone');

    const b = cliJson(root, ['--run', run, 'tasks', 'show', 'b']).task;
    // Being worked, not waiting: tasks show says so.
    assert.match(cli(['--root', root, '--run', run, 'tasks', 'show', 'b']).stdout, /^ {2}in progress lease held by \S+ until .* left\)$/m);
    const c = spawnSync(
      'bash',
      [
        '-c',
        'mkdir "$1" && cd "$1" && rmdir "$1" && "$2" "$3" --run "$4" tasks list',
        'gone',
        path.join(root, '..', `${path.basename(root)}-gone`),
        process.execPath,
        CLI_JS,
        run,
      ],
      {
        env: cleanEnv({}),
        encoding: 'utf8',
      },
    );
    assert.equal(c.status, 2);
    assert.match(c.stderr, /^runboard: the current folder no longer exists .*: cd to the workspace, or set RUNBOARD_ROOT\.$/m);
    assert.equal(b.status, 'in_progress');
  });

  it("tasks merge brings a done task's work into the checked-out branch, and stops on a conflict changing nothing; worktree prune settles the rest", () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'mg', [
      { id: 'clean', task_type: 'w' },
      { id: 'clash', task_type: 'w' },
      { id: 'dirty', task_type: 'w' },
    ]);
    const claimed = (id: string) => cliJson(root, ['--run', run, '--agent', `agent-${id}`, 'claim', '--task', id, '--worktree']).task;
    const clean = claimed('clean');
    commit(clean.worktree.path, 'feature.txt', 'new feature\n');
    cliJson(root, ['--run', run, 'complete', '--token', clean.lease_token]);
    const clash = claimed('clash');
    commit(clash.worktree.path, 'README.md', '# from the task\n');
    cliJson(root, ['--run', run, 'complete', '--token', clash.lease_token]);
    const dirty = claimed('dirty');
    // Done elsewhere meanwhile: the same lines of README.md on main.
    commit(root, 'README.md', '# from main\n');

    // The board says which done tasks wait to be merged.
    assert.match(
      cli(['--root', root, '--run', run, 'tasks', 'list']).stdout,
      /^ {2}not merged yet: clean, clash \(runboard --run mg tasks merge <task_id>\)$/m,
    );
    assert.match(
      cli(['--root', root, '--run', run, 'tasks', 'show', 'clean']).stdout,
      /^ {2}worktree .*clean · branch runboard\/mg\/clean · removed · not merged yet$/m,
    );
    const merged = cliJson(root, ['--run', run, 'tasks', 'merge', 'clean']);
    assert.match(cli(['--root', root, '--run', run, 'tasks', 'list']).stdout, /^ {2}not merged yet: clash \(/m);
    assert.match(cli(['--root', root, '--run', run, 'tasks', 'show', 'clean']).stdout, /· removed · merged into main$/m);
    assert.equal(merged.task.worktree.merged_into, 'main');
    assert.equal(fs.readFileSync(path.join(root, 'feature.txt'), 'utf8'), 'new feature\n');
    assert.equal(git(root, 'rev-parse', 'HEAD'), merged.commit);

    const head = git(root, 'rev-parse', 'HEAD');
    const conflict = cli(['--root', root, '--run', run, 'tasks', 'merge', 'clash']);
    assert.equal(conflict.status, 1);
    assert.match(
      conflict.stderr,
      /GIT_FAILED: Merging runboard\/mg\/clash into main conflicts in README\.md; nothing was changed \(it was aborted\)/,
    );
    assert.equal(git(root, 'rev-parse', 'HEAD'), head);
    assert.equal(git(root, 'status', '--porcelain'), '', 'the checkout is as it was');
    assert.equal(fs.readFileSync(path.join(root, 'README.md'), 'utf8'), '# from main\n');
    // Rebased instead: the same conflict, met while replaying the branch on main — aborted, the branch as it was, no worktree left over.
    const clashTip = git(root, 'rev-parse', clash.worktree.branch);
    const worktreesBefore = git(root, 'worktree', 'list');
    const rebaseConflict = cli(['--root', root, '--run', run, 'tasks', 'merge', 'clash', '--rebase']);
    assert.equal(rebaseConflict.status, 1);
    assert.match(rebaseConflict.stderr, /GIT_FAILED: Rebasing runboard\/mg\/clash on main conflicts in README\.md; nothing was changed/);
    assert.equal(git(root, 'rev-parse', clash.worktree.branch), clashTip, 'the branch as it was');
    assert.equal(git(root, 'rev-parse', 'HEAD'), head);
    assert.equal(git(root, 'worktree', 'list'), worktreesBefore, 'the rebase worktree is gone');
    const notDone = cli(['--root', root, '--run', run, 'tasks', 'merge', 'dirty']);
    assert.equal(notDone.status, 1);
    assert.match(notDone.stderr, /only a done task's work is merged/);

    // dirty: done with a file left uncommitted → kept; prune keeps it until it is committed, then removes it.
    completeLeaving(root, run, dirty, 'notes.txt', 'scratch\n');
    const needs = cliJson(root, ['--run', run, 'attention']).items;
    assert.deepEqual(
      needs.map((i: { kind: string; task_id: string }) => [i.kind, i.task_id]),
      [
        ['run_work_done', undefined], // every task of the run is done now: complete it, or add work
        ['worktree_kept', 'dirty'],
      ],
    );
    assert.match(
      cli(['--root', root, '--run', run, 'attention']).stdout,
      /holds uncommitted changes\n    → commit \(or discard\) the changes in its worktree, then runboard --run mg worktree prune/,
    );
    const first = cliJson(root, ['--run', run, 'worktree', 'prune']);
    assert.deepEqual(
      first.tasks.map((t: { id: string; worktree: { state: string } }) => [t.id, t.worktree.state]),
      [['dirty', 'kept']],
    );
    commit(dirty.worktree.path, 'notes.txt', 'kept after all\n');
    const second = cli(['--root', root, '--run', run, 'worktree', 'prune']);
    assert.match(second.stdout, /^dirty: removed .* \(branch runboard\/mg\/dirty stays\)$/m);
    assert.equal(fs.existsSync(dirty.worktree.path), false);
    assert.deepEqual(
      cliJson(root, ['--run', run, 'attention']).items.map((i: { kind: string }) => i.kind),
      ['run_work_done'],
      'settled: only the run, done, waits to be completed',
    );
    cliJson(root, ['--run', run, 'run', 'complete']);
    assert.deepEqual(cliJson(root, ['--run', run, 'attention']).items, [], 'completed: nothing needs anyone');
    assert.match(cli(['--root', root, '--run', run, 'worktree', 'prune']).stdout, /No worktree of a finished task of run mg to prune\./);
  });

  for (const way of ['merge', 'rebase'] as const) {
    it(`tasks merge${way === 'rebase' ? ' --rebase' : ''} of a branch built on a dependency's records the dependency merged too: its branch is in the target whole`, () => {
      assertBuilt();
      const root = repository();
      const run = seedRun(root, 'dep', [
        { id: 'base', task_type: 'w' },
        { id: 'after', task_type: 'w', depends_on_task_ids: ['base'] },
        { id: 'apart', task_type: 'w' },
      ]);
      const claimed = (id: string) => cliJson(root, ['--run', run, '--agent', `agent-${id}`, 'claim', '--task', id, '--worktree']).task;
      for (const [id, file] of [
        ['base', 'base.txt'],
        ['after', 'after.txt'],
        ['apart', 'apart.txt'],
      ]) {
        const t = claimed(id);
        commit(t.worktree.path, file, `${id}\n`);
        cliJson(root, ['--run', run, 'complete', '--token', t.lease_token]);
      }
      assert.match(cli(['--root', root, '--run', run, 'tasks', 'list']).stdout, /^ {2}not merged yet: base, after, apart \(/m);
      // main moved on meanwhile: a rebase makes new commits of base's and after's, the same changes.
      if (way === 'rebase') commit(root, 'main.txt', 'moved on\n');
      const merged = cliJson(root, ['--run', run, 'tasks', 'merge', 'after', ...(way === 'rebase' ? ['--rebase'] : [])]);
      assert.deepEqual(merged.merged_along, ['base'], 'apart is not in main');
      assert.equal(fs.readFileSync(path.join(root, 'base.txt'), 'utf8'), 'base\n');
      assert.match(cli(['--root', root, '--run', run, 'tasks', 'list']).stdout, /^ {2}not merged yet: apart \(/m);
      assert.match(cli(['--root', root, '--run', run, 'tasks', 'show', 'base']).stdout, /· removed · merged into main$/m);
      const text = cli(['--root', root, '--run', run, 'tasks', 'merge', 'apart']).stdout;
      assert.match(text, /^Merged runboard\/dep\/apart into main \([0-9a-f]{12}\)\.$/m, 'nothing else went along');
      // base, merged along with after: merged again, it says so (it read "Nothing to bring in").
      const again = cli(['--root', root, '--run', run, 'tasks', 'merge', 'base', ...(way === 'rebase' ? ['--rebase'] : [])]);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /^Already merged: main holds runboard\/dep\/base \(main is at [0-9a-f]{12}\)\.$/m);
    });
  }

  it("tasks merge --rebase: the task's commits replayed on the checked-out branch and fast-forwarded, no merge commit; never over uncommitted changes", () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'rb', [
      { id: 'line', task_type: 'w' },
      { id: 'held', task_type: 'w' },
      { id: 'empty', task_type: 'w' },
    ]);
    const line = cliJson(root, ['--run', run, '--agent', 'a1', 'claim', '--task', 'line', '--worktree']).task;
    commit(line.worktree.path, 'one.txt', '1\n');
    commit(line.worktree.path, 'two.txt', '2\n');
    assert.equal(cliJson(root, ['--run', run, 'complete', '--token', line.lease_token]).task.worktree.state, 'removed');
    commit(root, 'main.txt', 'meanwhile on main\n');
    const mainTip = git(root, 'rev-parse', 'HEAD');

    const rebased = cli(['--root', root, '--run', run, 'tasks', 'merge', 'line', '--rebase']);
    assert.equal(rebased.status, 0, rebased.stderr);
    assert.match(rebased.stdout, /^Rebased runboard\/rb\/line on main, then fast-forwarded main to it \([0-9a-f]{12}\)\.$/m);
    assert.equal(git(root, 'rev-parse', 'HEAD'), git(root, 'rev-parse', line.worktree.branch), 'main fast-forwarded to the branch');
    assert.equal(git(root, 'rev-list', '--count', `${mainTip}..HEAD`), '2', "the task's two commits, on top of main");
    assert.equal(git(root, 'rev-list', '--merges', '--count', `${mainTip}..HEAD`), '0', 'no merge commit');
    for (const f of ['one.txt', 'two.txt', 'main.txt']) assert.ok(fs.existsSync(path.join(root, f)), f);
    assert.equal(cliJson(root, ['--run', run, 'tasks', 'show', 'line']).task.worktree.merged_into, 'main');

    // held: done with a change left in its worktree — neither a merge nor a rebase until it is committed or discarded,
    // and it still waits to be merged.
    const held = cliJson(root, ['--run', run, '--agent', 'a2', 'claim', '--task', 'held', '--worktree']).task;
    commit(held.worktree.path, 'three.txt', '3\n');
    completeLeaving(root, run, held, 'three.txt', '3, edited\n');
    for (const way of [[], ['--rebase']]) {
      const refused = cli(['--root', root, '--run', run, 'tasks', 'merge', 'held', ...way]);
      assert.equal(refused.status, 1, way.join(' '));
      assert.match(
        refused.stderr,
        /GIT_FAILED: .*held holds uncommitted changes: commit them on runboard\/rb\/held \(or discard them\) before it is brought into main\./,
      );
    }
    assert.match(cli(['--root', root, '--run', run, 'tasks', 'list']).stdout, /not merged yet: held /);
    git(held.worktree.path, 'checkout', '--', 'three.txt');
    // Rebased where the branch is checked out — the task's kept worktree —, which then goes: its work is in.
    const second = cliJson(root, ['--run', run, 'tasks', 'merge', 'held', '--rebase']);
    assert.deepEqual([second.task.worktree.merged_into, second.task.worktree.state], ['main', 'removed']);
    assert.equal(git(root, 'rev-parse', held.worktree.branch), git(root, 'rev-parse', 'HEAD'));
    assert.equal(fs.readFileSync(path.join(root, 'three.txt'), 'utf8'), '3\n');
    assert.equal(fs.existsSync(path.join(root, '..', `${path.basename(root)}.worktrees`)), false, 'no empty folders left behind');

    // empty: nothing committed on its branch — nothing to bring in, said so, and no longer waiting.
    const empty = cliJson(root, ['--run', run, '--agent', 'a3', 'claim', '--task', 'empty', '--worktree']).task;
    cliJson(root, ['--run', run, 'complete', '--token', empty.lease_token]);
    const head = git(root, 'rev-parse', 'HEAD');
    const nothing = cli(['--root', root, '--run', run, 'tasks', 'merge', 'empty']);
    assert.equal(nothing.status, 0, nothing.stderr);
    assert.match(
      nothing.stdout,
      /^Nothing to bring in: runboard\/rb\/empty has no commit that main lacks \(recorded as merged; main is at [0-9a-f]{12}\)\.$/m,
    );
    assert.equal(git(root, 'rev-parse', 'HEAD'), head, 'no merge commit for nothing');
    assert.doesNotMatch(cli(['--root', root, '--run', run, 'tasks', 'list']).stdout, /not merged yet/);
  });

  it('an MCP session claims with worktree: true, is told where to work, and complete_task settles the worktree', async () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'mc', [
      { id: 'x', task_type: 'w' },
      { id: 'y', task_type: 'w' },
      { id: 'z', task_type: 'w' },
    ]);
    const client = await mcpSession(root);
    try {
      const tool = async (name: string, args: Record<string, unknown>) => {
        const r = await client.callTool({ name, arguments: args });
        assert.notEqual(r.isError, true, JSON.stringify(r.content));
        return r.structuredContent as any;
      };
      const claimed = await tool('claim_task', { run_id: run, task_id: 'x', worktree: true });
      const wt = claimed.task.worktree;
      assert.equal(wt.branch, `runboard/${run}/x`);
      assert.equal(wt.state, 'active');
      assert.ok(claimed.note.includes(`Work in ${wt.path}`), claimed.note);
      assert.equal(git(wt.path, 'rev-parse', '--abbrev-ref', 'HEAD'), wt.branch);
      commit(wt.path, 'x.txt', 'x\n');
      const done = await tool('complete_task', { run_id: run, task_id: 'x' });
      assert.equal(done.task.worktree.state, 'removed');
      assert.equal(fs.existsSync(wt.path), false);
      assert.equal(git(root, 'show', `${wt.branch}:x.txt`), 'x');

      // Left with a change not committed: refused, the model told to commit; with force, kept, and the model is told why.
      const y = (await tool('claim_task', { run_id: run, task_id: 'y', worktree: true })).task.worktree;
      fs.writeFileSync(path.join(y.path, 'y.txt'), 'y\n');
      const refused = await client.callTool({ name: 'complete_task', arguments: { run_id: run, task_id: 'y' } });
      assert.equal(refused.isError, true);
      assert.match((refused.content as { text: string }[])[0].text, /^WORKTREE_UNCOMMITTED: Task y is not completed: .*Commit them/);
      const kept = await tool('complete_task', { run_id: run, task_id: 'y', force: true });
      assert.equal(kept.task.worktree.state, 'kept');
      assert.match(kept.note, /holds uncommitted changes/);

      // Claimed again without worktree: true after an attempt that worked in one, the model is told where that work is.
      const z = (await tool('claim_task', { run_id: run, task_id: 'z', worktree: true })).task.worktree;
      await tool('release_task', { run_id: run, task_id: 'z' });
      const plain = await tool('claim_task', { run_id: run, task_id: 'z' });
      assert.equal(
        plain.note,
        `An earlier attempt at this task worked in ${z.path} (branch runboard/${run}/z): its work is there, not here — work on there, by its path (claim_task with worktree: true says so).`,
      );
    } finally {
      await client.close();
    }
  });

  it('tasks merge with HEAD detached, or on an archived run, is refused before git changes anything', () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'mref', [{ id: 'x', task_type: 'w' }]);
    const claimed = cliJson(root, ['--run', run, 'claim', '--worktree']).task;
    commit(claimed.worktree.path, 'x.txt', 'x\n');
    cliJson(root, ['--run', run, 'complete', '--token', claimed.lease_token]);
    const head = git(root, 'rev-parse', 'HEAD');

    git(root, 'checkout', '-q', '--detach');
    const detached = cli(['--root', root, '--run', run, 'tasks', 'merge', 'x']);
    assert.equal(detached.status, 1);
    assert.match(
      detached.stderr,
      /GIT_FAILED: .* has no branch checked out \(HEAD is detached\): check out the branch to bring runboard\/mref\/x into first/,
    );
    assert.equal(git(root, 'rev-parse', 'HEAD'), head, 'nothing merged');
    git(root, 'checkout', '-q', 'main');

    cliJson(root, ['--run', run, 'run', 'complete']);
    cliJson(root, ['run', 'archive', run]);
    const archived = cli(['--root', root, '--run', run, 'tasks', 'merge', 'x']);
    assert.equal(archived.status, 1);
    assert.match(archived.stderr, /RUN_ARCHIVED: Run mref is archived: restore it to change it/);
    assert.equal(git(root, 'rev-parse', 'HEAD'), head, 'git merged nothing it could not record');
    assert.match(cli(['--root', root, '--run', run, 'worktree', 'prune']).stderr, /RUN_ARCHIVED/);
  });

  it('a run whose task worktree is still on disk is not archived without --force: archived, nothing would list it', () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'arwt', [{ id: 'k', task_type: 'w' }]);
    const claimed = cliJson(root, ['--run', run, 'claim', '--worktree']).task;
    completeLeaving(root, run, claimed, 'draft.txt', 'not committed\n');
    // Not finished yet: the refusal says what archiving anyway would put out of sight too.
    assert.match(
      cli(['--root', root, 'run', 'archive', run]).stderr,
      /RUN_NOT_FINISHED: .*archive it anyway with force \(its leases are requeued first; its task worktrees still on disk \(k: kept\) would no longer be listed\)/,
    );
    cliJson(root, ['--run', run, 'run', 'complete']);
    const refused = cli(['--root', root, 'run', 'archive', run]);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /WORKTREES_OPEN: Run arwt has task worktrees still on disk \(k: kept\); archived, it would no longer list them\./,
    );
    assert.equal(cliJson(root, ['--run', run, 'attention']).items[0].kind, 'worktree_kept', 'still listed');
    const forced = cli(['--root', root, 'run', 'archive', run, '--force']);
    assert.equal(forced.status, 0, forced.stderr);
    // Said, since no list shows it now (until this change: nothing).
    assert.match(
      forced.stdout,
      /^Left on disk, listed nowhere now: the worktree of k at \S+ \(branch runboard\/arwt\/k, with uncommitted changes\); restore the run to settle it\.$/m,
    );
    assert.ok(fs.existsSync(path.join(claimed.worktree.path, 'draft.txt')), 'forced: the worktree itself is left as it was');
    const json = cliJson(root, ['run', 'restore', run]);
    assert.equal(json.run.run_id, run);
    assert.deepEqual(
      cliJson(root, ['run', 'archive', run, '--force']).worktrees_left.map((w: { task_id: string; state: string }) => [w.task_id, w.state]),
      [['k', 'kept']],
    );
  });

  it('cancelling settles the worktrees of the tasks cancelled: a clean one removed, one with changes kept and listed', async () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'cx', [
      { id: 'clean', task_type: 'w' },
      { id: 'dirty', task_type: 'w' },
    ]);
    const clean = cliJson(root, ['--run', run, '--agent', 'a1', 'claim', '--worktree', '--task', 'clean']).task;
    const dirty = cliJson(root, ['--run', run, '--agent', 'a2', 'claim', '--worktree', '--task', 'dirty']).task;
    fs.writeFileSync(path.join(dirty.worktree.path, 'half.txt'), 'half done\n');
    const first = cli(['--root', root, '--run', run, 'tasks', 'cancel', 'clean', '--force']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^# worktree .* removed; its work is on branch runboard\/cx\/clean$/m);
    assert.equal(fs.existsSync(clean.worktree.path), false);
    const second = cliJson(root, ['--run', run, 'tasks', 'cancel', 'dirty', '--force']);
    assert.equal(second.task.worktree.state, 'kept');
    assert.ok(fs.existsSync(path.join(dirty.worktree.path, 'half.txt')), 'its changes stay');
    assert.deepEqual(
      cliJson(root, ['--run', run, 'attention']).items.map((i: { kind: string; task_id?: string }) => [i.kind, i.task_id]),
      [['worktree_kept', 'dirty']],
    );
    // Reopened, the task takes its kept worktree to its next attempt: no item until it finishes again.
    cliJson(root, ['--run', run, 'requeue', 'dirty']);
    assert.deepEqual(cliJson(root, ['--run', run, 'attention']).items, []);
    // Its changes discarded meanwhile, and completed without --worktree: git looks again, and removes it —
    // also when a server of the root answers the complete (the thin path hands the settling over).
    fs.rmSync(path.join(dirty.worktree.path, 'half.txt'));
    await startHeadless(root);
    // Claimed without --worktree (through the thin path), the agent is told where the earlier attempt's work is.
    const claimed = cli(['--root', root, '--run', run, '--agent', 'a3', 'claim', '--task', 'dirty']);
    assert.equal(claimed.status, 0, claimed.stderr);
    assert.match(
      claimed.stdout,
      /^# An earlier attempt at this task worked in \S+ \(branch runboard\/cx\/dirty, left with uncommitted changes\): its work is there, not here — cd there and work on \(claim --worktree does that for you\)\.$/m,
    );
    const token = /^export RUNBOARD_LEASE_TOKEN=(\S+)$/m.exec(claimed.stdout)![1];
    const done = cli(['--root', root, '--run', run, 'complete', '--token', token], { env: { RUNBOARD_DEBUG: '1' } });
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stderr, /route: transitionTask: routed/);
    assert.doesNotMatch(done.stdout, /holds uncommitted changes/);
    assert.equal(cliJson(root, ['--run', run, 'tasks', 'show', 'dirty']).task.worktree.state, 'removed');
    assert.equal(fs.existsSync(dirty.worktree.path), false);
    assert.equal(eventsOnDisk(root, run).filter((e) => e.type === 'context.task.completed').length, 1, 'completed once');
  });

  it('an archive refused for a worktree of a task not finished says to cancel that task (prune leaves it), and then archives', () => {
    assertBuilt();
    const root = repository();
    const run = seedRun(root, 'ax', [{ id: 'left', task_type: 'w' }]);
    const left = cliJson(root, ['--run', run, '--agent', 'a1', 'claim', '--worktree', '--task', 'left']).task;
    fs.writeFileSync(path.join(left.worktree.path, 'half.txt'), 'half done\n');
    cliJson(root, ['--run', run, 'run', 'complete', '--force']);
    cliJson(root, ['run', 'archive', run, '--force']); // its lease requeued: the task is runnable, its worktree active
    cliJson(root, ['run', 'restore', run]);
    const refused = cli(['--root', root, 'run', 'archive', run]);
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(
      refused.stderr,
      /WORKTREES_OPEN: .*\(left: active\).*\(task left is not finished: cancel it \(`runboard --run ax tasks cancel left`\), which settles its worktree\)/,
    );
    assert.doesNotMatch(refused.stderr, /worktree prune/, 'prune settles only finished tasks');
    cliJson(root, ['--run', run, 'tasks', 'cancel', 'left']);
    const kept = cli(['--root', root, 'run', 'archive', run]);
    assert.match(kept.stderr, /WORKTREES_OPEN: .*\(left: kept\).*`runboard worktree prune` settles those of finished tasks/);
  });

  it('an MCP claim with worktree: true outside a repository is GIT_UNAVAILABLE, and nothing is claimed', async () => {
    assertBuilt();
    const root = tempWorkspace();
    const run = seedRun(root, 'mn', [{ id: 'a', task_type: 'w' }]);
    const client = await mcpSession(root);
    try {
      const r = await client.callTool({ name: 'claim_task', arguments: { run_id: run, worktree: true } });
      assert.equal(r.isError, true);
      assert.match((r.content as { text: string }[])[0].text, /^GIT_UNAVAILABLE: .* is not in a git repository/);
    } finally {
      await client.close();
    }
    assert.equal(cliJson(root, ['--run', run, 'tasks', 'show', 'a']).task.status, 'pending', 'not claimed');
  });
});
