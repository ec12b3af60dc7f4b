// @ts-check
// A task's git worktree in the editor (issue 22): once recorded (claim --worktree does it; here
// the protocol's setTaskWorktree, as the CLI calls it), the task's menu offers Open Task Worktree,
// its tooltip and its card on the board say where it is and, once done, whether its branch was
// merged; a removed worktree is not offered, and asking for it says why.
const assert = require('assert');
const path = require('path');
const { runboard, createRun, command, waitFor, menuCommands } = require('./helpers');
const createTasks = /** @type {typeof import('../../../server/src/protocol').Requests.createTasks} */ (/** @type {unknown} */ ('runboard/createTasks'));
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
});
