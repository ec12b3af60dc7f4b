// The Stats panel of one run: its flow metrics (`runboard/runStats`, computed on demand by the
// server and kept at their seq) read again when the run changes — at most once a second while it
// changes fast, so a busy run does not keep the server folding.
import { BOARD_COLUMNS, TASK_STATUS_LABEL } from '../../../contract/statuses';
import { taskTitle } from '../../../contract/taskText';
import { Requests } from '../../../server/src/protocol';
import { errorInfo } from '../errors';
import { RunPageSession, type RunPageDeps } from '../webview/runPageSession';
import type { RunPanelKind } from '../webview/runPanels';
import type { StatsModel } from './statsProtocol';

const STATS_REFRESH_MS = 1000;

/** The Stats panel's editor tabs (the view type is also in package.json's activation events). */
export function statsPanelKind(deps: RunPageDeps): RunPanelKind<StatsSession> {
  return {
    viewType: 'runboard.statsPanel',
    titlePrefix: 'Stats',
    page: { title: 'Run stats', script: 'stats.js', styles: ['stats.css'] },
    session: (webview, ref) => new StatsSession(webview, deps, ref),
  };
}
const STATUSES = BOARD_COLUMNS.map((status) => ({ status, label: TASK_STATUS_LABEL[status] }));

export class StatsSession extends RunPageSession<StatsModel> {
  private lastRead = 0;
  private pending: NodeJS.Timeout | undefined;
  private reads = 0;

  override update(): void {
    // Coalesce: the first change reads at once, changes within a second of a read wait for the next.
    if (this.pending) return;
    const wait = Math.max(0, this.lastRead + STATS_REFRESH_MS - Date.now());
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.lastRead = Date.now();
      super.update();
    }, wait);
  }

  protected async build(): Promise<StatsModel | undefined> {
    const read = ++this.reads;
    const open = this.openRun();
    const base = { type: 'stats' as const, statuses: STATUSES, titles: {} };
    if (!open) return { ...base, run: null };
    const shown = { ...base, run: open.head, titles: Object.fromEntries(open.run.tasks.map((t) => [t.id, taskTitle(t)])) };
    try {
      const stats = await this.deps.server.request(Requests.runStats, { root: open.head.root, run_id: open.head.run_id });
      // A newer read started meanwhile: its answer is the one to show.
      return read === this.reads ? { ...shown, stats } : undefined;
    } catch (e) {
      return read === this.reads ? { ...shown, error: errorInfo(e).message } : undefined;
    }
  }

  override dispose(): void {
    clearTimeout(this.pending);
    super.dispose();
  }
}
