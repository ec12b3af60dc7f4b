// A run driven through the pure engine, the way the store drives it: a decide function returns
// events, `commit` folds them with applyEvent and keeps them in `log`. The clock is a number we
// move by hand and ids count up, so every event is predictable.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type { DomainCode } from '../../../contract/errors';
import { DomainError } from '../../../server/src/engine/errors';
import { CommandContext } from '../../../server/src/engine/ids';
import { Blackboard, EventRecord, RunRecord, Task } from '../../../contract/schemas/records';
import { InputOf, METHOD_PARAMS, parseParams, TaskInput } from '../../../contract/schemas/params';
import {
  decideAppendEvent,
  decideCreateRun,
  decideFinishRun,
  decidePatchBlackboard,
  decideRebindWorkspace,
  decideValidateWorkspaceLease,
  LeaseCheck,
} from '../../../server/src/engine/runDecisions';
import { applyEvent, emptyRunState, RunState, toBlackboard, toRunRecord } from '../../../server/src/engine/state';
import { decideCreateTasks } from '../../../server/src/engine/taskCreation';
import { decideCancelTask } from '../../../server/src/engine/taskCancel';
import { decideExpireLeases, decideRequeue, decideTransition, TransitionRequest } from '../../../server/src/engine/taskLifecycle';
import { TaskStatus } from '../../../contract/statuses';
import { ClaimRequest, decideClaim } from '../../../server/src/engine/taskClaim';

/** 2023-11-14T22:13:20Z: any fixed time works; a round one reads well in failures. */
export const T0 = 1_700_000_000_000;

export interface TestContext extends CommandContext {
  /** Moves the clock forward by `ms` and returns the new time. */
  advance(ms: number): number;
}

export function testContext(now: number = T0): TestContext {
  let n = 0;
  const ctx: TestContext = {
    now,
    ids: { newId: (prefix) => `${prefix}-${++n}` },
    advance(ms) {
      ctx.now += ms;
      return ctx.now;
    },
  };
  return ctx;
}

/** Folds `events` into a fresh state: what a load from the log (or a replay) yields. */
export function foldAll(runId: string, events: readonly EventRecord[]): RunState {
  const state = emptyRunState(runId);
  for (const e of events) applyEvent(state, e);
  return state;
}

/** A comparable picture of a state: run record, blackboard and command index. */
export function pictureOf(state: RunState): { run: RunRecord; blackboard: Blackboard; commands: unknown } {
  return {
    run: toRunRecord(state),
    blackboard: toBlackboard(state),
    commands: [...state.commands.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
  };
}

type TransitionInput = Omit<InputOf<'transitionTask'>, 'run_id'>;
type ClaimInput = Omit<InputOf<'claimTask'>, 'run_id'>;

export interface RunOptions {
  runId?: string;
  objective?: string;
  canonicalPath?: string;
  now?: number;
  /** Keep the picture of the live state after every event in `history` (JSON, index = seq - 1). */
  recordHistory?: boolean;
  /** More createRun params (steps, auto_finish …). */
  create?: Omit<InputOf<'createRun'>, 'objective'>;
  /** Make the run as a Runboard of run format 1 did (no `format` in the run): the older fold rules apply. */
  format1?: boolean;
  /** Make the run as a Runboard of this older run format did. */
  format?: number;
}

export class RunHarness {
  readonly ctx: TestContext;
  readonly runId: string;
  state: RunState;
  readonly log: EventRecord[] = [];
  readonly history: string[] | undefined;

  constructor(options: RunOptions = {}) {
    this.ctx = testContext(options.now);
    this.history = options.recordHistory ? [] : undefined;
    this.runId = options.runId ?? 'run-test';
    this.state = emptyRunState(this.runId);
    const params = parseParams(METHOD_PARAMS.createRun, { objective: options.objective ?? 'Test objective', ...options.create });
    const created = decideCreateRun(this.runId, params, options.canonicalPath, this.ctx);
    if (options.format1 || options.format !== undefined) {
      const payload = created[0].payload as { run: RunRecord; format: number };
      if (options.format1) delete payload.run.format;
      else payload.run.format = options.format;
      payload.format = options.format ?? 1;
    }
    this.commit(created);
  }

  /** Folds `events` in order and appends them to the log, as the store does after appending. */
  commit(events: EventRecord[]): EventRecord[] {
    for (const e of events) {
      assert.equal(e.seq, this.state.header.last_event_seq + 1, `event ${e.type} must take the next seq`);
      applyEvent(this.state, e);
      this.log.push(e);
      this.history?.push(JSON.stringify(pictureOf(this.state)));
    }
    return events;
  }

  /** Runs a decide function and checks the engine's promise that deciding never mutates state. */
  decide<T>(fn: (state: RunState, ctx: CommandContext) => T): T {
    const before = JSON.stringify(pictureOf(this.state));
    const out = fn(this.state, this.ctx);
    assert.equal(JSON.stringify(pictureOf(this.state)), before, 'a decide function changed the state');
    return out;
  }

  get run(): RunRecord {
    return toRunRecord(this.state);
  }

  get blackboard(): Blackboard {
    return toBlackboard(this.state);
  }

  task(id: string): Task {
    const t = this.state.tasks.get(id);
    assert.ok(t, `task ${id} exists`);
    return t;
  }

  // ---------------------------------------------------------------- commands (params parsed as the facade does)

  appendEvent(p: Omit<InputOf<'appendEvent'>, 'run_id'>): EventRecord {
    const params = parseParams(METHOD_PARAMS.appendEvent, { run_id: this.runId, ...p });
    return this.commit(this.decide((s, c) => decideAppendEvent(s, params, c)))[0];
  }

  patch(op: string, payload: unknown): EventRecord {
    const params = parseParams(METHOD_PARAMS.patchBlackboard, { run_id: this.runId, op, payload });
    return this.commit(this.decide((s, c) => decidePatchBlackboard(s, params, c)))[0];
  }

  createTasks(tasks: Array<Partial<TaskInput>>): Task[] {
    const inputs = this.parseTasks(tasks);
    const { events, tasks: created } = this.decide((s, c) => decideCreateTasks(s, inputs, c));
    this.commit(events);
    return created;
  }

  parseTasks(tasks: Array<Partial<TaskInput>>): TaskInput[] {
    const rows = tasks.map((t) => ({ task_type: 'work', ...t }));
    return parseParams(METHOD_PARAMS.createTasks, { run_id: this.runId, tasks: rows }).tasks;
  }

  /** The claimed task, or null when nothing was claimable (then nothing was committed). */
  claim(p: ClaimInput, defaultLeaseMs?: number): Task | null {
    const req: ClaimRequest = parseParams(METHOD_PARAMS.claimTask, { run_id: this.runId, ...p });
    const events = this.commit(this.decide((s, c) => decideClaim(s, req, c, defaultLeaseMs)));
    return events.length === 0 ? null : this.task(events[0].task_id!);
  }

  transition(p: TransitionInput, defaultLeaseMs?: number): EventRecord {
    const events = this.transitionEvents(p, defaultLeaseMs);
    assert.equal(events.length, 1);
    return events[0];
  }

  /** Every event of one transition (auto_finish adds the run's completion to the last task's). */
  transitionEvents(p: TransitionInput, defaultLeaseMs?: number): EventRecord[] {
    const req = this.transitionRequest(p);
    return this.commit(this.decide((s, c) => decideTransition(s, req, c, defaultLeaseMs)));
  }

  finishRun(p: Omit<InputOf<'finishRun'>, 'run_id'>): EventRecord {
    const params = parseParams(METHOD_PARAMS.finishRun, { run_id: this.runId, ...p });
    return this.commit(this.decide((s, c) => decideFinishRun(s, params, c)))[0];
  }

  transitionRequest(p: TransitionInput): TransitionRequest {
    return parseParams(METHOD_PARAMS.transitionTask, { run_id: this.runId, ...p });
  }

  requeue(p: { task_id: string; reason?: string; force?: boolean }): EventRecord {
    const events = this.requeueAll(p);
    assert.equal(events.length, 1);
    return events[0];
  }

  /** Every event of one requeueTask (with cascade, the tasks reopened along with it after the one named). */
  requeueAll(p: { task_id: string; reason?: string; force?: boolean; cascade?: boolean }): EventRecord[] {
    return this.commit(this.decide((s, c) => decideRequeue(s, p, c)));
  }

  /** Every event of one cancelTask (the tasks cancelled, and the run's completion by auto_finish). */
  cancel(p: Omit<InputOf<'cancelTask'>, 'run_id'>): EventRecord[] {
    const params = parseParams(METHOD_PARAMS.cancelTask, { run_id: this.runId, ...p });
    return this.commit(this.decide((s, c) => decideCancelTask(s, params, c)));
  }

  expireLeases(): EventRecord[] {
    return this.commit(this.decide((s, c) => decideExpireLeases(s, c)));
  }

  validateWorkspace(currentPath: string, p: { phase?: string; step_id?: string } = {}, boundTo: 'path' | 'board' = 'path'): LeaseCheck {
    const check = this.decide((s, c) =>
      decideValidateWorkspaceLease(s, { phase: p.phase ?? 'start', step_id: p.step_id }, currentPath, c, boundTo),
    );
    this.commit(check.events);
    return check;
  }

  rebindWorkspace(currentPath: string): EventRecord {
    return this.commit(this.decide((s, c) => decideRebindWorkspace(s, currentPath, c)))[0];
  }

  // ---------------------------------------------------------------- shortcuts

  /** One task with the given fields (task_type "work" unless given). */
  addTask(fields: Partial<TaskInput> = {}): Task {
    return this.createTasks([fields])[0];
  }

  /**
   * A task brought into `status` the ordinary way: created pending/runnable/blocked, or claimed
   * (in_progress), claimed and completed (done), claimed and failed (failed).
   */
  taskIn(status: TaskStatus, fields: Partial<TaskInput> = {}): Task {
    if (status === 'pending' || status === 'runnable' || status === 'blocked') return this.addTask({ ...fields, status });
    if (status === 'cancelled') {
      const created = this.addTask(fields);
      this.cancel({ task_id: created.id, reason: 'setup cancel' });
      return this.task(created.id);
    }
    const created = this.addTask({ ...fields, status: 'runnable' });
    const claimed = this.claim({ agent_id: 'agent-setup', task_id: created.id });
    assert.ok(claimed, 'setup claim succeeds');
    if (status === 'in_progress') return claimed;
    const token = claimed.lease_token;
    if (status === 'done') this.transition({ task_id: created.id, action: 'complete', lease_token: token });
    else this.transition({ task_id: created.id, action: 'fail', lease_token: token, error: 'setup failure' });
    return this.task(created.id);
  }

  /** Ends the run through an appended event: run_cancelled, or an event declaring completed/failed. */
  finish(status: 'completed' | 'failed' | 'cancelled' = 'completed'): void {
    if (status === 'cancelled') this.appendEvent({ type: 'run_cancelled', status: 'running' });
    else this.appendEvent({ type: 'run_finished', status });
    assert.equal(this.run.status, status);
  }
}

/** Runs `fn`, which must throw a DomainError with `code` whose details include `details`. */
export function expectDomainError(fn: () => unknown, code: DomainCode, details?: Record<string, unknown>): DomainError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, `expected ${code}, but nothing was thrown`);
  assert.ok(thrown instanceof DomainError, `expected a DomainError ${code}, got ${inspect(thrown)}`);
  assert.equal(thrown.code, code, `expected ${code}, got ${thrown.code}: ${thrown.message}`);
  if (details) {
    for (const [k, v] of Object.entries(details)) assert.deepEqual(thrown.details[k], v, `details.${k} of ${code}`);
  }
  return thrown;
}

/** Every key of `keys` is absent from `obj` (not merely undefined: JSON would drop it, deepEqual would not). */
export function assertAbsent(obj: object, ...keys: string[]): void {
  for (const k of keys) assert.ok(!(k in obj), `${k} should be absent, is ${JSON.stringify((obj as Record<string, unknown>)[k])}`);
}
