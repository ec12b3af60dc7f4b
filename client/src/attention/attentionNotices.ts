// A notification for each new attention item of a kind the user wants told (runboard.notifyOn;
// leases about to run out are quiet by default), with the action that resolves it — never more
// than one per item: the keys told are kept with the workspace.
import * as vscode from 'vscode';
import type { AttentionItem, AttentionKind } from '../../../contract/attention';
import { ACTION_COMMAND, resolveAttention } from './attentionActions';
import type { AttentionModel } from './attentionModel';

const TOLD_KEY = 'runboard.attention.told';
/** The keys told, newest last; older ones are forgotten (their items are long resolved). */
const MAX_TOLD = 500;

/** How the window shows a message with buttons (RunboardContext.notify). */
type Notify = (level: 'warning', message: string, actions: Record<string, () => unknown>) => void;

export function notifyAttention(notify: Notify, state: vscode.Memento, model: AttentionModel): vscode.Disposable {
  return model.onDidChange((items) => {
    const told = state.get<string[]>(TOLD_KEY, []);
    const wanted = new Set(vscode.workspace.getConfiguration('runboard').get<AttentionKind[]>('notifyOn', []));
    const fresh = items.filter((i) => !told.includes(i.key));
    if (fresh.length === 0) return;
    void state.update(TOLD_KEY, [...told, ...fresh.map((i) => i.key)].slice(-MAX_TOLD));
    for (const item of fresh.filter((i) => wanted.has(i.kind))) say(notify, item);
  });
}

function say(notify: Notify, item: AttentionItem): void {
  const { label } = ACTION_COMMAND[item.action];
  notify('warning', `${item.run_id}: ${item.title}`, { [label]: () => resolveAttention(item) });
}
