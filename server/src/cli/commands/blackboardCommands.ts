// The blackboard: shown (blackboard), added to (fact|decision|question add, artifact add), and its
// items closed (question answer|resolve|reopen, decision supersede; runs of format 4, as this agent).
import type { BlackboardItem, BlackboardOp, ItemNote } from '../../../../contract/schemas/records';
import { blackboardDetails } from '../blackboardFormat';
import { oneLine } from '../table';
import { Invocation } from '../invocation';

export async function blackboard({ session, out, args }: Invocation): Promise<void> {
  const runId = await session.runId(args[0]);
  const result = await session.execute('getBlackboard', { run_id: runId });
  out.result(result, () => blackboardDetails(runId, result.blackboard));
}

/** One patch; `said` words its event's payload `P` (what was added or closed) for people, `at` being "#<seq>". */
async function patch<P>(
  op: BlackboardOp,
  payload: Record<string, unknown>,
  { session, out }: Invocation,
  said: (p: P, at: string) => string,
): Promise<void> {
  const result = await session.execute('patchBlackboard', session.withCommandId({ run_id: await session.runId(), op, payload }));
  out.result(result, () => said(result.patch.payload as P, `#${result.patch.seq}`));
}

/** `key: value` when the option was given (commander leaves absent options undefined). */
const given = (key: string, value: unknown) => (value === undefined ? {} : { [key]: value });

const added = (item: { id: string; text?: string; path?: string }, at: string) =>
  `Added ${item.id} (${at}): ${oneLine(item.text ?? item.path ?? '', 80)}`;

const textItem = (op: BlackboardOp) => (inv: Invocation) =>
  patch(op, { text: inv.args[0], ...given('step_id', inv.opts.step) }, inv, added);

export const fact = textItem('add_fact');
export const decision = textItem('add_decision');
export const question = textItem('add_open_question');

export const artifact = (inv: Invocation) =>
  patch('add_artifact', { path: inv.args[0], artifact_type: inv.opts.type ?? 'file', ...given('step_id', inv.opts.step) }, inv, added);

/** ": text" of a note, when it says something. */
const noteText = (n: ItemNote | undefined) => (n?.text ? `: ${oneLine(n.text, 80)}` : '');

export const questionAnswer = (inv: Invocation) =>
  patch(
    'answer_question',
    {
      question_id: inv.args[0],
      text: inv.args[1],
      by: inv.session.agent,
      ...given('decision', inv.opts.decision),
      ...given('decision_id', inv.opts.decisionId),
    },
    inv,
    (p: { question_id: string; answer: ItemNote & { decision_id?: string }; decision?: BlackboardItem }, at) => {
      const decided = p.decision
        ? `\n  decision   ${p.decision.id}: ${oneLine(p.decision.text, 80)}`
        : p.answer.decision_id
          ? `\n  decision   ${p.answer.decision_id}`
          : '';
      return `Answered ${p.question_id} (${at})${noteText(p.answer)}${decided}`;
    },
  );

/** resolve and reopen: the question and a note (--note / --reason, the payload field of the same name), said as `done`. */
const questionNote =
  (op: 'resolve_question' | 'reopen_question', field: 'note' | 'reason', kept: 'resolution' | 'reopened', done: string) =>
  (inv: Invocation) =>
    patch(
      op,
      { question_id: inv.args[0], by: inv.session.agent, ...given(field, inv.opts[field]) },
      inv,
      (p: { question_id: string } & Partial<Record<typeof kept, ItemNote>>, at) => `${done} ${p.question_id} (${at})${noteText(p[kept])}`,
    );

export const questionResolve = questionNote('resolve_question', 'note', 'resolution', 'Resolved');
export const questionReopen = questionNote('reopen_question', 'reason', 'reopened', 'Reopened');

export const decisionSupersede = (inv: Invocation) =>
  patch(
    'supersede_decision',
    { decision_id: inv.args[0], text: inv.args[1], by: inv.session.agent, ...given('step_id', inv.opts.step) },
    inv,
    (p: { decision_id: string; decision: BlackboardItem }, at) =>
      `Superseded ${p.decision_id} by ${p.decision.id} (${at}): ${oneLine(p.decision.text, 80)}`,
  );
