// The dependency graph webview: a layered layout (dagre) drawn as SVG, left to right — a task
// after what it waits for. Status colours from media/webview.css; the longest remaining chain
// drawn thick. Every node is a button: click, Enter or Space reveals the task in the Runs tree;
// Tab and the arrow keys move between nodes in reading order. Text is set as text only.
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';
import type { FromGraph, GraphModel, GraphNodeModel } from '../../client/src/graph/graphProtocol';
import type { RunPageState } from '../../client/src/webview/pageProtocol';
import { el, RUN_NOT_OPEN, runHeader, svg, vscodeApi } from './lib/dom';

const vscode = vscodeApi<FromGraph, RunPageState>();
const app = document.getElementById('app')!;

const NODE = { width: 200, height: 46 };
const TITLE_CHARS = 28;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** What a node shows: its title and a line of status and agent, each clipped to the box. */
function nodeText(n: GraphNodeModel): { title: string; meta: string } {
  const meta = n.missing ? 'not in this run' : [n.status_label, n.agent].filter(Boolean).join(' · ');
  return { title: clip(n.title, TITLE_CHARS), meta: clip(meta, TITLE_CHARS + 4) };
}

/** Its accessible name: what it shows first (so speech and sight agree), then what the box has no room for. */
function nodeLabel(n: GraphNodeModel, m: GraphModel): string {
  const shown = nodeText(n);
  if (n.missing) return `${shown.title}, ${shown.meta}: the run has no task ${n.id}`;
  const waits = m.edges.filter((e) => e.to === n.id).length;
  const parts = [shown.title, shown.meta];
  if (shown.title !== n.title) parts.push(`title ${n.title}`);
  parts.push(`type ${n.task_type}`, `id ${n.id}`);
  if (waits) parts.push(`waits for ${waits} task${waits === 1 ? '' : 's'}`);
  if (n.on_chain) parts.push('on the longest remaining chain');
  return parts.join(', ');
}

function renderSummary(m: GraphModel): HTMLElement {
  const p = el('p', 'graph-summary');
  p.id = 'graph-summary';
  const byId = new Map(m.nodes.map((n) => [n.id, n]));
  if (m.chain.length === 0) p.textContent = m.nodes.length ? 'Every task is finished: no chain remains.' : 'This run has no tasks yet.';
  else {
    const names = m.chain.map((id) => byId.get(id)?.title ?? id);
    p.textContent = `Longest remaining chain: ${m.chain.length} task${m.chain.length === 1 ? '' : 's'} — ${names.join(' → ')}`;
  }
  return p;
}

function renderLegend(m: GraphModel): HTMLElement {
  const legend = el('ul', 'graph-legend');
  legend.setAttribute('aria-label', 'Legend');
  const seen = new Map(m.nodes.filter((n) => !n.missing).map((n) => [n.status, n.status_label]));
  for (const [status, label] of seen) {
    const item = el('li', `legend-item status-${status}`);
    item.append(el('span', 'swatch'), el('span', undefined, label));
    legend.append(item);
  }
  if (m.chain.length) {
    const item = el('li', 'legend-item legend-chain');
    item.append(el('span', 'swatch'), el('span', undefined, 'Longest remaining chain'));
    legend.append(item);
  }
  return legend;
}

function renderGraph(m: GraphModel): SVGSVGElement {
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>();
  g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 48, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of m.nodes) g.setNode(n.id, { ...NODE });
  for (const e of m.edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const { width = 0, height = 0 } = g.graph();
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'group' }, 'graph');
  root.setAttribute('aria-label', `Dependency graph: ${m.nodes.length} tasks`);
  root.setAttribute('aria-describedby', 'graph-summary');
  const defs = svg('defs');
  for (const [id, cls] of [
    ['arrow', 'arrow'],
    ['arrow-chain', 'arrow arrow-chain'],
  ]) {
    const marker = svg('marker', {
      id,
      viewBox: '0 0 10 10',
      refX: 10,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: 'auto-start-reverse',
    });
    marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z' }, cls));
    defs.append(marker);
  }
  root.append(defs);
  const edges = svg('g', { 'aria-hidden': 'true' }, 'edges');
  for (const e of m.edges) {
    const points = g.edge(e.from, e.to)?.points ?? [];
    if (points.length < 2) continue;
    const d = points.map((p, i) => `${i ? 'L' : 'M'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
    const path = svg('path', { d, 'marker-end': `url(#${e.on_chain ? 'arrow-chain' : 'arrow'})` }, `edge${e.on_chain ? ' on-chain' : ''}`);
    edges.append(path);
  }
  root.append(edges);
  // Reading order: left to right by layer, top to bottom within one — the order Tab follows.
  const placed = m.nodes
    .map((n) => ({ n, at: { x: g.node(n.id).x ?? 0, y: g.node(n.id).y ?? 0 } }))
    .sort((a, b) => a.at.x - b.at.x || a.at.y - b.at.y);
  const nodes = svg('g', {}, 'nodes');
  for (const { n, at } of placed) {
    const node = svg('g', { transform: `translate(${at.x - NODE.width / 2} ${at.y - NODE.height / 2})` });
    node.setAttribute('class', `node status-${n.status}${n.on_chain ? ' on-chain' : ''}${n.missing ? ' missing' : ''}`);
    node.dataset.taskId = n.id;
    node.setAttribute('aria-label', nodeLabel(n, m));
    if (!n.missing) {
      node.setAttribute('role', 'button');
      node.setAttribute('tabindex', '0');
    }
    const shown = nodeText(n);
    const title = svg('text', { x: 10, y: 19 }, 'node-title');
    // The trailing space keeps the title and the line under it two words apart for screen readers (SVG does not draw it).
    title.textContent = `${shown.title} `;
    const meta = svg('text', { x: 10, y: 36 }, 'node-meta');
    meta.textContent = shown.meta;
    node.append(
      svg('rect', { width: NODE.width, height: NODE.height, rx: 4 }, 'node-box'),
      svg('rect', { width: 5, height: NODE.height, rx: 2 }, 'node-status'),
      title,
      meta,
    );
    nodes.append(node);
  }
  root.append(nodes);
  return root;
}

function render(m: GraphModel): void {
  const focused = document.activeElement?.closest<SVGGElement>('.node')?.dataset.taskId;
  const frag = document.createDocumentFragment();
  frag.append(runHeader(m.run));
  if (m.run) {
    frag.append(renderSummary(m), renderLegend(m));
    if (m.omitted) frag.append(el('p', 'graph-omitted', m.omitted));
    const scroller = el('div', 'graph-scroll');
    if (m.nodes.length) scroller.append(renderGraph(m));
    frag.append(scroller);
  } else frag.append(el('p', 'empty', RUN_NOT_OPEN));
  app.replaceChildren(frag);
  // A live update keeps the keyboard where it was.
  if (focused) app.querySelector<SVGGElement>(`.node[data-task-id="${CSS.escape(focused)}"]`)?.focus();
}

function focusable(): SVGGElement[] {
  return Array.from(app.querySelectorAll<SVGGElement>('.node[tabindex]'));
}

app.addEventListener('click', (ev) => {
  const node = (ev.target as Element).closest<SVGGElement>('.node[tabindex]');
  if (node?.dataset.taskId) vscode.postMessage({ type: 'reveal', task_id: node.dataset.taskId });
});
app.addEventListener('keydown', (ev) => {
  const node = (ev.target as Element).closest<SVGGElement>('.node[tabindex]');
  if (!node?.dataset.taskId) return;
  if (ev.key === 'Enter' || ev.key === ' ') {
    ev.preventDefault();
    vscode.postMessage({ type: 'reveal', task_id: node.dataset.taskId });
    return;
  }
  const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[ev.key];
  if (!step) return;
  ev.preventDefault();
  const all = focusable();
  all[Math.min(all.length - 1, Math.max(0, all.indexOf(node) + step))]?.focus();
});

window.addEventListener('message', (ev: MessageEvent<GraphModel>) => {
  const m = ev.data;
  if (!m || m.type !== 'graph') return;
  vscode.setState(m.run ? { root: m.run.root, run_id: m.run.run_id } : {});
  render(m);
});

vscode.postMessage({ type: 'ready', state: vscode.getState() });
