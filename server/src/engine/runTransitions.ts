// The run event transition table (SPEC.md §4.2) with PROTOCOL.md's fixes: the event records
// the resulting status, times come from the event, steps are never created by events, and a
// terminal run accepts only `run_reopened`. The same function serves commands and the fold.
import { RunHeader, Step } from '../../../contract/schemas/records';
import { trimmedOrUndefined } from './text';
import { RunStatus, StepStatus, isTerminal } from '../../../contract/statuses';
import { EVENT, runHas } from '../../../contract/events';

// A Map: user text like "constructor" must not find Object.prototype members.
const STEP_STATUS_ALIASES = new Map<string, StepStatus>(
  Object.entries<StepStatus>({
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
  }),
);

/** The one step-status parser (SPEC.md §1.2, ⚠ W24): trimmed, case-insensitive, with aliases. */
export function parseStepStatus(value: unknown): StepStatus | undefined {
  if (typeof value !== 'string') return undefined;
  return STEP_STATUS_ALIASES.get(value.trim().toLowerCase());
}

/** The status a paused run goes back to (run_resumed, a rebind after a mismatch): a plan that waited for approval still waits — only plan_approved starts it. */
export function resumedStatus(run: Pick<RunHeader, 'paused_from'>): RunStatus {
  return run.paused_from === 'awaiting_approval' ? 'awaiting_approval' : 'running';
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

/** The payload texts a run event leaves on the run (the transitions below, and state.ts's status_reason): appendEvent holds them to the text limit. */
export const KEPT_PAYLOAD_TEXTS = ['reason', 'error', 'feedback', 'why_next_step'] as const;

/** A field of an object payload (anything else has none). */
export function payloadField(payload: unknown, key: string): unknown {
  return payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>)[key] : undefined;
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
  const chosen =
    titles.length > 0 ? titles : ['Plan the approach', 'Execute the plan and produce the artifacts', 'Validate the results and finalize'];
  return chosen.map((title, i) => ({ step_id: `step-${i + 1}`, title, status: 'pending' as const }));
}

/** The run (re)starts at `ts`: it has not ended and carries no error. */
function start(r: RunTransitionResult, ts: number): void {
  r.started_at_ms ??= ts;
  r.ended_at_ms = undefined;
  r.last_error = undefined;
}

/** One run event as a transition reads it: the run before, the event, and its trimmed fields. */
interface RunEvent {
  run: RunHeader;
  input: RunEventInput;
  ts: number;
  stepId: string | undefined;
  why: string | undefined;
  error: string | undefined;
}

type Transition = (r: RunTransitionResult, e: RunEvent) => void;

/**
 * An event about one step: the step takes the payload's status, else `fallback`; `why_next_step`
 * and (when `withError`) the error are taken over. In format 2, a step event that changes a step
 * and names no `why_next_step` moves the plan along: a step done starts the next pending one, and
 * `why_next_step` says what comes next.
 */
function stepEvent(fallback: StepStatus | undefined, withError: boolean): Transition {
  return (r, e) => {
    const status = payloadStepStatus(e.input.payload) ?? fallback;
    r.steps = withStep(e.run.steps, e.stepId, status);
    if (e.why !== undefined) r.why_next_step = e.why;
    else if (runHas(e.run, 'planMoves') && r.steps !== e.run.steps) {
      if (status === 'done') r.steps = startNextStep(r.steps, e.stepId!);
      r.why_next_step = nextStepWhy(r.steps);
    }
    if (withError && e.error !== undefined) r.last_error = e.error;
  };
}

/** The first pending (or runnable) step after `doneId`, else before it, becomes in_progress — unless one already is. */
function startNextStep(steps: Step[], doneId: string): Step[] {
  if (steps.some((s) => s.status === 'in_progress')) return steps;
  const at = steps.findIndex((s) => s.step_id === doneId);
  const waiting = (s: Step) => s.status === 'pending' || s.status === 'runnable';
  const next = steps.slice(at + 1).find(waiting) ?? steps.find(waiting);
  return next ? withStep(steps, next.step_id, 'in_progress') : steps;
}

/** What the plan says comes next (format 2). */
function nextStepWhy(steps: Step[]): string | null {
  const say = (s: Step) => `step ${s.step_id}: ${s.title}`;
  const working = steps.find((s) => s.status === 'in_progress');
  if (working) return `Continue with ${say(working)}`;
  const next = steps.find((s) => s.status === 'pending' || s.status === 'runnable');
  if (next) return `Next: ${say(next)}`;
  const stuck = steps.find((s) => s.status !== 'done');
  if (stuck) return `Step ${stuck.step_id} is ${stuck.status}: ${stuck.title}`;
  return steps.length > 0 ? 'Every step is done.' : null;
}

/** Finishing a run (finishRun, auto_finish; format 2): the status, and why, with the reason given. */
function finished(status: 'completed' | 'failed'): Transition {
  return (r, e) => {
    r.status = status;
    const reason = trimmedOrUndefined(payloadField(e.input.payload, 'reason'));
    const word = status === 'completed' ? 'Completed' : 'Failed';
    r.why_next_step = reason ? `${word}: ${reason}` : `${word}.`;
    if (status === 'failed' && reason) r.last_error = reason;
  };
}

/** Rows only runs of format 2 or later fold (older runs fold these types as any other event). */
const FORMAT_2_TRANSITIONS = new Map<string, Transition>([
  [EVENT.runCompleted, finished('completed')],
  [EVENT.runFailed, finished('failed')],
]);

/** The step events (SPEC §4.2): the status each gives the step it names by default, and whether it records payload.error. */
const STEP_EVENTS: [type: string, status: StepStatus, withError: boolean][] = [
  ['step_started', 'in_progress', false],
  ['task_started', 'in_progress', false],
  ['step_completed', 'done', false],
  ['task_completed', 'done', false],
  ['step_done', 'done', false],
  ['step_failed', 'failed', true],
  ['task_failed', 'failed', true],
];

/** SPEC.md §4.2's transition table, by event type (lower case); other types are step events. A Map: event types are free text. */
const RUN_TRANSITIONS = new Map<string, Transition>([
  [
    'session_run_started',
    (r, e) => {
      r.status = 'running';
      r.steps = withStep(e.run.steps, e.stepId ?? 'session-run', 'in_progress');
      r.why_next_step = e.why ?? WHY.sessionRunning;
      start(r, e.ts);
    },
  ],
  [
    'session_run_finished',
    (r, e) => {
      const s = e.input.status;
      const stepStatus: StepStatus =
        s === 'completed'
          ? 'done'
          : s === 'cancelled' || s === 'blocked' || s === 'paused'
            ? 'blocked'
            : s === 'failed'
              ? 'failed'
              : 'done';
      r.steps = withStep(e.run.steps, e.stepId ?? 'session-run', stepStatus);
      r.why_next_step = e.why ?? WHY.sessionFinished;
      if (e.error !== undefined) r.last_error = e.error;
    },
  ],
  [
    'planning_started',
    (r, e) => {
      r.status = 'awaiting_approval';
      if (e.run.steps.length === 0) r.steps = materializePlan(e.run.objective);
      r.why_next_step = WHY.awaitingApproval;
      start(r, e.ts);
    },
  ],
  [
    'plan_approved',
    (r, e) => {
      r.status = 'running';
      const next = e.run.steps.find((s) => s.status === 'pending' || s.status === 'runnable');
      if (next) {
        r.steps = withStep(e.run.steps, next.step_id, 'in_progress');
        r.why_next_step = `Plan approved; continue with step ${next.step_id}: ${next.title}`;
      }
      start(r, e.ts);
    },
  ],
  [
    'run_paused',
    (r) => {
      r.status = 'paused';
      r.why_next_step = WHY.paused;
    },
  ],
  [
    'run_resumed',
    (r, e) => {
      r.status = resumedStatus(e.run);
      r.why_next_step = r.status === 'awaiting_approval' ? WHY.awaitingApproval : WHY.resumed;
      r.ended_at_ms = undefined;
    },
  ],
  [
    'run_cancelled',
    (r) => {
      r.status = 'cancelled';
      r.why_next_step = WHY.cancelled;
    },
  ],
  [
    'run_reopened',
    (r, e) => {
      r.status = 'running';
      const reason = trimmedOrUndefined(payloadField(e.input.payload, 'reason'));
      r.why_next_step = reason ? `${WHY.reopened} Reason: “${reason}”` : WHY.reopened;
      r.ended_at_ms = undefined;
    },
  ],
  [
    'task_retry_requested',
    (r, e) => {
      r.status = 'running';
      if (e.stepId !== undefined) {
        r.steps = withStep(e.run.steps, e.stepId, 'runnable');
        r.why_next_step = `Retry requested for step ${e.stepId}.`;
      }
      r.ended_at_ms = undefined;
      r.last_error = undefined;
    },
  ],
  [
    'revision_requested',
    (r, e) => {
      r.status = 'blocked';
      const feedback = trimmedOrUndefined(payloadField(e.input.payload, 'feedback'));
      r.why_next_step = feedback ? `A revision was requested: ${feedback}` : 'A revision was requested.';
    },
  ],
  ...STEP_EVENTS.map(([type, status, withError]): [string, Transition] => [type, stepEvent(status, withError)]),
]);

const OTHER_EVENT = stepEvent(undefined, true);

/** The event types that change the step they name: the step events, and task_retry_requested (it makes it runnable). */
const STEP_EVENT_TYPES: ReadonlySet<string> = new Set([...STEP_EVENTS.map(([type]) => type), 'task_retry_requested']);

/**
 * The step an event would change, when the run has no such step: the event would change nothing
 * (steps are never created by events), so a command naming it is a mistake to refuse.
 */
export function unknownStepOf(run: RunHeader, input: RunEventInput): string | undefined {
  const stepId = trimmedOrUndefined(input.step_id);
  if (stepId === undefined || run.steps.some((s) => s.step_id === stepId)) return undefined;
  const changesStep = STEP_EVENT_TYPES.has(input.type.trim().toLowerCase()) || payloadStepStatus(input.payload) !== undefined;
  return changesStep ? stepId : undefined;
}

/** The run event types the transition table knows (any other is a step event or a note). */
export const KNOWN_RUN_EVENT_TYPES: readonly string[] = [...RUN_TRANSITIONS.keys(), ...FORMAT_2_TRANSITIONS.keys()];

/**
 * Applies one run event to the run header at time `ts` (the event's own time). `input.status`
 * is the declared status for a new command and the recorded (resulting) status when folding;
 * every row either fixes the status or takes the declared one, so both give the same result.
 */
export function applyRunTransition(run: RunHeader, input: RunEventInput, ts: number): RunTransitionResult {
  const event: RunEvent = {
    run,
    input,
    ts,
    stepId: trimmedOrUndefined(input.step_id),
    why: trimmedOrUndefined(payloadField(input.payload, 'why_next_step')),
    error: trimmedOrUndefined(payloadField(input.payload, 'error')),
  };
  const r: RunTransitionResult = {
    status: input.status,
    steps: run.steps,
    why_next_step: run.why_next_step,
    started_at_ms: run.started_at_ms,
    ended_at_ms: run.ended_at_ms,
    last_error: run.last_error,
  };
  const type = input.type.trim().toLowerCase();
  const row = (runHas(run, 'planMoves') ? FORMAT_2_TRANSITIONS.get(type) : undefined) ?? RUN_TRANSITIONS.get(type) ?? OTHER_EVENT;
  row(r, event);
  if (isTerminal(r.status) && !isTerminal(run.status)) r.ended_at_ms = ts;
  return r;
}
