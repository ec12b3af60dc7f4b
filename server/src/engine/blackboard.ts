// Blackboard ops (SPEC.md §5.2 with PROTOCOL.md's fixes): payloads are validated before
// anything is written, ids and times are generated, and each item is stored exactly once. Runs of
// format 4 also close questions (answer, resolve; reopen) and supersede decisions: itemClosing.ts.
import { z } from 'zod';
import { DomainError } from './errors';
import { CommandContext } from './ids';
import {
  Artifact,
  BLACKBOARD_ITEM_LISTS,
  BlackboardItem,
  BlackboardOp,
  EventRecord,
  StoredBlackboard,
  TASK_PATCH_OPS,
} from '../../../contract/schemas/records';
import { checkTextLimit, trimmedOrUndefined } from './text';
import { EVENT } from '../../../contract/events';
import { applyClosingOp, isClosingOp, normalizeClosingOp } from './itemClosing';
import { invalid, parseOrThrow } from './blackboardPayload';

export function emptyStoredBlackboard(): StoredBlackboard {
  return {
    facts: [],
    decisions: [],
    open_questions: [],
    closed_questions: [],
    artifacts: [],
    summaries: { rolling: '', latest_context_pack: '' },
    revision: 0,
    last_event_seq: 0,
  };
}

const optionalId = z.string().trim().min(1).max(200).optional();
const ItemInput = z.object({
  id: optionalId,
  ts_ms: z.number().int().nonnegative().optional(),
  text: z.string().regex(/\S/, 'say something: it is empty or only blanks'),
  step_id: z.string().optional(),
  source_event_id: z.string().optional(),
});
const ArtifactInput = z.object({
  id: optionalId,
  ts_ms: z.number().int().nonnegative().optional(),
  path: z.string().trim().min(1),
  artifact_type: z.string().trim().min(1),
  step_id: z.string().optional(),
  source_event_id: z.string().optional(),
});

const LIST_OF: Record<string, { key: 'facts' | 'decisions' | 'open_questions'; prefix: string }> = {
  add_fact: { key: 'facts', prefix: 'fact' },
  add_decision: { key: 'decisions', prefix: 'decision' },
  add_open_question: { key: 'open_questions', prefix: 'question' },
};

/** Own keys only: an op like "constructor" must not find Object.prototype members. */
function listOf(op: string): (typeof LIST_OF)[string] | undefined {
  return Object.hasOwn(LIST_OF, op) ? LIST_OF[op] : undefined;
}

function idTaken(bb: StoredBlackboard, id: string): boolean {
  return BLACKBOARD_ITEM_LISTS.some((key) => bb[key].some((i) => i.id === id));
}

/** Validates an op's payload and fills in generated ids and times: the event payload. */
export function normalizePatch(
  bb: StoredBlackboard,
  op: string,
  payload: unknown,
  ctx: CommandContext,
): { op: BlackboardOp; payload: unknown } {
  if ((TASK_PATCH_OPS as readonly string[]).includes(op)) {
    throw new DomainError('TASK_PATCH_OP_DISABLED', `${op} is not a blackboard op: tasks change through the task methods.`);
  }
  const list = listOf(op);
  if (list) {
    const item = parseOrThrow(op, ItemInput, payload);
    checkTextLimit('text', item.text);
    const id = item.id ?? ctx.ids.newId(list.prefix);
    if (item.id !== undefined && idTaken(bb, id)) throw invalid(op, `id ${JSON.stringify(id)} is already on the blackboard`);
    const out: BlackboardItem = { id, ts_ms: item.ts_ms ?? ctx.now, text: item.text };
    // The step as the run names it (decidePatchBlackboard checked it): " step-1 " is step-1, "" none.
    const stepId = trimmedOrUndefined(item.step_id);
    if (stepId !== undefined) out.step_id = stepId;
    if (item.source_event_id !== undefined) out.source_event_id = item.source_event_id;
    return { op: op as BlackboardOp, payload: out };
  }
  if (op === 'add_artifact') {
    const a = parseOrThrow(op, ArtifactInput, payload);
    checkTextLimit('path', a.path);
    const id = a.id ?? ctx.ids.newId('artifact');
    if (a.id !== undefined && idTaken(bb, id)) throw invalid(op, `id ${JSON.stringify(id)} is already on the blackboard`);
    const out: Artifact = { id, ts_ms: a.ts_ms ?? ctx.now, path: a.path, artifact_type: a.artifact_type };
    const stepId = trimmedOrUndefined(a.step_id);
    if (stepId !== undefined) out.step_id = stepId;
    if (a.source_event_id !== undefined) out.source_event_id = a.source_event_id;
    return { op, payload: out };
  }
  if (isClosingOp(op)) return { op, payload: normalizeClosingOp(bb, op, payload, ctx) };
  if (op === 'set_rolling_summary' || op === 'set_latest_context_pack') {
    if (typeof payload !== 'string') throw invalid(op, 'payload must be a string');
    checkTextLimit('payload', payload);
    return { op, payload };
  }
  throw invalid(op, 'unknown op');
}

export function blackboardEventType(op: BlackboardOp): string {
  return op === 'add_artifact' ? EVENT.artifactAdded : EVENT.blackboardPatched;
}

/** The blackboard part of the fold. */
export function applyBlackboardEvent(bb: StoredBlackboard, e: EventRecord): void {
  if (e.type === EVENT.blackboardPatched || e.type === EVENT.artifactAdded) {
    const { op, payload } = e.payload as { op: string; payload: unknown };
    const list = listOf(op);
    // push, not copy: a log may hold a million items; readers get copies (toBlackboard).
    if (list) bb[list.key].push(payload as BlackboardItem);
    else if (op === 'add_artifact') bb.artifacts.push(payload as Artifact);
    else if (op === 'set_rolling_summary') bb.summaries = { ...bb.summaries, rolling: payload as string };
    else if (op === 'set_latest_context_pack') bb.summaries = { ...bb.summaries, latest_context_pack: payload as string };
    else if (isClosingOp(op)) applyClosingOp(bb, op, payload);
    bb.revision = e.seq;
  }
  bb.last_event_seq = e.seq;
}
