// The in-memory state of one run and THE fold: `applyEvent` turns (state, event) into the next
// state. Live commits, loading from the log or a snapshot, and replay all go through it.
import { applyBlackboardEvent, emptyStoredBlackboard } from './blackboard';
import type { Restored } from './logRestore';
import { Blackboard, EventRecord, RunHeader, RunRecord, StoredBlackboard, Task } from '../../../contract/schemas/records';
import { applyRunTransition, payloadField } from './runTransitions';
import { trimmedOrUndefined } from './text';
import { TaskIndex } from './taskIndex';
import { EVENT } from '../../../contract/events';

export interface CommandEntry {
  method: string;
  fingerprint: string;
  first_seq: number;
  last_seq: number;
}

export interface RunState {
  header: RunHeader;
  /** Insertion order is the run's task list order. */
  tasks: Map<string, Task>;
  index: TaskIndex;
  blackboard: StoredBlackboard;
  commands: Map<string, CommandEntry>;
  /** The last seq the command index has seen (it may come from an older cache than the run). */
  commandsSeq: number;
}

/** The state before seq 1: nothing exists yet. The created event fills the header. */
export function emptyRunState(runId: string): RunState {
  const tasks = new Map<string, Task>();
  return {
    header: {
      run_id: runId,
      run_type: 'interactive',
      tenant_context: { org_id: 'local', workspace_id: 'local', source: 'local_implicit' },
      mcp_servers: [],
      status: 'queued',
      objective: '',
      workspace: { workspace_id: '', canonical_path: '', lease_epoch: 0 },
      steps: [],
      why_next_step: null,
      revision: 0,
      last_event_seq: 0,
      created_at_ms: 0,
      updated_at_ms: 0,
    },
    tasks,
    index: new TaskIndex(tasks),
    blackboard: emptyStoredBlackboard(),
    commands: new Map(),
    commandsSeq: 0,
  };
}

/** A state from cached records (snapshot or checkpoint); each part keeps its own seq. */
export function stateFromRecords(
  run: RunRecord,
  blackboard: StoredBlackboard,
  commands?: { seq: number; entries: Iterable<[string, CommandEntry]> },
): RunState {
  const { tasks: taskList, ...header } = run;
  const tasks = new Map<string, Task>();
  const index = new TaskIndex(tasks);
  for (const t of taskList) {
    const prev = tasks.get(t.id);
    tasks.set(t.id, t);
    index.onUpsert(prev, t);
  }
  return {
    header: { ...header },
    tasks,
    index,
    blackboard: copyStoredBlackboard(blackboard),
    commands: new Map(commands?.entries ?? []),
    commandsSeq: commands?.seq ?? 0,
  };
}

export function toRunRecord(state: RunState): RunRecord {
  return { ...state.header, tasks: [...state.tasks.values()] };
}

/** A copy that later folds cannot change (the fold appends to the lists in place). */
export function copyStoredBlackboard(bb: StoredBlackboard): StoredBlackboard {
  return {
    facts: bb.facts.slice(),
    decisions: bb.decisions.slice(),
    open_questions: bb.open_questions.slice(),
    closed_questions: bb.closed_questions.slice(),
    artifacts: bb.artifacts.slice(),
    summaries: { ...bb.summaries },
    revision: bb.revision,
    last_event_seq: bb.last_event_seq,
  };
}

export function toBlackboard(state: RunState): Blackboard {
  return { ...copyStoredBlackboard(state.blackboard), tasks: [...state.tasks.values()] };
}

function upsertTask(state: RunState, task: Task): void {
  const prev = state.tasks.get(task.id);
  state.tasks.set(task.id, task);
  state.index.onUpsert(prev, task);
}

function applyToRun(state: RunState, e: EventRecord): void {
  const h = state.header;
  const payload = e.payload as Record<string, unknown> | null;
  if (e.type === EVENT.runCreated) {
    const { tasks: created, ...header } = (payload as { run: RunRecord }).run;
    state.header = { ...header };
    for (const t of created) upsertTask(state, t);
  } else if (e.type.startsWith('context.task.')) {
    upsertTask(state, (payload as { task: Task }).task);
  } else if (e.type === EVENT.blackboardPatched || e.type === EVENT.artifactAdded || e.type === EVENT.logRepaired) {
    // Blackboard only, or the log's own bookkeeping: the run's counters move below.
  } else if (e.type === EVENT.workspaceValidated || e.type === EVENT.workspaceMismatch || e.type === EVENT.workspaceRebound) {
    const p = payload as { workspace: RunHeader['workspace']; expected_path?: string; actual_path?: string };
    h.workspace = { ...p.workspace };
    if (e.type === EVENT.workspaceMismatch && e.status !== h.status) {
      h.why_next_step = `Paused: this run is bound to ${p.expected_path} but was opened in ${p.actual_path}. Rebind it to this folder to continue.`;
    } else if (e.type === EVENT.workspaceRebound && e.status !== h.status) {
      h.why_next_step = `Rebound to ${p.workspace.canonical_path}; the run continues.`;
    }
  } else {
    const r = applyRunTransition(h, { type: e.type, status: e.status, step_id: e.step_id, payload: e.payload }, e.ts_ms);
    h.steps = r.steps;
    h.why_next_step = r.why_next_step;
    setOptional(h, 'started_at_ms', r.started_at_ms);
    setOptional(h, 'ended_at_ms', r.ended_at_ms);
    setOptional(h, 'last_error', r.last_error);
  }
  const header = state.header;
  if (header.status !== e.status) {
    // Where a pause came from, while it lasts: a plan waiting for approval still waits after a resume.
    if (e.status === 'paused') header.paused_from = header.status;
    else if ('paused_from' in header) delete header.paused_from;
    header.status = e.status;
    header.status_changed_by = e.type;
    header.status_changed_at_ms = e.ts_ms;
    // Why, when a run event said (a pause's reason, for the attention list and the agents it stops);
    // a task event's reason is the task's.
    const reason = e.type.startsWith('context.') ? undefined : trimmedOrUndefined(payloadField(e.payload, 'reason'));
    if (reason !== undefined) header.status_reason = reason;
    else if ('status_reason' in header) delete header.status_reason;
  }
  header.revision = e.revision;
  header.last_event_seq = e.seq;
  if (e.ts_ms > header.updated_at_ms) header.updated_at_ms = e.ts_ms;
}

function setOptional<K extends 'started_at_ms' | 'ended_at_ms' | 'last_error'>(h: RunHeader, key: K, value: RunHeader[K]): void {
  // `delete` of an absent key still takes V8's slow path; most events touch none of these.
  if (value === undefined) {
    if (key in h) delete h[key];
  } else if (h[key] !== value) h[key] = value;
}

function applyToCommands(state: RunState, e: EventRecord): void {
  if (e.command_id !== undefined) {
    const entry = state.commands.get(e.command_id);
    if (entry) entry.last_seq = e.seq;
    else {
      state.commands.set(e.command_id, {
        method: e.command_method ?? '',
        fingerprint: e.command_fingerprint ?? '',
        first_seq: e.seq,
        last_seq: e.seq,
      });
    }
  }
  state.commandsSeq = e.seq;
}

/**
 * THE fold. Mutates `state` in place (runs hold up to 100 000 tasks; copying per event would
 * make every commit O(n)). Callers that need the old state take a copy first (replay does).
 * Each part (run, blackboard, command index) applies only events past its own seq, so a state
 * assembled from caches of different ages catches up correctly.
 */
export function applyEvent(state: RunState, e: EventRecord): void {
  // A repair that restores what damage lost carries it whole (logRestore.ts); it applies first.
  const restored = e.type === EVENT.logRepaired ? (e.payload as { restored?: Restored }).restored : undefined;
  if (e.seq > state.header.last_event_seq) {
    if (restored) restoreRun(state, restored);
    applyToRun(state, e);
  }
  if (e.seq > state.blackboard.last_event_seq) {
    if (restored?.blackboard) restoreBlackboard(state.blackboard, restored.blackboard);
    applyBlackboardEvent(state.blackboard, e);
  }
  if (e.seq > state.commandsSeq) {
    for (const [id, method, fingerprint, first_seq, last_seq] of restored?.commands ?? []) {
      state.commands.set(id, { method, fingerprint, first_seq, last_seq });
    }
    applyToCommands(state, e);
  }
}

function restoreRun(state: RunState, r: Restored): void {
  state.header = { ...r.run };
  for (const t of r.tasks) upsertTask(state, { ...t });
}

function restoreBlackboard(bb: StoredBlackboard, r: NonNullable<Restored['blackboard']>): void {
  bb.facts = r.facts.slice();
  bb.decisions = r.decisions.slice();
  bb.open_questions = r.open_questions.slice();
  // A restore written by a Runboard before format 4 has no closed questions.
  bb.closed_questions = (r.closed_questions ?? []).slice();
  bb.artifacts = r.artifacts.slice();
  bb.summaries = { ...r.summaries };
  bb.revision = r.revision;
}

/** The seq the whole state has reached: the oldest of its parts. */
export function stateSeq(state: RunState): number {
  return Math.min(state.header.last_event_seq, state.blackboard.last_event_seq, state.commandsSeq);
}
