// The messages between the extension and the task board webview (media/src/board.ts), both ways.
// Types only: the webview bundle imports them with `import type`, so nothing here runs there.
import type { RunStatus, TaskStatus } from '../../../contract/statuses';
import type { TaskAction } from '../../../contract/taskRules';
import type { RunHead } from '../webview/pageProtocol';

/** A card: everything already turned into display values, so the webview renders text only. */
export interface CardModel {
  id: string;
  title: string;
  task_type: string;
  status: TaskStatus;
  priority: number;
  attempt: number;
  max_attempts: number;
  lease_owner?: string;
  lease_expires_at_ms?: number;
  /** This editor holds the task's lease (shown as "you"). */
  mine: boolean;
  /** What the card offers, in order: the contract's rule for this editor (taskActions.ts), then details. */
  actions: BoardAction[];
  last_error?: string;
  /** What the work produced, noted on completion. */
  result?: string;
  depends_on: string[];
  /** Why the task waits (see waitReasons), empty when claimable or not waiting. */
  waits: string[];
  /** Its git worktree and, once done, whether its branch was merged (contract worktreeText). */
  worktree?: string;
}

/** The run the board shows: its header, and its status for the badge's colour. */
export interface BoardRun extends RunHead {
  status: RunStatus;
}

export interface BoardModel {
  type: 'board';
  run: BoardRun | null;
  tasks: CardModel[];
  /** Writes are refused in an untrusted workspace: actions are shown disabled. */
  trusted: boolean;
  serverRunning: boolean;
  /** The sender's clock, so countdowns survive a browser on another machine. */
  sentAt: number;
  /** The panel shows one run; the view follows the Runs tree. */
  pinned: boolean;
  /** The filter box: `tasks` holds only the cards it shows. */
  filter: BoardFilter;
}

/** What the board's filter box says (the extension filters with contract/taskFilter.ts: boardFilter.ts). */
export interface BoardFilter {
  /** The text the extension filters by, as typed. */
  text: string;
  /** A filter is in force (false for a blank text, and for one that is no filter). */
  active: boolean;
  /** Cards shown, of the run's tasks. */
  shown: number;
  total: number;
  /** "3 of 12 tasks" while filtering, "12 tasks, not filtered" for a text that is no filter, else empty. */
  count: string;
  /** Per column, the cards the filter hides. */
  hidden: Partial<Record<TaskStatus, number>>;
  /** Why the text is no filter: every card is shown then. */
  error?: string;
}

export type ToBoard = BoardModel;

export type BoardAction = TaskAction | 'details';

/** What survives hide/show and reloads (vscode.setState / the panel serializer). */
export interface BoardState {
  root?: string;
  run_id?: string;
  /** The filter box's text. */
  filter?: string;
}

export type FromBoard =
  | { type: 'ready'; state?: BoardState }
  | { type: 'action'; action: BoardAction; root: string; run_id: string; task_id: string }
  | { type: 'filter'; text: string }
  | { type: 'pickRun' }
  | { type: 'openInEditor' }
  | { type: 'restartServer' };
