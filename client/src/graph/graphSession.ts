// The dependency graph of one run: its tasks, what each waits for, the longest remaining chain
// (contract/dependencyGraph.ts), live as the run changes. A node the page reports clicked is
// revealed in the Runs tree.
import { dependencyGraph } from '../../../contract/dependencyGraph';
import { isFinishedTask, TASK_STATUS_LABEL } from '../../../contract/statuses';
import { taskAgent, taskTitle } from '../../../contract/taskText';
import type { Task } from '../../../contract/schemas/records';
import { RunPageSession, type RunPageDeps } from '../webview/runPageSession';
import type { RunPanelKind } from '../webview/runPanels';
import type { GraphModel, GraphNodeModel } from './graphProtocol';

/** More nodes than a layered layout draws legibly (or quickly): finished tasks are left out first. */
export const GRAPH_MAX_NODES = 400;

/** The dependency graph's editor tabs (the view type is also in package.json's activation events). */
export function graphPanelKind(deps: RunPageDeps): RunPanelKind<GraphSession> {
  return {
    viewType: 'runboard.graphPanel',
    titlePrefix: 'Graph',
    page: { title: 'Dependency graph', script: 'graph.js', styles: ['graph.css'] },
    session: (webview, ref) => new GraphSession(webview, deps, ref),
  };
}

export class GraphSession extends RunPageSession<GraphModel> {
  protected build(): GraphModel {
    const open = this.openRun();
    if (!open) return { type: 'graph', run: null, nodes: [], edges: [], chain: [] };
    const { run, head } = open;
    const graph = dependencyGraph(run.tasks);
    const onChain = new Set(graph.chain);
    const { shown, omitted } = drawnTasks(run.tasks, onChain);
    const ids = new Set(shown.map((t) => t.id));
    const nodes: GraphNodeModel[] = shown.map((t) => ({
      id: t.id,
      title: taskTitle(t),
      status: t.status,
      status_label: TASK_STATUS_LABEL[t.status],
      task_type: t.task_type,
      agent: taskAgent(t),
      on_chain: onChain.has(t.id),
    }));
    for (const id of graph.missing) {
      nodes.push({
        id,
        title: `missing: ${id}`,
        status: 'blocked',
        status_label: 'Missing',
        task_type: '',
        on_chain: false,
        missing: true,
      });
      ids.add(id);
    }
    const chainEdges = new Set(graph.chain.slice(1).map((id, i) => `${graph.chain[i]}\n${id}`));
    return {
      type: 'graph',
      run: head,
      nodes,
      edges: graph.edges
        .filter((e) => ids.has(e.from) && ids.has(e.to))
        .map((e) => ({ ...e, on_chain: chainEdges.has(`${e.from}\n${e.to}`) })),
      chain: graph.chain,
      ...(omitted ? { omitted } : {}),
    };
  }
}

/** The tasks drawn: all of them when few enough; else the unfinished ones (the chain first), up to the limit. */
function drawnTasks(tasks: Task[], onChain: Set<string>): { shown: Task[]; omitted?: string } {
  if (tasks.length <= GRAPH_MAX_NODES) return { shown: tasks };
  const open = tasks.filter((t) => !isFinishedTask(t.status)).sort((a, b) => Number(onChain.has(b.id)) - Number(onChain.has(a.id)));
  const shown = open.slice(0, GRAPH_MAX_NODES);
  const finished = tasks.length - open.length;
  const cut = open.length - shown.length;
  const parts = [`${finished} finished task${finished === 1 ? '' : 's'}`, ...(cut ? [`${cut} more unfinished`] : [])];
  return { shown, omitted: `${parts.join(' and ')} not drawn (a graph shows at most ${GRAPH_MAX_NODES} tasks).` };
}
