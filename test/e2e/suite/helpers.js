// @ts-check
// Shared helpers of the extension-host tests: the extension's test API, polling, the first
// workspace folder, the bundled CLI (run on the extension host's Node, as a separate process).
const assert = require('assert');
const { spawnSync } = require('child_process');
const path = require('path');
const vscode = require('vscode');

const EXTENSION_ID = 'runboard.runboard';

/**
 * What Runboard's commands return, for the type checker (tsconfig.e2e.json): the contract's records.
 * @typedef {import('../../../contract/schemas/records').Task} Task
 * @typedef {import('../../../contract/schemas/records').RunRecord} RunRecord
 * @typedef {import('../../../contract/schemas/records').EventRecord} EventRecord
 * @typedef {import('../../../client/src/commands/replayCommands').ReplayOutcome} ReplayOutcome
 * @typedef {{
 *   'runboard.createRun': RunRecord;
 *   'runboard.appendEvent': EventRecord;
 *   'runboard.pauseRun': RunRecord;
 *   'runboard.resumeRun': RunRecord;
 *   'runboard.cancelRun': RunRecord;
 *   'runboard.completeRun': RunRecord;
 *   'runboard.failRun': RunRecord;
 *   'runboard.addTask': Task;
 *   'runboard.editTask': Task;
 *   'runboard.initWorkspace': string[];
 *   'runboard.reopenRun': RunRecord;
 *   'runboard.rebindWorkspace': RunRecord;
 *   'runboard.claimNextTask': Task | null;
 *   'runboard.claimTask': Task;
 *   'runboard.heartbeatTask': Task;
 *   'runboard.completeTask': Task;
 *   'runboard.failTask': Task;
 *   'runboard.releaseTask': Task;
 *   'runboard.retryTask': Task;
 *   'runboard.requeueTask': Task;
 *   'runboard.reopenTask': Task;
 *   'runboard.cancelTask': import('../../../contract/results').CancelTaskResult;
 *   'runboard.createTasksFromFile': Task[];
 *   'runboard.addFact': import('../../../contract/results').PatchBlackboardResult['patch'];
 *   'runboard.addDecision': import('../../../contract/results').PatchBlackboardResult['patch'];
 *   'runboard.addQuestion': import('../../../contract/results').PatchBlackboardResult['patch'];
 *   'runboard.addArtifact': import('../../../contract/results').PatchBlackboardResult['patch'];
 *   'runboard.answerQuestion': import('../../../contract/results').PatchBlackboardResult['patch'];
 *   'runboard.resolveQuestion': import('../../../contract/results').PatchBlackboardResult['patch'];
 *   'runboard.reopenQuestion': import('../../../contract/results').PatchBlackboardResult['patch'];
 *   'runboard.supersedeDecision': import('../../../contract/results').PatchBlackboardResult['patch'];
 *   'runboard.createCheckpoint': { checkpoint_id: string; seq: number; reason: string };
 *   'runboard.replay': ReplayOutcome;
 *   'runboard.replayFromCheckpoint': ReplayOutcome;
 *   'runboard.showDrift': ReplayOutcome;
 *   'runboard.openRunLog': vscode.Uri;
 *   'runboard.openTaskDetails': vscode.Uri;
 *   'runboard.setupMcp': { registered: boolean; files: string[] };
 *   'runboard.filterTasks': string;
 *   'runboard.clearTaskFilter': string;
 *   'runboard.archiveRun': import('../../../contract/results').ArchiveRunResult;
 *   'runboard.restoreRun': RunRecord;
 *   'runboard.compactRun': import('../../../contract/results').ArchivedRunInfo;
 *   'runboard.claimTaskInWorktree': Task | null;
 *   'runboard.mergeTaskBranch': { task: Task; commit: string };
 * }} CommandResults
 */

/**
 * Runs a command; a Runboard command's result has the type CommandResults gives it.
 * @template {string} C
 * @param {C} id
 * @param {...unknown} args
 * @returns {Thenable<C extends keyof CommandResults ? CommandResults[C] : unknown>}
 */
function command(id, ...args) {
  return vscode.commands.executeCommand(id, ...args);
}

/** Activates the extension and waits until its server runs and the runs are loaded.
 * @returns {Promise<import('../../../client/src/extension').RunboardApi>} */
async function runboard() {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded`);
  const api = await ext.activate();
  assert.ok(api && api.ctx, 'activate() returned no test API (activation failed; see the Runboard log)');
  await api.whenIdle();
  return api;
}

function extensionPath() {
  return vscode.extensions.getExtension(EXTENSION_ID).extensionPath;
}

/** Polls until `fn` returns a truthy value (returned), or fails with `what` after `timeoutMs`. */
async function waitFor(fn, what, timeoutMs = 20000, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function root() {
  return vscode.workspace.workspaceFolders[0].uri.fsPath;
}

/** Runs the bundled CLI in another process (a different writer than the extension's server). */
function cli(args, cwdRoot = root()) {
  const r = spawnSync(process.execPath, [path.join(extensionPath(), 'dist', 'cli.js'), '--root', cwdRoot, '--json', ...args], {
    encoding: 'utf8',
    timeout: 30000,
    env: { ...process.env, RUNBOARD_AGENT: 'cli-agent' },
  });
  if (r.status !== 0) throw new Error(`runboard ${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
}

/** Creates a run through the command, bound to the first folder, and returns its ref. */
async function createRun(api, objective, extra = {}) {
  const run = await command('runboard.createRun', { objective, ...extra });
  assert.ok(run && run.run_id, `createRun returned ${JSON.stringify(run)}; notices: ${JSON.stringify(api.ctx.notices.slice(-3))}`);
  await api.whenIdle();
  return { root: extra.root || root(), run_id: run.run_id, run };
}

/** The tree items of a provider's children of `node` (root when undefined). */
async function children(provider, node) {
  const nodes = await provider.getChildren(node);
  return Promise.all(nodes.map(async (n) => ({ node: n, item: await provider.getTreeItem(n) })));
}

/** A run with the fixture's six tasks (tasks.json: survey-docs and inspect-layout first, then a chain that waits on them). */
async function runWithTasks(api, objective) {
  const ref = await createRun(api, objective);
  const tasks = await command('runboard.createTasksFromFile', { ...ref, file: path.join(root(), 'tasks.json') });
  assert.ok(Array.isArray(tasks), `createTasksFromFile returned ${JSON.stringify(tasks)}; ${JSON.stringify(lastNotice(api))}`);
  assert.strictEqual(tasks.length, 6);
  await api.whenIdle();
  return ref;
}

/** The Runs tree's task rows of a run by status group: {pending: [{node, item}], …}. */
async function taskGroups(api, ref) {
  const node = await runNode(api, ref);
  assert.ok(node, `run ${ref.run_id} is not in the tree`);
  const tasksNode = (await api.ctx.runsTree.getChildren(node)).find((n) => n.kind === 'tasks');
  const groups = await children(api.ctx.runsTree, tasksNode);
  const out = {};
  for (const g of groups) out[g.node.status] = await children(api.ctx.runsTree, g.node);
  return out;
}

/** The rows of one section of the Blackboard ("Waiting tasks", "Closed questions" …), showing the run. */
async function blackboardRows(api, ref, section) {
  api.ctx.selection.select(ref);
  const found = (await children(api.ctx.blackboardTree)).find((s) => label(s.item) === section);
  assert.ok(found, `the Blackboard has no section ${section}`);
  return children(api.ctx.blackboardTree, found.node);
}

/** The Runs tree's node of a run (walks the tree from its roots, as the view would). */
async function runNode(api, ref) {
  const tree = api.ctx.runsTree;
  for (const top of await tree.getChildren()) {
    if (top.kind === 'run' && top.ref.run_id === ref.run_id && top.ref.root === ref.root) return top;
    if (top.kind === 'folder' && top.root === ref.root) {
      const found = (await tree.getChildren(top)).find((n) => n.kind === 'run' && n.ref.run_id === ref.run_id);
      if (found) return found;
    }
  }
  return undefined;
}

/** The Runs tree's row of a run: its node and tree item. */
async function runRow(api, ref) {
  const node = await runNode(api, ref);
  return node && { node, item: await api.ctx.runsTree.getTreeItem(node) };
}

function label(item) {
  return typeof item.label === 'string' ? item.label : item.label && item.label.label;
}

function lastNotice(api) {
  return api.ctx.notices.at(-1);
}

/**
 * The commands the extension's package.json shows in `view`'s item menus (inline and context) for
 * an item with `contextValue` — evaluating the when clauses used there (==, =~ and &&), as VS Code does.
 */
function menuCommands(view, contextValue) {
  const pkg = JSON.parse(require('fs').readFileSync(path.join(extensionPath(), 'package.json'), 'utf8'));
  const keys = { view, viewItem: contextValue };
  const holds = (clause) => {
    let m = /^(\w+) == (\S+)$/.exec(clause);
    if (m) return keys[m[1]] === m[2];
    m = /^(\w+) =~ \/(.*)\/$/.exec(clause);
    if (m) return new RegExp(m[2]).test(keys[m[1]] ?? '');
    throw new Error(`when clause not understood: ${clause}`);
  };
  const shown = pkg.contributes.menus['view/item/context'].filter((e) => e.when.split(' && ').every(holds)).map((e) => e.command);
  return [...new Set(shown)].sort();
}

module.exports = { command, runNode, runRow, runboard, extensionPath, waitFor, root, cli, createRun, children, runWithTasks, taskGroups, blackboardRows, label, lastNotice, menuCommands, EXTENSION_ID };
