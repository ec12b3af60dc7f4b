// Run-level commands: creation (event seq 1), appended events, blackboard patches and the
// workspace lease. Each returns the events to append; nothing is written here.
import { blackboardEventType, normalizePatch } from './blackboard';
import { DomainError, formatTooOld } from './errors';
import { EventBuilder } from './eventBuilder';
import { CommandContext } from './ids';
import { EventRecord, LOCAL_TENANT, RunHeader, RunRecord, Step, WorkspaceLease } from '../../../contract/schemas/records';
import { LIMITS } from '../../../contract/limits';
import { ParamsOf } from '../../../contract/schemas/params';
import { applyRunTransition, KEPT_PAYLOAD_TEXTS, payloadField, resumedStatus, unknownStepOf } from './runTransitions';
import { emptyRunState, RunState } from './state';
import { checkTextLimit, setTrimmedFields, trimmedOrUndefined } from './text';
import { BLACKBOARD_OP_SINCE, EVENT, RUN_FORMAT, runHas } from '../../../contract/events';
import { RunStatus, isTerminal } from '../../../contract/statuses';

/** `createRun` after the facade resolved the id and normalized the workspace path. */
export function decideCreateRun(
  runId: string,
  p: ParamsOf<'createRun'>,
  canonicalPath: string | undefined,
  ctx: CommandContext,
): EventRecord[] {
  checkTextLimit('objective', p.objective);
  const steps = planSteps(p.steps ?? []);
  const run: RunRecord = {
    run_id: runId,
    run_type: trimmedOrUndefined(p.run_type) ?? 'interactive',
    tenant_context: { ...LOCAL_TENANT },
    mcp_servers: (p.mcp_servers ?? []).map((s) => s.trim()).filter((s) => s !== ''),
    status: 'queued',
    objective: p.objective,
    workspace: {
      workspace_id: p.workspace?.workspace_id ?? '',
      canonical_path: canonicalPath ?? '',
      lease_epoch: canonicalPath ? 1 : 0,
    },
    steps,
    tasks: [],
    why_next_step: steps.length > 0 ? `Start with step ${steps[0].step_id}: ${steps[0].title}` : null,
    revision: 1,
    last_event_seq: 1,
    created_at_ms: ctx.now,
    updated_at_ms: ctx.now,
    format: RUN_FORMAT,
    ...(p.auto_finish ? { auto_finish: true } : {}),
  };
  setTrimmedFields(run, { source_client: p.source_client, model_provider: p.model_provider, model_id: p.model_id });
  const b = new EventBuilder(emptyRunState(runId), ctx);
  b.add({ type: EVENT.runCreated, status: 'queued', payload: { run, format: RUN_FORMAT } });
  return b.events;
}

/** createRun's `steps` as the plan: step-1, step-2 … in order, pending. */
function planSteps(titles: string[]): Step[] {
  if (titles.length > LIMITS.steps) {
    throw new DomainError(
      'LIMIT_EXCEEDED',
      `A run is created with at most ${LIMITS.steps} steps (${titles.length} given); make the rest tasks.`,
      {
        limit: 'steps',
        max: LIMITS.steps,
      },
    );
  }
  titles.forEach((t) => checkTextLimit('steps', t));
  return titles.map((title, i) => ({ step_id: `step-${i + 1}`, title, status: 'pending' }));
}

/** finishRun: the run completed or failed, by a person or an agent; completing waits for tasks in progress unless forced. */
export function decideFinishRun(state: RunState, p: ParamsOf<'finishRun'>, ctx: CommandContext): EventRecord[] {
  const h = state.header;
  if (isTerminal(h.status)) {
    throw new DomainError('RUN_TERMINAL', `Run ${h.run_id} is already ${h.status}; reopen it first.`, { status: h.status });
  }
  checkTextLimit('reason', p.reason);
  if (p.status === 'completed' && !p.force) assertNoneInProgress(state, 'complete the run with force anyway');
  const reason = trimmedOrUndefined(p.reason);
  const b = new EventBuilder(state, ctx);
  b.add({ type: p.status === 'completed' ? EVENT.runCompleted : EVENT.runFailed, status: p.status, payload: reason ? { reason } : null });
  return b.events;
}

/**
 * A run is completed with no task in progress, unless a person forces it (finishRun's `force`):
 * their holders' work would end up in a run that says it is done.
 */
function assertNoneInProgress(state: RunState, otherwise: string): void {
  const working = [...state.tasks.values()].filter((t) => t.status === 'in_progress').map((t) => t.id);
  if (working.length === 0) return;
  throw new DomainError(
    'TASKS_IN_PROGRESS',
    `${working.length} task${working.length > 1 ? 's are' : ' is'} in progress (${working.slice(0, 5).join(', ')}${working.length > 5 ? ', …' : ''}): ` +
      `let them finish or release them, or ${otherwise}.`,
    { task_ids: working },
  );
}

const RESERVED_TYPES = new Set([EVENT.workspaceValidated, EVENT.workspaceMismatch, EVENT.workspaceRebound]);

export function decideAppendEvent(state: RunState, p: ParamsOf<'appendEvent'>, ctx: CommandContext): EventRecord[] {
  const type = p.type.trim();
  const lower = type.toLowerCase();
  if (lower.startsWith('context.task.')) {
    throw new DomainError('TASK_EVENT_APPEND_DISABLED', `Task events (${type}) are written by the task methods, not appendEvent.`);
  }
  if (lower.startsWith('context.') || RESERVED_TYPES.has(lower as never)) {
    throw new DomainError('EVENT_TYPE_RESERVED', `Event type ${JSON.stringify(type)} is reserved for Runboard's own methods.`, { type });
  }
  const h = state.header;
  if (isTerminal(h.status) && lower !== 'run_reopened') {
    throw new DomainError('RUN_TERMINAL', `Run ${h.run_id} is ${h.status}; only a run_reopened event can change it.`, { status: h.status });
  }
  checkTextLimit('step_id', p.step_id);
  for (const key of KEPT_PAYLOAD_TEXTS) {
    const v = payloadField(p.payload, key);
    if (typeof v === 'string') checkTextLimit(`payload.${key}`, v);
  }
  const input = { type, status: p.status, step_id: p.step_id, payload: p.payload };
  const unknown = unknownStepOf(h, input);
  if (unknown !== undefined) throw stepNotFound(h, unknown);
  const r = applyRunTransition(h, input, ctx.now);
  // An event that completes the run (run_completed, or any type declaring it) is held to finishRun's rule.
  if (r.status === 'completed')
    assertNoneInProgress(
      state,
      'complete the run itself with force, not by an event (runboard run complete --force; MCP complete_run with force: true)',
    );
  const b = new EventBuilder(state, ctx);
  const fields: Parameters<EventBuilder['add']>[0] = { type, status: r.status, payload: p.payload ?? null };
  if (p.step_id !== undefined) fields.step_id = p.step_id;
  b.add(fields);
  return b.events;
}

function stepNotFound(h: RunHeader, stepId: string): DomainError {
  const steps = h.steps.map((s) => s.step_id);
  return new DomainError(
    'STEP_NOT_FOUND',
    steps.length > 0
      ? `Run ${h.run_id} has no step ${stepId}; its steps are ${steps.join(', ')}.`
      : `Run ${h.run_id} has no plan steps, so no step ${stepId}: a run's steps are the lines of its objective when it is created (or its createRun steps), or a planning_started event's.`,
    { step_id: stepId, steps },
  );
}

export function decidePatchBlackboard(state: RunState, p: ParamsOf<'patchBlackboard'>, ctx: CommandContext): EventRecord[] {
  const since = Object.hasOwn(BLACKBOARD_OP_SINCE, p.op) ? BLACKBOARD_OP_SINCE[p.op] : undefined;
  if (since !== undefined && !runHas(state.header, since))
    throw formatTooOld(state.header, since, `${p.op}: its questions and decisions do not close`);
  // An item tagged with a step names one of the run's (a typo would file it under no step at all).
  const stepId = trimmedOrUndefined(payloadField(p.payload, 'step_id'));
  if (stepId !== undefined && !state.header.steps.some((s) => s.step_id === stepId)) throw stepNotFound(state.header, stepId);
  const patch = normalizePatch(state.blackboard, p.op, p.payload, ctx);
  const b = new EventBuilder(state, ctx);
  b.add({ type: blackboardEventType(patch.op), status: state.header.status, payload: patch });
  return b.events;
}

export interface LeaseCheck {
  ok: boolean;
  mismatch: boolean;
  events: EventRecord[];
  expected_path: string;
}

/** `validateWorkspaceLease` with both paths already normalized by the facade. */
export function decideValidateWorkspaceLease(
  state: RunState,
  p: { phase: string; step_id?: string },
  currentPath: string,
  ctx: CommandContext,
  /** `board`: the run lives on a board shared by machines (a database) and is bound to it, not to one machine's path. */
  boundTo: 'path' | 'board' = 'path',
): LeaseCheck {
  const h = state.header;
  const bound = h.workspace.canonical_path.trim();
  const b = new EventBuilder(state, ctx);
  const stepId = p.step_id !== undefined ? { step_id: p.step_id } : {};
  if (bound === '') {
    const workspace: WorkspaceLease = { ...h.workspace, canonical_path: currentPath, lease_epoch: Math.max(1, h.workspace.lease_epoch) };
    b.add({
      type: EVENT.workspaceValidated,
      status: h.status,
      ...stepId,
      payload: { phase: p.phase, expected_path: currentPath, actual_path: currentPath, workspace },
    });
    return { ok: true, mismatch: false, events: b.events, expected_path: currentPath };
  }
  // Found through a root whose board.json names the run's board: the same board, whatever the path on this machine.
  if (bound === currentPath || boundTo === 'board') return { ok: true, mismatch: false, events: [], expected_path: bound };
  if (!isTerminal(h.status)) {
    b.add({
      type: EVENT.workspaceMismatch,
      status: 'paused',
      ...stepId,
      payload: { phase: p.phase, expected_path: bound, actual_path: currentPath, workspace: h.workspace },
    });
  }
  return { ok: false, mismatch: true, events: b.events, expected_path: bound };
}

export function decideRebindWorkspace(state: RunState, currentPath: string, ctx: CommandContext): EventRecord[] {
  const h = state.header;
  const resume = h.status === 'paused' && h.status_changed_by === EVENT.workspaceMismatch;
  const status: RunStatus = resume ? resumedStatus(h) : h.status;
  const workspace: WorkspaceLease = { ...h.workspace, canonical_path: currentPath, lease_epoch: h.workspace.lease_epoch + 1 };
  const b = new EventBuilder(state, ctx);
  b.add({
    type: EVENT.workspaceRebound,
    status,
    payload: { previous_path: h.workspace.canonical_path, workspace },
  });
  return b.events;
}
