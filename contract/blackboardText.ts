// How blackboard items that close read (runs of format 4), to people in the editor and on the
// command line and to a model alike: how a closed question closed, whether an open one was
// reopened, and where a decision stands among the ones it replaced or that replace it. Another
// item is named by `name` (its id by default; the editor quotes its text). Pure functions.
import type { BlackboardItem, ItemNote, StoredBlackboard } from './schemas/records';
import { firstLine } from './taskText';

/** How another item of the blackboard is named in a line about this one. */
export type ItemName = (id: string) => string;
const byId: ItemName = (id) => id;

/** " by X: text" of a note (who, then what they said), either part left out when absent. */
function noteText(n: ItemNote): string {
  return `${n.by ? ` by ${n.by}` : ''}${n.text ? `: ${firstLine(n.text)}` : ''}`;
}

/**
 * How a question closed: "answered by X: text (decision D)" or "resolved by X: note" — for a
 * reopened one, how it closed last; undefined for one never closed.
 */
export function questionOutcome(q: BlackboardItem, name: ItemName = byId): string | undefined {
  const lastResolved =
    q.question_status === 'resolved' || (q.question_status !== 'answered' && (q.resolution?.ts_ms ?? -1) > (q.answer?.ts_ms ?? -1));
  if (lastResolved && q.resolution) return `resolved${noteText(q.resolution)}`;
  if (q.answer) return `answered${noteText(q.answer)}${q.answer.decision_id ? ` (decision ${name(q.answer.decision_id)})` : ''}`;
  return undefined;
}

/** "reopened by X: why; earlier answered by Y: …" for a question opened again after it closed, else undefined. */
export function reopenedText(q: BlackboardItem, name: ItemName = byId): string | undefined {
  if (!q.reopened) return undefined;
  const earlier = questionOutcome(q, name);
  return `reopened${noteText(q.reopened)}${earlier ? `; earlier ${earlier}` : ''}`;
}

/** A decision's links to others: "superseded by D2", "supersedes D1", "answers Q". */
export function decisionLinks(d: BlackboardItem, name: ItemName = byId): string[] {
  const links: string[] = [];
  if (d.superseded_by !== undefined) links.push(`superseded by ${name(d.superseded_by)}`);
  if (d.supersedes !== undefined) links.push(`supersedes ${name(d.supersedes)}`);
  if (d.answers_question !== undefined) links.push(`answers ${name(d.answers_question)}`);
  return links;
}

/** The decisions in force (no successor) and the superseded ones, each in the blackboard's order. */
export function decisionsByStanding(bb: Pick<StoredBlackboard, 'decisions'>): { current: BlackboardItem[]; superseded: BlackboardItem[] } {
  return {
    current: bb.decisions.filter((d) => d.superseded_by === undefined),
    superseded: bb.decisions.filter((d) => d.superseded_by !== undefined),
  };
}
