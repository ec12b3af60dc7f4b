// answer_question's three acts on a question, as the blackboard ops that do them: answer it
// (answer_question, perhaps with a decision), close it unanswered (resolve_question) or open it
// again (reopen_question). Each is done as this session's agent.
import { INVALID_PARAMS } from '../../../../contract/errors';
import type { BlackboardOp } from '../../../../contract/schemas/records';
import { ToolRejection } from './toolResults';

export const QUESTION_ACTIONS = ['answer', 'resolve', 'reopen'] as const;
export type QuestionAction = (typeof QUESTION_ACTIONS)[number];

export interface QuestionInput {
  question_id: string;
  text: string;
  decision?: string;
  action?: QuestionAction;
}

/** The op and its payload; `text` is the answer, or the note of a resolve, or the reason of a reopen. */
export function questionPatch(p: QuestionInput, by: string): [BlackboardOp, Record<string, unknown>] {
  const about = { question_id: p.question_id, by };
  const action = p.action ?? 'answer';
  if (action !== 'answer' && p.decision !== undefined) {
    throw new ToolRejection(INVALID_PARAMS, `decision goes with an answer; to ${action} a question, leave it out.`, { field: 'decision' });
  }
  switch (action) {
    case 'answer':
      return ['answer_question', { ...about, text: p.text, ...(p.decision !== undefined ? { decision: p.decision } : {}) }];
    case 'resolve':
      return ['resolve_question', { ...about, note: p.text }];
    case 'reopen':
      return ['reopen_question', { ...about, reason: p.text }];
  }
}
