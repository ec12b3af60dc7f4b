// The messages between the extension and the stats webview (media/src/stats.ts).
// Types only: the webview bundle imports them with `import type`.
import type { RunStatsResult } from '../../../contract/results';
import type { TaskStatus } from '../../../contract/statuses';
import type { FromRunPage, RunHead } from '../webview/pageProtocol';

export interface StatsModel {
  type: 'stats';
  run: RunHead | null;
  /** The flow metrics (PROTOCOL.md §Flow metrics), absent while they cannot be read. */
  stats?: RunStatsResult;
  /** Why there are none (the server is down, the run cannot be read). */
  error?: string;
  /** Task statuses in board order, with the words views use for them. */
  statuses: { status: TaskStatus; label: string }[];
  /** Task titles by id, for the table. */
  titles: Record<string, string>;
}

export type FromStats = FromRunPage;
