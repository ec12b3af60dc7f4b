// The Stats panel webview: a run's flow metrics (PROTOCOL.md §Flow metrics) as charts — done per
// slice of the run's time, tasks by status over time, cycle time by type and by agent — and the
// per-task table (a row's button reveals the task). Charts are Chart.js on canvas (no eval, no
// injected styles: it runs under the page's strict CSP); each has a text summary for screen readers
// and its numbers in a table beside it. Colours come from the theme (media/webview.css), again on
// every theme change.
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import type { StatsModel } from '../../client/src/stats/statsProtocol';
import type { FromRunPage, RunPageState } from '../../client/src/webview/pageProtocol';
import type { CycleTimes, RunStatsResult } from '../../contract/results';
import { formatSpan } from '../../contract/taskText';
import { cssVar, el, onThemeChange, RUN_NOT_OPEN, runHeader, vscodeApi } from './lib/dom';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Filler, Legend, Tooltip);

const vscode = vscodeApi<FromRunPage, RunPageState>();
const app = document.getElementById('app')!;
let model: StatsModel | undefined;
const charts: Chart[] = [];

const span = (ms: number | undefined) => (ms === undefined ? '—' : formatSpan(ms));
const clock = (ms: number) => new Date(ms).toLocaleTimeString();

/** Each slice by how far into the run it ends ("+1m 05s"): the slices are equal parts of the run's time. */
function sliceLabels(s: RunStatsResult): string[] {
  const o = s.over_time;
  const width = o.length > 1 ? o[1].end_ms - o[0].end_ms : 0;
  const start = (o[0]?.end_ms ?? 0) - width;
  return o.map((x) => `+${formatSpan(x.end_ms - start)}`);
}

function table(caption: string, head: string[], rows: (string | HTMLElement)[][]): HTMLTableElement {
  const t = el('table', 'data');
  t.append(el('caption', undefined, caption));
  const tr = el('tr');
  for (const h of head) {
    const th = el('th', undefined, h);
    th.scope = 'col';
    tr.append(th);
  }
  t.createTHead().append(tr);
  const body = t.createTBody();
  for (const row of rows) {
    const r = el('tr');
    for (const cell of row) {
      const td = el('td');
      td.append(cell);
      r.append(td);
    }
    body.append(r);
  }
  return t;
}

/** A chart with its summary read out, and its numbers in a table under a disclosure. */
function chartCard(title: string, summary: string, config: ChartConfiguration, data: HTMLTableElement): HTMLElement {
  const card = el('section', 'chart-card');
  card.append(el('h2', undefined, title));
  const box = el('div', 'chart-box');
  const canvas = el('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${title}: ${summary}`);
  box.append(canvas);
  const details = el('details');
  details.append(el('summary', undefined, 'Numbers'), data);
  card.append(box, el('p', 'chart-summary', summary), details);
  charts.push(new Chart(canvas, config));
  return card;
}

/** Axes and legend in the theme's colours; `counts` keeps the value axis to whole numbers. */
function chartOptions(o: { stacked?: boolean; horizontal?: boolean; counts?: boolean } = {}): ChartConfiguration['options'] {
  const grid = { color: cssVar('--vscode-widget-border') || 'rgba(128,128,128,0.25)' };
  const ticks = { color: cssVar('--vscode-descriptionForeground') };
  const category = { stacked: o.stacked, grid, ticks: { ...ticks, maxRotation: 0, autoSkip: true } };
  const value = { stacked: o.stacked, grid, beginAtZero: true, ticks: { ...ticks, ...(o.counts ? { precision: 0 } : {}) } };
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    indexAxis: o.horizontal ? 'y' : 'x',
    plugins: { legend: { labels: { color: cssVar('--vscode-foreground') } } },
    scales: o.horizontal ? { x: value, y: category } : { x: category, y: value },
  };
}

function throughputChart(s: RunStatsResult): HTMLElement {
  const labels = sliceLabels(s);
  const done = s.over_time.map((o) => o.done);
  const total = done.reduce((a, b) => a + b, 0);
  const peak = Math.max(0, ...done);
  const summary = `${total} task${total === 1 ? '' : 's'} done in ${s.over_time.length} slices of the run's time; at most ${peak} in one.`;
  return chartCard(
    'Done over time',
    summary,
    {
      type: 'bar',
      data: { labels, datasets: [{ label: 'Tasks done', data: done, backgroundColor: cssVar('--status-done') }] },
      options: chartOptions({ counts: true }),
    },
    table(
      'Tasks done per slice',
      ['Into the run', 'At', 'Done'],
      s.over_time.map((o, i) => [labels[i], clock(o.end_ms), String(o.done)]),
    ),
  );
}

function statusChart(s: RunStatsResult, m: StatsModel): HTMLElement {
  const labels = sliceLabels(s);
  const present = m.statuses.filter(({ status }) => s.over_time.some((o) => o.by_status[status] > 0));
  const last = s.over_time.at(-1);
  const summary = last
    ? `At the end: ${present.map(({ status, label }) => `${last.by_status[status]} ${label.toLowerCase()}`).join(', ')}.`
    : 'No events yet.';
  return chartCard(
    'Tasks by status over time',
    summary,
    {
      type: 'line',
      data: {
        labels,
        datasets: present.map(({ status, label }) => ({
          label,
          data: s.over_time.map((o) => o.by_status[status]),
          borderColor: cssVar(`--status-${status}`),
          backgroundColor: cssVar(`--status-${status}`),
          fill: true,
          pointRadius: 0,
        })),
      },
      options: chartOptions({ stacked: true, counts: true }),
    },
    table(
      'Tasks by status at the end of each slice',
      ['Into the run', 'At', ...present.map((p) => p.label)],
      s.over_time.map((o, i) => [labels[i], clock(o.end_ms), ...present.map(({ status }) => String(o.by_status[status]))]),
    ),
  );
}

function cycleChart(title: string, what: string, rows: CycleTimes[]): HTMLElement {
  const summary = rows.length
    ? rows.map((c) => `${c.key}: mean ${span(c.mean_ms)}, p90 ${span(c.p90_ms)} over ${c.tasks}`).join('; ')
    : 'No task is done yet.';
  const seconds = (ms: number) => ms / 1000;
  return chartCard(
    title,
    summary,
    {
      type: 'bar',
      data: {
        labels: rows.map((c) => c.key),
        datasets: [
          { label: 'Mean (s)', data: rows.map((c) => seconds(c.mean_ms)), backgroundColor: cssVar('--status-in_progress') },
          { label: 'p90 (s)', data: rows.map((c) => seconds(c.p90_ms)), backgroundColor: cssVar('--status-runnable') },
        ],
      },
      options: chartOptions({ horizontal: true }),
    },
    table(
      `Cycle time by ${what}`,
      [what, 'Done tasks', 'Mean', 'p90'],
      rows.map((c) => [c.key, String(c.tasks), span(c.mean_ms), span(c.p90_ms)]),
    ),
  );
}

function tasksTable(s: RunStatsResult, m: StatsModel): HTMLElement {
  const label = new Map(m.statuses.map((x) => [x.status, x.label]));
  const rows = s.tasks.map((t) => {
    const reveal = el('button', 'link', m.titles[t.task_id] ?? t.task_id);
    reveal.type = 'button';
    reveal.title = `Reveal ${t.task_id} in the Runs view`;
    reveal.dataset.taskId = t.task_id;
    return [
      reveal,
      t.task_type,
      label.get(t.status) ?? t.status,
      String(t.attempts),
      t.agent ?? '—',
      span(t.wait_ms),
      span(t.work_ms),
      span(t.cycle_ms),
    ];
  });
  const section = el('section', 'tasks');
  section.append(
    el('h2', undefined, 'Tasks'),
    table(
      'Per task: wait (claimable to first claim), work (first claim to done), cycle (claimable to done)',
      ['Task', 'Type', 'Status', 'Claims', 'Agent', 'Wait', 'Work', 'Cycle'],
      rows,
    ),
  );
  return section;
}

function tiles(s: RunStatsResult): HTMLElement {
  const done = s.tasks.filter((t) => t.status === 'done');
  const mean = (xs: (number | undefined)[]) => {
    const v = xs.filter((x): x is number => x !== undefined);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
  };
  const box = el('dl', 'tiles');
  for (const [term, value] of [
    ['Done', `${done.length} of ${s.tasks.length}`],
    ['Mean wait', span(mean(s.tasks.map((t) => t.wait_ms)))],
    ['Mean work', span(mean(s.tasks.map((t) => t.work_ms)))],
    ['Mean cycle', span(mean(s.tasks.map((t) => t.cycle_ms)))],
    ['Claims', String(s.tasks.reduce((n, t) => n + t.attempts, 0))],
  ]) {
    const tile = el('div', 'tile');
    tile.append(el('dt', undefined, term), el('dd', undefined, value));
    box.append(tile);
  }
  return box;
}

function render(m: StatsModel): void {
  for (const c of charts.splice(0)) c.destroy();
  app.replaceChildren(runHeader(m.run));
  if (!m.run) {
    app.append(el('p', 'empty', RUN_NOT_OPEN));
    return;
  }
  if (m.error || !m.stats) {
    app.append(el('p', 'error', m.error ?? 'Reading the run’s numbers…'));
    return;
  }
  const s = m.stats;
  app.append(el('p', 'stats-seq', `As of event ${s.seq}.`), tiles(s));
  // Charts measure their container: they are made once it is in the page.
  const grid = el('div', 'chart-grid');
  app.append(grid);
  grid.append(
    throughputChart(s),
    statusChart(s, m),
    cycleChart('Cycle time by type', 'Type', s.cycle_by_type),
    cycleChart('Cycle time by agent', 'Agent', s.cycle_by_agent),
  );
  app.append(tasksTable(s, m));
}

app.addEventListener('click', (ev) => {
  const b = (ev.target as Element).closest<HTMLElement>('button[data-task-id]');
  if (b?.dataset.taskId) vscode.postMessage({ type: 'reveal', task_id: b.dataset.taskId });
});

window.addEventListener('message', (ev: MessageEvent<StatsModel>) => {
  const m = ev.data;
  if (!m || m.type !== 'stats') return;
  model = m;
  vscode.setState(m.run ? { root: m.run.root, run_id: m.run.run_id } : {});
  render(m);
});

// The canvas is painted with the colours of the theme it was made in.
onThemeChange(() => {
  if (model) render(model);
});

vscode.postMessage({ type: 'ready', state: vscode.getState() });
