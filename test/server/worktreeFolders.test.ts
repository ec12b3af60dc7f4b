// A folder that is a task's git worktree shows its main worktree's board (issue 22): a server
// opened on it lists and writes the run of the main workspace, and the run's workspace lease takes
// the worktree for the run's own folder — no mismatch, no pause — while another folder still
// pauses it. A worktree and its main worktree open together share one board, which stays open
// while either does.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe } from 'node:test';
import { CLI_JS, itOnFiles, startServer, stopServers, tempRoot, waitFor } from './serverProcess';

after(stopServers);

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const cli = (cwd: string, ...args: string[]) =>
  execFileSync(process.execPath, [CLI_JS, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, RUNBOARD_ROUTE: '0', RUNBOARD_ROOT: '' },
  });

/** A repository M with a run bound to it (tasks a, b) and task a claimed with a worktree W. */
function workspaceWithWorktree(): { main: string; worktree: string; runId: string } {
  const main = fs.realpathSync(tempRoot('runboard-wtf-'));
  git(main, 'init', '-q', '-b', 'main');
  git(main, 'config', 'user.email', 'test@example.com');
  git(main, 'config', 'user.name', 'Test');
  // As a user sets one up: `runboard init` commits .runboard/.gitignore, so each worktree checks out a .runboard/ of its own, without runs.
  cli(main, '--root', main, 'init');
  git(main, 'add', '.');
  git(main, 'commit', '-q', '-m', 'first');
  const runId = 'wt';
  cli(main, '--root', main, 'run', 'create', 'Work in worktrees', '--id', runId, '--workspace', main);
  cli(main, '--root', main, '--run', runId, 'tasks', 'add', 'a', '--id', 'a');
  cli(main, '--root', main, '--run', runId, 'tasks', 'add', 'b', '--id', 'b');
  made.push(main);
  const claimed = JSON.parse(cli(main, '--root', main, '--json', '--run', runId, 'claim', '--task', 'a', '--worktree'));
  return { main, worktree: claimed.task.worktree.path, runId };
}

const made: string[] = [];
after(() => {
  // The worktrees went beside their repositories.
  for (const main of made) fs.rmSync(`${main}.worktrees`, { recursive: true, force: true });
});

describe('a task worktree opened as a workspace folder', () => {
  itOnFiles("shows the main workspace's run, writes to it, and never pauses it; another folder still does", async () => {
    const { main, worktree, runId } = workspaceWithWorktree();
    assert.deepEqual(fs.readdirSync(path.join(worktree, '.runboard')), ['.gitignore'], 'what git checked out of .runboard/');
    const s = await startServer([worktree]);
    const { runs } = await s.call('runboard/listRuns', { root: worktree });
    assert.deepEqual(
      runs.map((r: { run_id: string }) => r.run_id),
      [runId],
    );
    const { run } = await s.call('runboard/getRun', { root: worktree, run_id: runId });
    assert.equal(run.workspace.canonical_path, main, 'the run is bound to the main workspace');
    const before = (await s.call('runboard/listEvents', { run_id: runId })).events.length;

    const lease = await s.call('runboard/validateWorkspaceLease', {
      root: worktree,
      run_id: runId,
      phase: 'activation',
      current_path: worktree,
    });
    assert.deepEqual([lease.ok, lease.mismatch, lease.status], [true, false, run.status]);
    assert.equal(lease.actual_path, main, 'the worktree counts as the run’s own folder');
    assert.equal((await s.call('runboard/listEvents', { run_id: runId })).events.length, before, 'nothing written');

    // Writes through the worktree's folder land in the main workspace's log.
    await s.call('runboard/claimTask', { root: worktree, run_id: runId, agent_id: 'w', task_id: 'b' });
    assert.match(fs.readFileSync(path.join(main, '.runboard', 'runs', runId, 'events.jsonl'), 'utf8'), /"task_id":"b"/);
    assert.deepEqual(fs.readdirSync(path.join(worktree, '.runboard')), ['.gitignore'], 'no board made in the worktree');

    // A folder that is not one of the run's own is still a mismatch: the run pauses.
    const elsewhere = fs.realpathSync(tempRoot());
    const moved = await s.call('runboard/validateWorkspaceLease', { run_id: runId, phase: 'activation', current_path: elsewhere });
    assert.deepEqual([moved.mismatch, moved.status, moved.actual_path], [true, 'paused', elsewhere]);
  });

  itOnFiles('opened beside its main worktree: one board, open while either folder is', async () => {
    const { main, worktree, runId } = workspaceWithWorktree();
    const s = await startServer([main, worktree]);
    const { runs } = await s.call('runboard/listRuns', {});
    assert.deepEqual(
      runs.map((r: { run_id: string }) => r.run_id),
      [runId],
      'listed once: both folders show the same board',
    );
    const { subscription_id: sub } = await s.call('runboard/subscribe', { tail: 0 });
    await s.conn.sendNotification('workspace/didChangeWorkspaceFolders', {
      event: { added: [], removed: [{ uri: pathToFileURL(worktree).href, name: 'worktree' }] },
    });
    await s.call('runboard/claimTask', { root: main, run_id: runId, agent_id: 'm', task_id: 'b' });
    await waitFor(
      () => s.delivered(sub).some((e) => e.type === 'context.task.claimed' && e.task_id === 'b'),
      3000,
      'the claim, still delivered',
    );
    assert.equal((await s.fail('runboard/listRuns', { root: worktree })).data?.code, 'ROOT_UNKNOWN', 'the worktree folder is closed');
    await s.conn.sendNotification('workspace/didChangeWorkspaceFolders', {
      event: { added: [], removed: [{ uri: pathToFileURL(main).href, name: 'main' }] },
    });
    // Notifications are handled in order, before the next request.
    assert.equal((await s.fail('runboard/listRuns', { root: main })).data?.code, 'ROOT_UNKNOWN', 'the board closed with its last folder');
  });
});
