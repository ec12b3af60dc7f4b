// The task board webview: one column per task status, cards with actions. Everything from the
// extension is rendered as text (textContent, attributes set through the DOM, never innerHTML),
// so a task titled `<img src=x onerror=…>` shows those characters and nothing else. Every model
// re-renders the header's title row and the board below it; the filter box between them stays.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import type { BoardAction, BoardModel, BoardState, CardModel, FromBoard, ToBoard } from '../../client/src/board/boardProtocol';
import { BOARD_COLUMNS, isFinishedTask, TASK_STATUS_LABEL, type TaskStatus } from '../../contract/statuses';
import { failuresShown, formatDuration } from '../../contract/taskText';
import { createFilterBox } from './lib/filterBox';
import { el, icon, vscodeApi } from './lib/dom';

const vscode = vscodeApi<FromBoard, BoardState>();
const app = document.getElementById('app')!;
const filterBox = createFilterBox((text) => vscode.postMessage({ type: 'filter', text }));
const header = el('header', 'board-header');
const titleRow = el('div', 'board-title-row');
header.append(titleRow, filterBox.element);
const body = el('div', 'board-body');

const COLUMN_ICON: Record<TaskStatus, string> = {
  pending: 'circle-large-outline',
  runnable: 'circle-outline',
  in_progress: 'sync',
  blocked: 'circle-slash',
  done: 'pass',
  failed: 'error',
  cancelled: 'stop-circle',
};

const ACTION_UI: Record<BoardAction, { icon: string; label: string }> = {
  claim: { icon: 'play', label: 'Claim' },
  heartbeat: { icon: 'pulse', label: 'Heartbeat' },
  complete: { icon: 'check', label: 'Complete' },
  fail: { icon: 'close', label: 'Fail' },
  release: { icon: 'debug-step-out', label: 'Release' },
  retry: { icon: 'debug-restart', label: 'Retry' },
  requeue: { icon: 'discard', label: 'Requeue' },
  cancel: { icon: 'stop-circle', label: 'Cancel…' },
  edit: { icon: 'edit', label: 'Edit…' },
  details: { icon: 'json', label: 'Open details' },
};
/** A requeue of a cancelled task reopens it (PROTOCOL.md §cancelTask), and says so. */
const REOPEN_UI = { icon: 'history', label: 'Reopen' };

function actionUi(action: BoardAction, card: CardModel): { icon: string; label: string } {
  return action === 'requeue' && card.status === 'cancelled' ? REOPEN_UI : ACTION_UI[action];
}

let model: BoardModel | undefined;
/** Browser clock minus sender clock, so countdowns are right even across machines. */
let skew = 0;

function leaseLabel(expiresAt: number): string {
  const left = expiresAt - (Date.now() - skew);
  return left > 0 ? `lease ${formatDuration(left)}` : 'lease expired';
}

function renderCard(card: CardModel, m: BoardModel): HTMLElement {
  const c = el('div', `card status-${card.status}${card.mine ? ' mine' : ''}`);
  c.dataset.taskId = card.id;
  c.dataset.status = card.status;
  c.tabIndex = 0;
  c.append(el('div', 'card-title', card.title));
  const meta = el('div', 'card-meta');
  meta.append(el('span', 'task-type', card.task_type), el('span', 'task-id', card.id));
  const failures = failuresShown(card);
  if (failures) meta.append(el('span', 'attempt', failures));
  if (card.priority !== 0) meta.append(el('span', 'priority', `priority ${card.priority}`));
  c.append(meta);
  if (card.lease_owner) {
    const lease = el('div', 'card-lease');
    lease.append(icon(card.mine ? 'account' : 'person'), el('span', 'owner', card.mine ? `${card.lease_owner} (you)` : card.lease_owner));
    if (card.lease_expires_at_ms !== undefined) {
      const countdown = el('span', 'countdown', leaseLabel(card.lease_expires_at_ms));
      countdown.dataset.expires = String(card.lease_expires_at_ms);
      lease.append(countdown);
    }
    c.append(lease);
  }
  for (const why of card.waits) c.append(el('div', 'card-wait', why));
  if (card.last_error && !isFinishedTask(card.status)) c.append(el('div', 'card-error', card.last_error));
  if (card.result) c.append(el('div', 'card-result', card.result));
  if (card.worktree) c.append(el('div', 'card-worktree', card.worktree));
  const bar = el('div', 'card-actions');
  for (const action of card.actions) {
    const ui = actionUi(action, card);
    const b = el('vscode-toolbar-button');
    b.setAttribute('icon', ui.icon);
    b.setAttribute('label', ui.label);
    b.title = ui.label;
    b.dataset.action = action;
    b.addEventListener('click', () => {
      if (!m.run) return;
      vscode.postMessage({ type: 'action', action, root: m.run.root, run_id: m.run.run_id, task_id: card.id });
    });
    bar.append(b);
  }
  c.append(bar);
  return c;
}

/** The run's title and the board's tools (the header's row above the filter box). */
function renderTitleRow(m: BoardModel): HTMLElement[] {
  const title = el('div', 'run-title');
  if (m.run) {
    title.append(
      el('span', `run-status run-${m.run.status}`, m.run.status_text),
      el('span', 'run-objective', m.run.objective || m.run.run_id),
    );
    title.title = m.run.run_id;
  } else {
    title.append(el('span', 'run-objective', 'No run selected'));
  }
  const tools = el('div', 'board-tools');
  const pick = el('vscode-toolbar-button');
  pick.setAttribute('icon', 'list-selection');
  pick.setAttribute('label', 'Show another run');
  pick.title = 'Show another run';
  pick.dataset.tool = 'pickRun';
  pick.addEventListener('click', () => vscode.postMessage({ type: 'pickRun' }));
  tools.append(pick);
  if (!m.pinned && m.run) {
    const open = el('vscode-toolbar-button');
    open.setAttribute('icon', 'link-external');
    open.setAttribute('label', 'Open in editor');
    open.title = 'Open in editor';
    open.dataset.tool = 'openInEditor';
    open.addEventListener('click', () => vscode.postMessage({ type: 'openInEditor' }));
    tools.append(open);
  }
  return [title, tools];
}

function render(m: BoardModel): void {
  // Keep each column's scroll position across re-renders.
  const scroll = new Map<string, number>();
  for (const col of Array.from(app.querySelectorAll<HTMLElement>('.column-cards'))) scroll.set(col.dataset.status ?? '', col.scrollTop);
  titleRow.replaceChildren(...renderTitleRow(m));
  filterBox.element.hidden = !m.run;
  filterBox.update(m.filter);
  const frag = document.createDocumentFragment();
  if (!m.serverRunning) {
    const banner = el('div', 'banner banner-error');
    banner.append(icon('error'), el('span', undefined, 'The Runboard server is not running. '));
    const restart = el('vscode-button', undefined, 'Restart');
    restart.addEventListener('click', () => vscode.postMessage({ type: 'restartServer' }));
    banner.append(restart);
    frag.append(banner);
  } else if (!m.trusted) {
    const banner = el('div', 'banner');
    banner.append(icon('shield'), el('span', undefined, 'Read-only: trust this workspace to claim and change tasks.'));
    frag.append(banner);
  }
  if (!m.run) {
    frag.append(el('p', 'empty', 'Select a run in the Runs view, or create one with “Runboard: Create Run”.'));
  } else {
    const board = el('div', 'columns');
    for (const status of BOARD_COLUMNS) {
      const cards = m.tasks.filter((t) => t.status === status).sort((a, b) => b.priority - a.priority);
      const column = el('section', `column column-${status}`);
      column.dataset.status = status;
      const head = el('h2', 'column-head');
      const badge = el('vscode-badge', undefined, String(cards.length));
      badge.setAttribute('variant', 'counter');
      head.append(
        icon(COLUMN_ICON[status], status === 'in_progress' && cards.length > 0),
        el('span', 'column-label', TASK_STATUS_LABEL[status]),
        badge,
      );
      const list = el('div', 'column-cards');
      list.dataset.status = status;
      for (const card of cards) list.append(renderCard(card, m));
      const hidden = m.filter.hidden[status] ?? 0;
      if (hidden > 0) list.append(el('div', 'column-hidden', `${hidden} hidden by the filter`));
      else if (cards.length === 0) list.append(el('div', 'column-empty', '—'));
      column.append(head, list);
      board.append(column);
    }
    frag.append(board);
  }
  body.replaceChildren(frag);
  if (!header.isConnected) app.replaceChildren(header, body);
  for (const col of Array.from(app.querySelectorAll<HTMLElement>('.column-cards')))
    col.scrollTop = scroll.get(col.dataset.status ?? '') ?? 0;
}

window.addEventListener('message', (ev: MessageEvent<ToBoard>) => {
  const m = ev.data;
  if (!m || m.type !== 'board') return;
  model = m;
  skew = Date.now() - m.sentAt;
  vscode.setState({ ...(m.run ? { root: m.run.root, run_id: m.run.run_id } : {}), filter: m.filter.text });
  // The side-bar board sits on the side bar's background, the editor tab's on the editor's (board.css).
  document.documentElement.classList.toggle('in-side-bar', !m.pinned);
  render(m);
});

// Lease countdowns tick locally between updates.
setInterval(() => {
  if (!model) return;
  for (const c of Array.from(app.querySelectorAll<HTMLElement>('.countdown'))) c.textContent = leaseLabel(Number(c.dataset.expires));
}, 1000);

vscode.postMessage({ type: 'ready', state: vscode.getState() });
