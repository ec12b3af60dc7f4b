// What a blackboard item offers and how it reads (PROTOCOL.md §patchBlackboard, "Questions and
// decisions that close"; runs of format 4): open questions are answered or resolved, closed ones
// reopened, a current decision superseded. The Blackboard tree carries the actions to
// package.json's menus in its contextValue and the commands' pickers list the items that offer
// theirs. No vscode here: plain functions of the records.
import { ITEM_ACTION_OP, type ItemAction, type ItemList } from '../../../contract/blackboardRules';
import { decisionLinks, questionOutcome, reopenedText } from '../../../contract/blackboardText';
import type { Blackboard, BlackboardItem } from '../../../contract/schemas/records';
import { clockTime, firstLine } from '../../../contract/taskText';

/** The command (package.json) that takes each action, with the action's op. */
export const ITEM_ACTION = {
  answer: { ...ITEM_ACTION_OP.answer, command: 'runboard.answerQuestion' },
  resolve: { ...ITEM_ACTION_OP.resolve, command: 'runboard.resolveQuestion' },
  reopen: { ...ITEM_ACTION_OP.reopen, command: 'runboard.reopenQuestion' },
  supersede: { ...ITEM_ACTION_OP.supersede, command: 'runboard.supersedeDecision' },
} as const satisfies Record<ItemAction, { op: string; idKey: string; command: string }>;

/** `blackboard.question.open;answer;resolve;`, `blackboard.decision.superseded;` … — menus match `;<action>;`. */
export function itemContextValue(section: ItemList, item: BlackboardItem, actions: readonly ItemAction[]): string {
  const kind = {
    summary: 'summary',
    facts: 'fact',
    decisions: item.superseded_by ? 'decision.superseded' : 'decision.current',
    open_questions: 'question.open',
    closed_questions: `question.${item.question_status ?? 'answered'}`,
  }[section];
  return `blackboard.${kind};${actions.map((a) => `${a};`).join('')}`;
}

/** Every text item of a blackboard with its list (the order the tree shows them in). */
export function itemsOf(bb: Blackboard | undefined): { section: ItemList; item: BlackboardItem }[] {
  if (!bb) return [];
  const lists = ['facts', 'decisions', 'open_questions', 'closed_questions'] as const;
  return lists.flatMap((section) => (bb[section] ?? []).map((item) => ({ section, item })));
}

function findItem(bb: Blackboard | undefined, id: string | undefined): BlackboardItem | undefined {
  return id === undefined ? undefined : itemsOf(bb).find((e) => e.item.id === id)?.item;
}

/** “text” of another item, short; its id when it is not there. */
function quoted(bb: Blackboard | undefined, id: string): string {
  const other = findItem(bb, id);
  return other ? `“${firstLine(other.text, 60)}”` : id;
}

const byWhom = (by: string | undefined) => (by ? ` by ${by}` : '');

/** One line under the item's text: what became of it, else when it was added. */
export function itemDescription(section: ItemList, item: BlackboardItem, bb: Blackboard | undefined): string | undefined {
  const name = (id: string) => quoted(bb, id);
  const links = decisionLinks(item, name);
  // A superseded decision says only what replaced it; a newer one also who made it.
  if (links.length > 0) return item.superseded_by ? links[0] : `${links.join('; ')}${byWhom(item.by)}`;
  if (section === 'closed_questions') return questionOutcome(item, name);
  if (section === 'open_questions' && item.reopened) return reopenedText(item, name);
  return item.ts_ms ? new Date(item.ts_ms).toLocaleString() : undefined;
}

/** The item's whole story: its text, who added it, and each thing that happened to it. */
export function itemTooltip(item: BlackboardItem, bb: Blackboard | undefined): string {
  const whole = (text: string | undefined) => (text ? `: ${text}` : '');
  const lines = [item.text];
  const when = (ts: number) => `${new Date(ts).toLocaleDateString()} ${clockTime(ts)}`;
  if (item.ts_ms) lines.push(`Added${byWhom(item.by)} ${when(item.ts_ms)} (${item.id})`);
  if (item.answers_question) lines.push(`Answers ${quoted(bb, item.answers_question)} (${item.answers_question})`);
  if (item.supersedes) lines.push(`Supersedes ${quoted(bb, item.supersedes)} (${item.supersedes})`);
  if (item.superseded_by) lines.push(`Superseded by ${quoted(bb, item.superseded_by)} (${item.superseded_by})`);
  if (item.answer) {
    const decision = item.answer.decision_id ? ` — recorded as decision ${item.answer.decision_id}` : '';
    lines.push(`Answered${byWhom(item.answer.by)} ${when(item.answer.ts_ms)}${whole(item.answer.text)}${decision}`);
  }
  if (item.resolution) lines.push(`Resolved${byWhom(item.resolution.by)} ${when(item.resolution.ts_ms)}${whole(item.resolution.text)}`);
  if (item.reopened) lines.push(`Reopened${byWhom(item.reopened.by)} ${when(item.reopened.ts_ms)}${whole(item.reopened.text)}`);
  return lines.join('\n');
}
