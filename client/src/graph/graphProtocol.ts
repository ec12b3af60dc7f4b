// The messages between the extension and the dependency graph webview (media/src/graph.ts).
// Types only: the webview bundle imports them with `import type`.
import type { TaskStatus } from '../../../contract/statuses';
import type { FromRunPage, RunHead } from '../webview/pageProtocol';

export interface GraphNodeModel {
  id: string;
  title: string;
  status: TaskStatus;
  /** The status as views say it ("In progress"). */
  status_label: string;
  task_type: string;
  /** Its lease holder, else the agent it is assigned to. */
  agent?: string;
  /** On the longest remaining chain (contract/dependencyGraph.ts). */
  on_chain: boolean;
  /** A dependency the run does not have: drawn as missing. */
  missing?: true;
}

export interface GraphModel {
  type: 'graph';
  run: RunHead | null;
  nodes: GraphNodeModel[];
  edges: { from: string; to: string; on_chain: boolean }[];
  /** The longest remaining chain, first to do first. */
  chain: string[];
  /** Why some tasks are not drawn (too many), else absent. */
  omitted?: string;
}

export type FromGraph = FromRunPage;
