// What a blackboard item offers (PROTOCOL.md §patchBlackboard, "Questions and decisions that
// close"; runs of format 4): an open question is answered or resolved, a closed one reopened, a
// decision in force superseded. The engine refuses the op on any other item (BLACKBOARD_ITEM_CLOSED);
// views offer exactly these.
import { runHas } from './events';
import type { BlackboardItem, BlackboardOp } from './schemas/records';

/** The blackboard's lists of text items (the rolling summary is shown as one). */
export type ItemList = 'summary' | 'facts' | 'decisions' | 'open_questions' | 'closed_questions';

export const ITEM_ACTIONS = ['answer', 'resolve', 'reopen', 'supersede'] as const;
export type ItemAction = (typeof ITEM_ACTIONS)[number];

/** Each action's blackboard op, and the op's field that names the item. */
export const ITEM_ACTION_OP = {
  answer: { op: 'answer_question', idKey: 'question_id' },
  resolve: { op: 'resolve_question', idKey: 'question_id' },
  reopen: { op: 'reopen_question', idKey: 'question_id' },
  supersede: { op: 'supersede_decision', idKey: 'decision_id' },
} as const satisfies Record<ItemAction, { op: BlackboardOp; idKey: string }>;

/** What the item, in `list`, offers in a run of `format`. */
export function itemActions(run: { format?: number }, list: ItemList, item: BlackboardItem): ItemAction[] {
  if (!runHas(run, 'closingItems')) return [];
  switch (list) {
    case 'open_questions':
      return ['answer', 'resolve'];
    case 'closed_questions':
      return ['reopen'];
    case 'decisions':
      return item.superseded_by ? [] : ['supersede'];
    default:
      return [];
  }
}
