// Tool results as a model reads them: what it needs to act on, no more. Tasks and runs lose the
// engine's bookkeeping (revisions, tenant context, last leases, empty lists), times become ISO
// strings (`lease_expires_at_ms` → `lease_expires_at`), and every result gets a short text
// summary beside its structuredContent, and another session's lease tokens dropped.
import type { Task } from '../../../../contract/schemas/records';
import { firstLine, payloadTitle } from '../../../../contract/taskText';
import { isFinishedTask } from '../../../../contract/statuses';
import { REPEATED_COMMAND_TEXT } from '../../../../contract/results';
import { isOthersToken } from '../leasePrivacy';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isTask = (o: Obj) => typeof o.id === 'string' && typeof o.task_type === 'string' && typeof o.task_rev === 'number';
const isRun = (o: Obj) => typeof o.run_id === 'string' && isObj(o.tenant_context);

/** Fields of the engine's own bookkeeping, or said elsewhere: never shown to a model. */
const TASK_INTERNAL = new Set(['created_ts', 'updated_ts', 'last_lease_token', 'last_lease_expires_at_ms', 'last_lease_revoked']);
const RUN_INTERNAL = new Set([
  'tenant_context',
  'mcp_servers',
  'revision',
  'created_at_ms',
  'status_changed_by',
  'status_changed_at_ms',
  'format',
  'source_metadata',
]);
/** Payload keys the engine adds or that are shown beside it (the title). */
const PAYLOAD_SHOWN_ELSEWHERE = new Set(['title', 'task_kind', 'execution_mode']);

/** A time in ms since the epoch (not a duration or a seq). */
const isEpochMs = (key: string, v: unknown) => key.endsWith('_ms') && typeof v === 'number' && v > 1e12;

/** What a listing of many tasks leaves out of each, beside the payload: said by claim_task for the one claimed. */
function listedWithout(t: Obj): Set<string> {
  const drop = new Set(['task_rev', 'workflow_node_id', 'parent_task_id', 'decision_ids', 'artifact_ids']);
  if (t.attempt === 0) drop.add('attempt').add('max_attempts');
  if (t.status !== 'pending' && t.status !== 'runnable') drop.add('next_retry_at_ms');
  if (isFinishedTask(String(t.status))) drop.add('assigned_agent');
  return drop;
}

function compactTask(t: Obj, withPayload: boolean): Obj {
  const out: Obj = { id: t.id };
  const title = payloadTitle(t as Task);
  if (title) out.title = title;
  const dropped = withPayload ? new Set<string>() : listedWithout(t);
  for (const [k, v] of Object.entries(t)) {
    if (k === 'id' || k === 'payload' || TASK_INTERNAL.has(k) || dropped.has(k)) continue;
    if (k === 'priority' && v === 0) continue;
    if (k === 'assigned_agent' && v === t.lease_owner) continue;
    out[k] = v;
  }
  if (withPayload && isObj(t.payload)) {
    const rest = Object.fromEntries(Object.entries(t.payload).filter(([k]) => !PAYLOAD_SHOWN_ELSEWHERE.has(k)));
    if (Object.keys(rest).length > 0) out.payload = rest;
  }
  return out;
}

function compactRun(r: Obj): Obj {
  return Object.fromEntries(
    Object.entries(r).filter(([k, v]) => !RUN_INTERNAL.has(k) && !(k === 'workspace' && isObj(v) && !v.canonical_path)),
  );
}

/**
 * `value` for a model: tasks (with their payload unless `listing`) and runs compacted, epoch
 * times as ISO strings, lease tokens `own` does not accept and empty lists, empty strings and
 * undefined left out (null is kept: a claim's `task: null` says something).
 */
export function forModel(value: unknown, own: (token: string) => boolean, listing = false): unknown {
  if (Array.isArray(value)) return value.map((v) => forModel(v, own, listing));
  if (!isObj(value)) return value;
  const o = isTask(value) ? compactTask(value, !listing) : isRun(value) ? compactRun(value) : value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || isOthersToken(k, v, own)) continue;
    if (isEpochMs(k, v)) out[k.slice(0, -3)] = new Date(v as number).toISOString();
    else out[k] = forModel(v, own, listing);
  }
  return out;
}

const taskLine = (t: Obj) => `${String(t.id)} (${String(t.status)})${typeof t.title === 'string' ? `: ${t.title}` : ''}`;

/**
 * For a task being worked on (a claim, a heartbeat): what the work is and until when the lease
 * holds, in the text too — a client that shows a model only the text must not lose them.
 */
function workLines(t: Obj): string[] {
  if (t.status !== 'in_progress') return [];
  const p = isObj(t.payload) ? t.payload : {};
  const target = isObj(p.output_target) ? p.output_target.path : undefined;
  return [
    typeof p.description === 'string' ? `Description: ${firstLine(p.description.replace(/\s*\n\s*/g, ' '), 600)}` : '',
    typeof target === 'string' ? `Writes: ${target}` : '',
    typeof t.lease_expires_at === 'string' ? `Lease until ${t.lease_expires_at}: heartbeat_task before then.` : '',
  ].filter(Boolean);
}

/** The item a blackboard patch added or closed. */
function patchSubject(payload: unknown): string {
  if (!isObj(payload)) return '';
  const id = payload.question_id ?? payload.decision_id ?? payload.id;
  return typeof id === 'string' ? id : '';
}

/** A few lines that say what the result is; the whole of it is the structuredContent. */
export function summaryOf(v: Obj): string {
  const lines: string[] = [];
  if (isObj(v.run))
    lines.push(
      `Run ${String(v.run.run_id)}: ${String(v.run.status)}${typeof v.run.why_next_step === 'string' ? ` — ${v.run.why_next_step}` : ''}`,
    );
  if (Array.isArray(v.runs))
    lines.push(
      `${v.runs.length} run${v.runs.length === 1 ? '' : 's'}${v.runs.length ? ': ' : ''}${v.runs.map((r: Obj) => `${String(r.run_id)} (${String(r.status)})`).join(', ')}`,
    );
  if (isObj(v.task)) lines.push(`Task ${taskLine(v.task)}`, ...workLines(v.task));
  if (v.task === null) lines.push(`No task claimed${typeof v.note === 'string' ? `: ${v.note}` : '.'}`);
  if (Array.isArray(v.tasks)) {
    const shown = (v.tasks as Obj[]).slice(0, 12).map(taskLine);
    lines.push(
      `${v.tasks.length} task${v.tasks.length === 1 ? '' : 's'}${shown.length ? ': ' : ''}${shown.join('; ')}${v.tasks.length > 12 ? '; …' : ''}`,
    );
  }
  // ready_tasks with none: its tasks (empty) are left out, its reason says why (a claim's note says it for a claim).
  if (typeof v.reason === 'string' && !('task' in v)) lines.push(`No task is ready to claim: ${v.reason}.`);
  if (isObj(v.board) && Array.isArray(v.board.claimable_now)) lines.push(`Claimable now: ${v.board.claimable_now.join(', ') || 'none'}`);
  if (isObj(v.checkpoint)) lines.push(`Checkpoint ${String(v.checkpoint.checkpoint_id)} at seq ${String(v.checkpoint.seq)}`);
  if (isObj(v.drift)) lines.push(`Drift: ${v.drift.mismatch ? 'yes' : 'none'} (${String(v.events_applied)} events replayed)`);
  if (Array.isArray(v.cancelled)) lines.push(`Cancelled: ${v.cancelled.join(', ')}`);
  if (Array.isArray(v.reopened)) lines.push(`Reopened along with it: ${v.reopened.join(', ') || 'none'}`);
  if (isObj(v.patch)) lines.push(`Blackboard: ${String(v.patch.op)} ${patchSubject(v.patch.payload)}`.trimEnd());
  if (typeof v.note === 'string' && v.task !== null) lines.push(v.note);
  if (v.deduped === true) lines.push(`(${REPEATED_COMMAND_TEXT})`);
  return lines.join('\n') || 'Done.';
}
