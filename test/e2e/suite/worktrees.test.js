// @ts-check
// A task's git worktree in the editor (issue 22): once recorded (claim --worktree does it; here
// the protocol's setTaskWorktree, as the CLI calls it), the task's menu offers Open Task Worktree,
// its tooltip and its card on the board say where it is and, once done, whether its branch was
// merged; a removed worktree is not offered, and asking for it says why. With the workspace a
// git repository: Claim Task in Worktree makes one, completing the task settles it (removed when
// clean, kept and said so when not), and Merge Task Branch… rebases a done task's branch onto the
// checked-out branch.
const assert = require('assert');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { runboard, createRun, command, waitFor, menuCommands } = require('./helpers');
const createTasks = /** @type {typeof import('../../../server/src/protocol').Requests.createTasks} */ (/** @type {unknown} */ ('runboard/createTasks'));
const getRun = /** @type {typeof import('../../../server/src/protocol').Requests.getRun} */ (/** @type {unknown} */ ('runboard/getRun'));
const setTaskWorktree = /** @type {typeof import('../../../server/src/protocol').Requests.setTaskWorktree} */ (/** @type {unknown} */ ('runboard/setTaskWorktree'));

suite('task worktrees', () => {
  test('a task with a worktree offers Open Task Worktree; tooltip and card say where, and whether it was merged', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const ref = await createRun(api, 'Worktrees: in the editor');
    await ctx.server.request(createTasks, { root: ref.root, run_id: ref.run_id, tasks: [{ id: 'wt', task_type: 'w', payload: { title: 'Work in a worktree' } }] });
    const wt = { path: path.join(path.dirname(ref.root), 'repo.worktrees', ref.run_id, 'wt'), branch: `runboard/${ref.run_id}/wt`, base: 'main', state: /** @type {const} */ ('kept'), note: 'uncommitted changes' };
    await ctx.server.request(setTaskWorktree, { root: ref.root, run_id: ref.run_id, task_id: 'wt', worktree: wt });
    const taskRef = { ...ref, task_id: 'wt' };
    await waitFor(() => ctx.model.task(taskRef)?.worktree?.state === 'kept', 'the model to hear of the worktree');
    if (!fs.existsSync(path.join(ref.root, '.git'))) {
      // Not a git repository (yet: the next test makes it one): said, and nothing claimed.
      await ctx.server.request(createTasks, { root: ref.root, run_id: ref.run_id, tasks: [{ id: 'plain', task_type: 'w' }] });
      const plain = { ...ref, task_id: 'plain' };
      await waitFor(() => ctx.model.task(plain), 'the task');
      assert.strictEqual(await command('runboard.claimTaskInWorktree', plain), undefined);
      const said = ctx.notices.at(-1);
      assert.match(`${said?.level} ${said?.message}`, /^error Runboard: Claim Task in Worktree: .* is not in a git repository: worktrees need one \(git init, and a first commit\)\.$/);
      assert.strictEqual(ctx.model.task(plain)?.status, 'pending', 'not claimed');
    }
    const node = await ctx.runsTree.taskNode(taskRef);
    assert.ok(node);
    const item = await ctx.runsTree.getTreeItem(node);
    assert.match(String(item.contextValue), /@worktree;$/);
    assert.ok(menuCommands('runboard.runs', String(item.contextValue)).includes('runboard.openTaskWorktree'));
    // The tooltip is Markdown: its text escaped (spaces as &nbsp;, punctuation with backslashes).
    const tip = /** @type {import('vscode').MarkdownString} */ (item.tooltip).value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
    assert.ok(tip.includes(`worktree ${wt.path} · branch ${wt.branch} · kept: uncommitted changes`), tip);

    await command('runboard.openBoard', ref);
    const key = `${ref.root}\u0000${ref.run_id}`;
    const board = await waitFor(() => ctx.boardPanels.sessions.get(key)?.session.last, 'the board');
    assert.strictEqual(board.tasks.find((t) => t.id === 'wt')?.worktree, `worktree ${wt.path} · branch ${wt.branch} · kept: uncommitted changes`);
    ctx.boardPanels.sessions.get(key)?.panel.dispose();

    // Removed: no longer offered; asked for anyway, it says where the work is.
    await ctx.server.request(setTaskWorktree, { root: ref.root, run_id: ref.run_id, task_id: 'wt', worktree: { ...wt, state: 'removed', note: undefined } });
    await waitFor(() => ctx.model.task(taskRef)?.worktree?.state === 'removed', 'the removal');
    const after = await ctx.runsTree.getTreeItem(/** @type {any} */ (await ctx.runsTree.taskNode(taskRef)));
    assert.ok(!menuCommands('runboard.runs', String(after.contextValue)).includes('runboard.openTaskWorktree'));
    assert.strictEqual(await command('runboard.openTaskWorktree', taskRef), undefined);
    await waitFor(() => ctx.notices.find((n) => n.message === `Task wt has no worktree to open: ${wt.path} was removed (its work is on ${wt.branch}).`), 'the notice');
  });

  test('Claim Task in Worktree, complete, Merge Task Branch… — with a real git repository', async () => {
    const api = await runboard();
    const ctx = api.ctx;
    const ref = await createRun(api, 'Worktrees: claimed from the editor');
    const root = ref.root;
    const git = (/** @type {string} */ cwd, /** @type {string[]} */ ...args) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
    if (!fs.existsSync(path.join(root, '.git'))) {
      git(root, 'init', '-q', '-b', 'main');
      git(root, 'config', 'user.email', 'e2e@example.com');
      git(root, 'config', 'user.name', 'E2E');
      fs.appendFileSync(path.join(root, '.gitignore'), '.runboard/\n');
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '-m', 'the workspace');
    }
    const home = `${root}.worktrees`;
    try {
      await ctx.server.request(createTasks, {
        root,
        run_id: ref.run_id,
        tasks: [
          { id: 'feat', task_type: 'w', payload: { title: 'A feature, in its own worktree' } },
          { id: 'wip', task_type: 'w', payload: { title: 'Left unfinished' } },
        ],
      });
      const feat = { ...ref, task_id: 'feat' };
      await waitFor(() => ctx.model.task(feat), 'the tasks');
      const featItem = await ctx.runsTree.getTreeItem(/** @type {any} */ (await ctx.runsTree.taskNode(feat)));
      assert.ok(menuCommands('runboard.runs', String(featItem.contextValue)).includes('runboard.claimTaskInWorktree'), 'a claimable task offers it');

      const claimed = await command('runboard.claimTaskInWorktree', feat);
      assert.ok(claimed?.worktree, 'claimed, with a worktree');
      const wt = claimed.worktree;
      assert.strictEqual(wt.branch, `runboard/${ref.run_id}/feat`);
      assert.strictEqual(path.dirname(path.dirname(wt.path)), home, 'beside the workspace, not in it');
      assert.strictEqual(git(wt.path, 'rev-parse', '--abbrev-ref', 'HEAD'), wt.branch);
      await waitFor(() => ctx.notices.find((n) => n.message === `Claimed “A feature, in its own worktree” in the worktree ${wt.path} (branch ${wt.branch}).`), 'the claim notice');
      assert.ok(ctx.leases.get(feat), 'this editor holds the lease');

      fs.writeFileSync(path.join(wt.path, 'feature.txt'), 'the feature\n');
      git(wt.path, 'add', 'feature.txt');
      git(wt.path, 'commit', '-q', '-m', 'the feature');
      git(root, 'commit', '-q', '--allow-empty', '-m', 'meanwhile on main');
      const done = await command('runboard.completeTask', feat);
      assert.deepStrictEqual([done.status, done.worktree?.state], ['done', 'removed']);
      assert.strictEqual(fs.existsSync(wt.path), false);
      await waitFor(() => ctx.notices.find((n) => n.message === `Task feat is done; its worktree ${wt.path} was removed (its work is on ${wt.branch}).`), 'the removal notice');

      await waitFor(() => ctx.model.task(feat)?.status === 'done', 'the model to hear of it');
      const doneItem = await ctx.runsTree.getTreeItem(/** @type {any} */ (await ctx.runsTree.taskNode(feat)));
      assert.match(String(doneItem.contextValue), /@merge;/);
      assert.ok(menuCommands('runboard.runs', String(doneItem.contextValue)).includes('runboard.mergeTaskBranch'));
      const merged = await command('runboard.mergeTaskBranch', { ...feat, way: 'rebase' });
      assert.strictEqual(merged.task.worktree?.merged_into, 'main');
      assert.strictEqual(git(root, 'rev-parse', 'HEAD'), merged.commit);
      assert.strictEqual(git(root, 'rev-list', '--merges', '--count', 'HEAD~1..HEAD'), '0', 'rebased: no merge commit');
      assert.strictEqual(fs.readFileSync(path.join(root, 'feature.txt'), 'utf8'), 'the feature\n');
      await waitFor(() => ctx.notices.find((n) => n.message === `Rebased ${wt.branch} on main, then fast-forwarded main to it (${merged.commit.slice(0, 12)}).`), 'the merge notice');
      await waitFor(() => ctx.model.task(feat)?.worktree?.merged_into === 'main', 'the model to hear of the merge');
      const mergedItem = await ctx.runsTree.getTreeItem(/** @type {any} */ (await ctx.runsTree.taskNode(feat)));
      assert.doesNotMatch(String(mergedItem.contextValue), /@merge;/, 'merged: no longer offered');

      // A change left uncommitted: not completed (the person is asked; `force: false` stands for "no"), said why.
      const wip = { ...ref, task_id: 'wip' };
      const wipTask = await command('runboard.claimTaskInWorktree', wip);
      assert.ok(wipTask?.worktree);
      fs.writeFileSync(path.join(wipTask.worktree.path, 'draft.txt'), 'not yet\n');
      assert.strictEqual(await command('runboard.completeTask', { ...wip, force: false }), undefined);
      const refused = ctx.notices.at(-1);
      assert.match(`${refused?.level} ${refused?.message}`, /^error Runboard: Complete Task: Task wip is not completed: its worktree .* holds uncommitted changes/);
      assert.strictEqual((await ctx.server.request(getRun, { root: ref.root, run_id: ref.run_id })).run.tasks.find((t) => t.id === 'wip')?.status, 'in_progress');
      assert.ok(ctx.leases.get(wip), 'the editor still holds the lease');
      // Completed anyway: kept, and said so.
      const kept = await command('runboard.completeTask', { ...wip, force: true });
      assert.strictEqual(kept.worktree?.state, 'kept');
      assert.ok(fs.existsSync(path.join(wipTask.worktree.path, 'draft.txt')));
      await waitFor(() => ctx.notices.find((n) => n.message.startsWith(`Task wip is done; its worktree was kept: ${wipTask.worktree?.path} holds uncommitted changes`)), 'the kept notice');
    } finally {
      for (const line of git(root, 'worktree', 'list', '--porcelain').split('\n')) {
        const where = line.startsWith('worktree ') ? line.slice('worktree '.length) : undefined;
        if (where && where !== root) git(root, 'worktree', 'remove', '--force', where);
      }
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
