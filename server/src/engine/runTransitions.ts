// The run event transition table (SPEC.md §4.2) with PROTOCOL.md's fixes: the event records
// the resulting status, times come from the event, steps are never created by events, and a
// terminal run accepts only `run_reopened`. The same function serves commands and the fold.
import { RunHeader, Step } from '../../../contract/schemas/records';
import { trimmedOrUndefined } from './text';
import { RunStatus, StepStatus, isTerminal } from '../../../contract/statuses';

// A Map: user text like "constructor" must not find Object.prototype members.
const STEP_STATUS_ALIASES = new Map<string, StepStatus>(Object.entries({
  pending: 'pending',
  runnable: 'runnable',
  ready: 'runnable',
  in_progress: 'in_progress',
  'in-progress': 'in_progress',
  working: 'in_progress',
  active: 'in_progress',
  doing: 'in_progress',
  blocked: 'blocked',
  done: 'done',
  completed: 'done',
  complete: 'done',
  failed: 'failed',
  error: 'failed',
}) as [string, StepStatus][]);

/** The one step-status parser (SPEC.md §1.2, ⚠ W24): trimmed, case-insensitive, with aliases. */
export function parseStepStatus(value: unknown): StepStatus | undefined {
  if (typeof value !== 'string') return undefined;
  return STEP_STATUS_ALIASES.get(value.trim().toLowerCase());
}

export const WHY = {
  sessionRunning: 'The agent session is running; follow its progress in the event log.',
  sessionFinished: 'The agent session has finished.',
  awaitingApproval: 'A plan is waiting for approval.',
  paused: 'Paused by the operator; resume the run to continue.',
  resumed: 'Resumed by the operator.',
  cancelled: 'Cancelled by the operator.',
  reopened: 'Reopened by the operator.',
} as const;

export interface RunEventInput {
  type: string;
  status: RunStatus;
  step_id?: string;
  payload?: unknown;
}

export interface RunTransitionResult {
  status: RunStatus;
  steps: Step[];
  why_next_step: string | null;
  started_at_ms?: number;
  ended_at_ms?: number;
  last_error?: string;
}

function payloadField(payload: unknown, key: string): unknown {
  return payload !== null && typeof payload === 'object' && !Array.isArray(payload)
    ? (payload as Record<string, unknown>)[key]
    : undefined;
}

function payloadStepStatus(payload: unknown): StepStatus | undefined {
  for (const key of ['step_status', 'stepStatus', 'step-state']) {
    const raw = payloadField(payload, key);
    if (raw !== undefined) return parseStepStatus(raw);
  }
  return undefined;
}

function withStep(steps: Step[], stepId: string | undefined, status: StepStatus | undefined): Step[] {
  if (stepId === undefined || status === undefined) return steps;
  const i = steps.findIndex((s) => s.step_id === stepId);
  if (i < 0 || steps[i].status === status) return steps;
  const next = steps.slice();
  next[i] = { ...steps[i], status };
  return next;
}

const STRIP_PREFIX = /^[-*#0-9.)[\]]+/;

/** SPEC.md §4.3: steps from the objective's lines, or three default steps. */
export function materializePlan(objective: string): Step[] {
  const titles: string[] = [];
  for (const raw of objective.split(/\r?\n/)) {
    const line = raw.trim().replace(STRIP_PREFIX, '').trim();
    if (line === '' || Buffer.byteLength(line, 'utf8') < 8) continue;
    titles.push(line);
    if (titles.length === 6) break;
  }
  const chosen = titles.length > 0
    ? titles
    : ['Plan the approach', 'Execute the plan and produce the artifacts', 'Validate the results and finalize'];
  return chosen.map((title, i) => ({ step_id: `step-${i + 1}`, title, status: 'pending' as const }));
}

/** The run (re)starts at `ts`: it has not ended and carries no error. */
function start(r: RunTransitionResult, ts: number): void {
  r.started_at_ms ??= ts;
  r.ended_at_ms = undefined;
  r.last_error = undefined;
}

/**
 * Applies one run event to the run header at time `ts` (the event's own time). `input.status`
 * is the declared status for a new command and the recorded (resulting) status when folding;
 * every row either fixes the status or takes the declared one, so both give the same result.
 */
export function applyRunTransition(run: RunHeader, input: RunEventInput, ts: number): RunTransitionResult {
  const type = input.type.trim().toLowerCase();
  const stepId = trimmedOrUndefined(input.step_id);
  const why = trimmedOrUndefined(payloadField(input.payload, 'why_next_step'));
  const error = trimmedOrUndefined(payloadField(input.payload, 'error'));
  const r: RunTransitionResult = {
    status: input.status,
    steps: run.steps,
    why_next_step: run.why_next_step,
    started_at_ms: run.started_at_ms,
    ended_at_ms: run.ended_at_ms,
    last_error: run.last_error,
  };

  switch (type) {
    case 'session_run_started':
      r.status = 'running';
      r.steps = withStep(run.steps, stepId ?? 'session-run', 'in_progress');
      r.why_next_step = why ?? WHY.sessionRunning;
      start(r, ts);
      break;
    case 'session_run_finished': {
      const s = input.status;
      const stepStatus: StepStatus =
        s === 'completed' ? 'done' : s === 'cancelled' || s === 'blocked' || s === 'paused' ? 'blocked' : s === 'failed' ? 'failed' : 'done';
      r.steps = withStep(run.steps, stepId ?? 'session-run', stepStatus);
      r.why_next_step = why ?? WHY.sessionFinished;
      if (error !== undefined) r.last_error = error;
      break;
    }
    case 'planning_started':
      r.status = 'awaiting_approval';
      if (run.steps.length === 0) r.steps = materializePlan(run.objective);
      r.why_next_step = WHY.awaitingApproval;
      start(r, ts);
      break;
    case 'plan_approved': {
      r.status = 'running';
      const next = run.steps.find((s) => s.status === 'pending' || s.status === 'runnable');
      if (next) {
        r.steps = withStep(run.steps, next.step_id, 'in_progress');
        r.why_next_step = `Plan approved; continue with step ${next.step_id}: ${next.title}`;
      }
      start(r, ts);
      break;
    }
    case 'run_paused':
      r.status = 'paused';
      r.why_next_step = WHY.paused;
      break;
    case 'run_resumed':
      r.status = 'running';
      r.why_next_step = WHY.resumed;
      r.ended_at_ms = undefined;
      break;
    case 'run_cancelled':
      r.status = 'cancelled';
      r.why_next_step = WHY.cancelled;
      break;
    case 'run_reopened': {
      r.status = 'running';
      const reason = trimmedOrUndefined(payloadField(input.payload, 'reason'));
      r.why_next_step = reason ? `${WHY.reopened} Reason: “${reason}”` : WHY.reopened;
      r.ended_at_ms = undefined;
      break;
    }
    case 'task_retry_requested':
      r.status = 'running';
      if (stepId !== undefined) {
        r.steps = withStep(run.steps, stepId, 'runnable');
        r.why_next_step = `Retry requested for step ${stepId}.`;
      }
      r.ended_at_ms = undefined;
      r.last_error = undefined;
      break;
    case 'revision_requested': {
      r.status = 'blocked';
      const feedback = trimmedOrUndefined(payloadField(input.payload, 'feedback'));
      r.why_next_step = feedback ? `A revision was requested: ${feedback}` : 'A revision was requested.';
      break;
    }
    case 'step_started':
    case 'task_started':
      r.steps = withStep(run.steps, stepId, payloadStepStatus(input.payload) ?? 'in_progress');
      if (why !== undefined) r.why_next_step = why;
      break;
    case 'step_completed':
    case 'task_completed':
    case 'step_done':
      r.steps = withStep(run.steps, stepId, payloadStepStatus(input.payload) ?? 'done');
      if (why !== undefined) r.why_next_step = why;
      break;
    case 'step_failed':
    case 'task_failed':
      r.steps = withStep(run.steps, stepId, payloadStepStatus(input.payload) ?? 'failed');
      if (why !== undefined) r.why_next_step = why;
      if (error !== undefined) r.last_error = error;
      break;
    default:
      r.steps = withStep(run.steps, stepId, payloadStepStatus(input.payload));
      if (why !== undefined) r.why_next_step = why;
      if (error !== undefined) r.last_error = error;
  }
  if (isTerminal(r.status) && !isTerminal(run.status)) r.ended_at_ms = ts;
  return r;
}
