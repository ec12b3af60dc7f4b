// The blackboard for people (`runboard blackboard`, `run show`): facts; decisions, each with what
// it replaced or what replaced it; open questions apart from closed ones, with how each closed;
// artifacts; the summaries.
import type { BlackboardItem, StoredBlackboard } from '../../../contract/schemas/records';
import { decisionLinks, questionOutcome, reopenedText } from '../../../contract/blackboardText';
import { oneLine } from './table';

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** "2 facts, 3 decisions (1 superseded), 1 open question, 2 closed questions, 1 artifact" (none left out), or "empty". */
export function blackboardLine(bb: StoredBlackboard): string {
  const superseded = bb.decisions.filter((d) => d.superseded_by !== undefined).length;
  const parts: [number, string][] = [
    [bb.facts.length, count(bb.facts.length, 'fact')],
    [bb.decisions.length, count(bb.decisions.length, 'decision') + (superseded > 0 ? ` (${superseded} superseded)` : '')],
    [bb.open_questions.length, count(bb.open_questions.length, 'open question')],
    [bb.closed_questions.length, count(bb.closed_questions.length, 'closed question')],
    [bb.artifacts.length, count(bb.artifacts.length, 'artifact')],
  ];
  return (
    parts
      .filter(([n]) => n > 0)
      .map(([, text]) => text)
      .join(', ') || 'empty'
  );
}

/** An item's line (id, step, text) and, indented under it, what became of it. */
function itemLines(item: BlackboardItem, notes: (string | undefined)[] = []): string[] {
  const step = item.step_id ? `[${item.step_id}] ` : '';
  return [`  ${item.id}  ${step}${oneLine(item.text, 100)}`, ...notes.filter((n) => n !== undefined).map((n) => `      ${n}`)];
}

/** The open questions, one line each with a reopened one's why (also under `run show`). */
export function openQuestionLines(bb: StoredBlackboard): string[] {
  return bb.open_questions.flatMap((q) => itemLines(q, [reopenedText(q)]));
}

export function blackboardDetails(runId: string, bb: StoredBlackboard): string {
  const sections: [string, string[]][] = [
    ['Facts', bb.facts.flatMap((f) => itemLines(f))],
    ['Decisions', bb.decisions.flatMap((d) => itemLines(d, decisionLinks(d)))],
    ['Open questions', openQuestionLines(bb)],
    ['Closed questions', bb.closed_questions.flatMap((q) => itemLines(q, [questionOutcome(q)]))],
    ['Artifacts', bb.artifacts.map((a) => `  ${a.id}  ${a.step_id ? `[${a.step_id}] ` : ''}${a.path} (${a.artifact_type})`)],
    ['Rolling summary', bb.summaries.rolling ? [`  ${oneLine(bb.summaries.rolling, 200)}`] : []],
  ];
  const lines = [`Blackboard of ${runId}  rev ${bb.revision}: ${blackboardLine(bb)}`];
  for (const [title, body] of sections) if (body.length > 0) lines.push('', title, ...body);
  return lines.join('\n');
}
