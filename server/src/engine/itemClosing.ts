// Blackboard items that close (runs of format 4, PROTOCOL.md §patchBlackboard): a question is
// answered (optionally producing a decision) or resolved, and leaves `open_questions` for
// `closed_questions`; a closed one can be reopened; a decision is superseded by a newer one, and
// both say so. The event carries the result, so the fold only moves and marks items.
import { z } from 'zod';
import { BlackboardItemSchema, type BlackboardItem, type ItemNote, type StoredBlackboard } from '../../../contract/schemas/records';
import { DomainError } from './errors';
import type { CommandContext } from './ids';
import { invalid, parseOrThrow } from './blackboardPayload';
import { checkTextLimit, trimmedOrUndefined } from './text';

export const CLOSING_OPS = ['answer_question', 'resolve_question', 'reopen_question', 'supersede_decision'] as const;
export type ClosingOp = (typeof CLOSING_OPS)[number];

export function isClosingOp(op: string): op is ClosingOp {
  return (CLOSING_OPS as readonly string[]).includes(op);
}

const id = z.string().trim().min(1);
const by = z.string().optional();
const INPUT = {
  answer_question: z.object({
    question_id: id,
    text: z.string().trim().min(1),
    decision: z.string().trim().min(1).optional(),
    decision_id: id.optional(),
    by,
  }),
  resolve_question: z.object({ question_id: id, note: z.string().optional(), by }),
  reopen_question: z.object({ question_id: id, reason: z.string().optional(), by }),
  supersede_decision: z.object({ decision_id: id, text: z.string().trim().min(1), step_id: z.string().optional(), by }),
} satisfies Record<ClosingOp, z.ZodType>;

/** The event payloads (what the fold applies), as the log's record check reads them (eventRecord.ts). */
const answerSchema = BlackboardItemSchema.shape.answer.unwrap();
const noteSchema = BlackboardItemSchema.shape.resolution.unwrap();
export const CLOSING_PAYLOADS = [
  z.object({
    op: z.literal('answer_question'),
    payload: z.object({ question_id: z.string(), answer: answerSchema, decision: BlackboardItemSchema.optional() }),
  }),
  z.object({ op: z.literal('resolve_question'), payload: z.object({ question_id: z.string(), resolution: noteSchema }) }),
  z.object({ op: z.literal('reopen_question'), payload: z.object({ question_id: z.string(), reopened: noteSchema }) }),
  z.object({ op: z.literal('supersede_decision'), payload: z.object({ decision_id: z.string(), decision: BlackboardItemSchema }) }),
] as const;
type PayloadOf<O extends ClosingOp> = z.infer<Extract<(typeof CLOSING_PAYLOADS)[number], { shape: { op: z.ZodLiteral<O> } }>>['payload'];
export type ClosingPayload = { [O in ClosingOp]: PayloadOf<O> }[ClosingOp];

function note(ctx: CommandContext, who: string | undefined, text: string | undefined, field: string): ItemNote {
  checkTextLimit(field, text);
  const out: ItemNote = { ts_ms: ctx.now };
  const b = trimmedOrUndefined(who);
  if (b !== undefined) out.by = b;
  const t = trimmedOrUndefined(text);
  if (t !== undefined) out.text = t;
  return out;
}

function notFound(op: string, kind: string, itemId: string): DomainError {
  return new DomainError('BLACKBOARD_ITEM_NOT_FOUND', `${op}: the blackboard has no ${kind} ${JSON.stringify(itemId)}.`, {
    op,
    id: itemId,
  });
}

function closedError(op: string, itemId: string, why: string, status: string): DomainError {
  return new DomainError('BLACKBOARD_ITEM_CLOSED', `${op}: ${why}`, { op, id: itemId, status });
}

/** The open question, or why it cannot be answered or resolved now. */
function openQuestion(bb: StoredBlackboard, op: string, questionId: string): BlackboardItem {
  const open = bb.open_questions.find((q) => q.id === questionId);
  if (open) return open;
  const closed = bb.closed_questions.find((q) => q.id === questionId);
  if (!closed) throw notFound(op, 'question', questionId);
  const status = closed.question_status ?? 'answered';
  throw closedError(op, questionId, `question ${questionId} is already ${status}; reopen it first.`, status);
}

function newDecision(ctx: CommandContext, text: string, who: string | undefined, extra: Partial<BlackboardItem>): BlackboardItem {
  checkTextLimit(extra.answers_question !== undefined ? 'decision' : 'text', text);
  const item: BlackboardItem = { id: ctx.ids.newId('decision'), ts_ms: ctx.now, text, ...extra };
  const b = trimmedOrUndefined(who);
  if (b !== undefined) item.by = b;
  return item;
}

/** Validates a closing op against the blackboard as it is, and returns the event's payload. */
export function normalizeClosingOp(bb: StoredBlackboard, op: ClosingOp, payload: unknown, ctx: CommandContext): ClosingPayload {
  switch (op) {
    case 'answer_question': {
      const p = parseOrThrow(op, INPUT[op], payload);
      if (p.decision !== undefined && p.decision_id !== undefined)
        throw invalid(op, 'give decision (a new one) or decision_id (an existing one), not both');
      openQuestion(bb, op, p.question_id);
      if (p.decision_id !== undefined && !bb.decisions.some((d) => d.id === p.decision_id)) throw notFound(op, 'decision', p.decision_id);
      const decision = p.decision !== undefined ? newDecision(ctx, p.decision, p.by, { answers_question: p.question_id }) : undefined;
      const decisionId = decision?.id ?? p.decision_id;
      const answer = { ...note(ctx, p.by, p.text, 'text'), ...(decisionId !== undefined ? { decision_id: decisionId } : {}) };
      return { question_id: p.question_id, answer, ...(decision ? { decision } : {}) };
    }
    case 'resolve_question': {
      const p = parseOrThrow(op, INPUT[op], payload);
      openQuestion(bb, op, p.question_id);
      return { question_id: p.question_id, resolution: note(ctx, p.by, p.note, 'note') };
    }
    case 'reopen_question': {
      const p = parseOrThrow(op, INPUT[op], payload);
      if (!bb.closed_questions.some((q) => q.id === p.question_id)) {
        if (bb.open_questions.some((q) => q.id === p.question_id)) {
          throw closedError(op, p.question_id, `question ${p.question_id} is open already.`, 'open');
        }
        throw notFound(op, 'question', p.question_id);
      }
      return { question_id: p.question_id, reopened: note(ctx, p.by, p.reason, 'reason') };
    }
    case 'supersede_decision': {
      const p = parseOrThrow(op, INPUT[op], payload);
      const old = bb.decisions.find((d) => d.id === p.decision_id);
      if (!old) throw notFound(op, 'decision', p.decision_id);
      if (old.superseded_by !== undefined) {
        throw closedError(
          op,
          p.decision_id,
          `decision ${p.decision_id} is already superseded by ${old.superseded_by}; supersede that one.`,
          'superseded',
        );
      }
      const stepId = trimmedOrUndefined(p.step_id);
      return {
        decision_id: p.decision_id,
        decision: newDecision(ctx, p.text, p.by, { supersedes: p.decision_id, ...(stepId ? { step_id: stepId } : {}) }),
      };
    }
  }
}

/** Takes the item with `itemId` out of `list` (in place: the fold's lists are its own). */
function take(list: BlackboardItem[], itemId: string): BlackboardItem | undefined {
  const i = list.findIndex((q) => q.id === itemId);
  return i < 0 ? undefined : list.splice(i, 1)[0];
}

/** The fold's part: moves and marks items as the event says (an id it cannot find changes nothing). */
export function applyClosingOp(bb: StoredBlackboard, op: ClosingOp, payload: unknown): void {
  switch (op) {
    case 'answer_question': {
      const p = payload as PayloadOf<'answer_question'>;
      const q = take(bb.open_questions, p.question_id);
      if (q) bb.closed_questions.push({ ...q, question_status: 'answered', answer: p.answer });
      if (p.decision) bb.decisions.push(p.decision);
      return;
    }
    case 'resolve_question': {
      const p = payload as PayloadOf<'resolve_question'>;
      const q = take(bb.open_questions, p.question_id);
      if (q) bb.closed_questions.push({ ...q, question_status: 'resolved', resolution: p.resolution });
      return;
    }
    case 'reopen_question': {
      const p = payload as PayloadOf<'reopen_question'>;
      const q = take(bb.closed_questions, p.question_id);
      if (q) bb.open_questions.push({ ...q, question_status: 'open', reopened: p.reopened });
      return;
    }
    case 'supersede_decision': {
      const p = payload as PayloadOf<'supersede_decision'>;
      const i = bb.decisions.findIndex((d) => d.id === p.decision_id);
      // A new object: copies of the blackboard share the old one.
      if (i >= 0) bb.decisions[i] = { ...bb.decisions[i], superseded_by: p.decision.id };
      bb.decisions.push(p.decision);
      return;
    }
  }
}
