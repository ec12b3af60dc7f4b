// @ts-check
// The Stats panel and the dependency graph (issue 20) as a person sees them: both open from the
// palette for the run CLI agents work on; the graph draws every task, the longest remaining chain
// highlighted, and a click on a node reveals its task in the Runs tree; the stats draw their charts
// (painted canvases) and the per-task table. A task titled `<img src=x onerror=alert(1)>` shows
// as those characters in both, nothing runs, and neither page breaks its CSP. Screenshots of the
// Attention node, the stats and the graph are the README's.
import assert from 'node:assert/strict';
import { finishTask, runboardCli, waitForRunsSelection, watchPageSafety, webviewFrame } from './runboardPage.mjs';

export const title = 'stats panel and dependency graph: charts drawn, a node click reveals its task, task text as text';
const EVIL = '<img src=x onerror=alert(1)>';
const RUN = 'insights-run';

export async function run({ wb, page, workspace, shot, log }) {
  const { cspViolations, dialogs } = watchPageSafety(page);
  // Opened before the run's failed task puts a badge on the activity bar item (it would take the click).
  await wb.openViewContainer('Runboard');
  runboardCli(workspace, ['run', 'create', '--id', RUN, 'Ship the 2.0 changelog']);
  runboardCli(workspace, ['--run', RUN, 'tasks', 'create', '-'], {
    input: JSON.stringify([
      { id: 'survey', task_type: 'research', payload: { title: 'Survey the existing docs' } },
      { id: 'inspect', task_type: 'research', payload: { title: 'Inspect the project layout' } },
      { id: 'evil', task_type: 'code', depends_on_task_ids: ['survey'], payload: { title: EVIL } },
      { id: 'write', task_type: 'code', depends_on_task_ids: ['evil', 'inspect'], payload: { title: 'Write CHANGELOG.md' } },
      { id: 'link', task_type: 'docs', depends_on_task_ids: ['write'], payload: { title: 'Link it from README.md' } },
      { id: 'deploy', task_type: 'ops', max_attempts: 1, payload: { title: 'Deploy the docs site' } },
      { id: 'announce', task_type: 'docs', depends_on_task_ids: ['deploy'], payload: { title: 'Announce the release' } },
    ]),
  });
  finishTask(workspace, RUN, 'survey', { agent: 'agent-ann' });
  finishTask(workspace, RUN, 'inspect', { agent: 'agent-bob' });
  finishTask(workspace, RUN, 'deploy', { agent: 'agent-bob', error: 'the docs host refused the upload' });
  runboardCli(workspace, ['--run', RUN, 'claim', '--task', 'evil', '--lease-ms', '600000'], { agent: 'agent-ann' });

  const runs = await wb.waitForViewProvider('Runs', { timeout: 90_000 });
  await wb.treeItem(/Ship the 2.0 changelog/, runs).waitFor({ timeout: 60_000 });
  // The failed deploy needs the person: the Attention node on top of the tree.
  await wb.treeItem(/Deploy the docs site failed/, runs).waitFor({ timeout: 30_000 });
  await shot('attention');

  await wb.runCommand('Runboard: Show Dependency Graph');
  const graph = await webviewFrame(page, 'svg.graph .node');
  assert.equal(await graph.locator('.node').count(), 7);
  assert.equal((await graph.locator('.node[data-task-id="evil"] .node-title').textContent())?.trim(), EVIL);
  assert.equal(await graph.locator('img').count(), 0, 'no <img> in the graph');
  // Remaining: evil (in progress) → write → link; deploy (failed) → announce.
  assert.deepEqual(await graph.locator('.node.on-chain').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-task-id'))), ['evil', 'write', 'link']);
  assert.equal(await graph.locator('.edge.on-chain').count(), 2);
  assert.match((await graph.locator('.graph-summary').textContent()) ?? '', /^Longest remaining chain: 3 tasks — <img src=x onerror=alert\(1\)> → Write CHANGELOG\.md → Link it from README\.md$/);
  await shot('graph');
  await graph.locator('.node[data-task-id="write"]').click();
  await waitForRunsSelection(wb, 'Write CHANGELOG.md');
  log('a click on a graph node revealed its task in the Runs tree');

  await wb.runCommand('Runboard: Show Run Stats');
  const stats = await webviewFrame(page, '.chart-grid canvas');
  assert.equal(await stats.locator('canvas').count(), 4);
  // Every chart painted something: a canvas with no opaque pixel is blank.
  const painted = await stats.locator('canvas').evaluateAll((cs) =>
    cs.map((c) => {
      const canvas = /** @type {HTMLCanvasElement} */ (c);
      const { data } = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d')).getImageData(0, 0, canvas.width, canvas.height);
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return true;
      return false;
    }),
  );
  assert.deepEqual(painted, [true, true, true, true]);
  assert.equal(await stats.locator('table.data').last().locator('tbody tr').count(), 7, 'a row per task');
  assert.equal(await stats.locator('button[data-task-id="evil"]').textContent(), EVIL);
  assert.equal(await stats.locator('img').count(), 0, 'no <img> in the stats');
  assert.match((await stats.locator('.tile').first().textContent()) ?? '', /Done\s*2 of 7/);
  await shot('stats');

  assert.equal(dialogs(), 0, 'no alert() ran');
  assert.deepEqual(cspViolations, [], 'no CSP violation');
}
