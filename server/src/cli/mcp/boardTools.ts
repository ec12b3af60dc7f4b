// The board as an agent works it, over the RunService facade (same validation, errors and results as
// the protocol): which run (the only open one, or the one a token belongs to), the lease tokens
// this session holds, and results shaped for a model. The tools that call this: toolTable.ts.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { StoreResults } from '../../../../contract/results';
import type { InputOf, StoreMethod, TransitionAction } from '../../../../contract/schemas/params';
import type { BlackboardItem, BlackboardOp, RunRecord, Task } from '../../../../contract/schemas/records';
import type { MethodCaller } from '../../routing/client';
import { summarizeBoard } from '../boardSummary';
import { chooseRunOf, type RunHowTo } from '../runChoice';
import { runsPlace } from '../runsPlace';
import { LeaseTokens } from './leaseTokens';
import { agentLeaseMs } from '../agentLease';
import { toolError, toolResult, ToolRejection } from './toolResults';
import { forModel } from './forModel';
import { whyNothingToClaim } from '../../engine/taskClaim';
import { stateFromRecords } from '../../engine/state';
import {
  attemptsExhaustedText,
  earlierWorktreeText,
  NOTHING_TO_CLAIM_TEXT,
  nothingToClaimText,
  RUN_COMPLETED_TEXT,
} from '../../../../contract/taskText';
import { DomainError } from '../../engine/errors';
import { attemptsLeft, hasLiveLease } from '../../../../contract/taskRules';
import { decisionLinks, decisionsByStanding, questionOutcome, reopenedText } from '../../../../contract/blackboardText';
import { claimWithWorktree, completeTask, settleCancelled, type WorktreeSite } from '../../worktrees/worktreeCalls';

export interface BoardToolsOptions {
  /** The root's methods: routed to its server, or directly on its store. */
  calls: MethodCaller;
  root: string;
  agent: string;
}

/** How a model names a run, and starts one, when a tool is given none and cannot choose. */
const MCP_HOW_TO: RunHowTo = { name: 'the run_id argument', start: 'Start one with create_run, or ask the person you work for to.' };

export class BoardTools implements WorktreeSite {
  readonly leases = new LeaseTokens();
  readonly env = process.env;

  constructor(private readonly o: BoardToolsOptions) {}

  /** The workspace root (its git repository is where task worktrees are made). */
  get root(): string {
    return this.o.root;
  }

  /** Whether this session obtained a lease token: its results show only such tokens. */
  private readonly holds = (token: string): boolean => this.leases.holds(token);

  /** Who this session acts as. */
  get agent(): string {
    return this.o.agent;
  }

  execute<M extends StoreMethod>(method: M, params: InputOf<M>): Promise<StoreResults[M]> {
    return this.o.calls.execute(method, params);
  }

  /** The named run, else the workspace's only open run (or the one holding `token`). */
  async runIdOr(given: string | undefined, token?: string): Promise<string> {
    if (given !== undefined && given.trim() !== '') return given;
    const choice = await chooseRunOf(this, () => runsPlace(this.o.root), token, MCP_HOW_TO);
    if ('code' in choice) throw new ToolRejection(choice.code, choice.message);
    return choice.run_id;
  }

  /** Runs a tool body; every failure becomes a tool error carrying its code. */
  async call(body: () => Promise<Record<string, unknown>>): Promise<CallToolResult> {
    try {
      // Another session's lease tokens are not this model's to use (leasePrivacy.ts).
      return toolResult(forModel(await body(), this.holds) as Record<string, unknown>);
    } catch (e) {
      return toolError(e);
    }
  }

  /**
   * The tasks of `runId` this session holds now: its token still the task's, the lease live. (A lost
   * one's token is kept: the next call with it hears why it ended, TASK_LEASE_EXPIRED.)
   */
  private liveLeases(runId: string, tasks: readonly Task[]): string[] {
    const now = Date.now();
    return this.leases.tasksOf(runId).filter((taskId) => {
      const task = tasks.find((t) => t.id === taskId);
      return task !== undefined && task.lease_token === this.leases.tokenFor(runId, taskId) && hasLiveLease(task, now);
    });
  }

  async getRun(run_id: string | undefined) {
    const id = await this.runIdOr(run_id);
    const { run, blackboard, damage } = await this.execute('getRun', { run_id: id });
    const { tasks, ...header } = run;
    const summary = summarizeBoard(run, blackboard);
    const counts = Object.fromEntries(Object.entries(summary.counts).filter(([, n]) => n > 0));
    const texts = (items: { text: string; step_id?: string }[]) => items.map((i) => (i.step_id ? `${i.step_id}: ${i.text}` : i.text));
    // Items a model acts on carry their id; what became of them follows the text.
    const withId = (i: BlackboardItem, ...notes: (string | undefined)[]) =>
      [`${i.id}${i.step_id ? ` (${i.step_id})` : ''}: ${i.text}`, ...notes.filter((n) => n !== undefined)].join(' — ');
    const decisions = decisionsByStanding(blackboard);
    return {
      // A damaged log is read-only: the model must know why its writes will be refused.
      ...(damage
        ? { damage, read_only: "The run's log has lines that cannot be folded; a person runs `runboard repair` to resume writes." }
        : {}),
      run: header,
      board: { ...summary, counts, leases_held_by_this_session: this.liveLeases(id, tasks) },
      // The listing: each task without its payload (claim_task hands over the whole task).
      tasks: forModel(tasks, this.holds, true),
      blackboard: {
        facts: texts(blackboard.facts),
        decisions: decisions.current.map((d) => withId(d, ...decisionLinks(d))),
        superseded_decisions: decisions.superseded.map((d) => `${d.id} → ${d.superseded_by}`),
        open_questions: blackboard.open_questions.map((q) => withId(q, reopenedText(q))),
        closed_questions: blackboard.closed_questions.map((q) => withId(q, questionOutcome(q))),
        artifacts: blackboard.artifacts.map((a) => a.path),
      },
    };
  }

  /** The claimable tasks in claim order; when there are none, why a claim would find nothing. */
  async readyTasks(run_id: string | undefined) {
    const id = await this.runIdOr(run_id);
    const { run, blackboard } = await this.execute('getRun', { run_id: id });
    const ready = summarizeBoard(run, blackboard).claimable_now;
    const byId = new Map(run.tasks.map((task) => [task.id, task]));
    const tasks = forModel(
      ready.map((tid) => byId.get(tid)!),
      this.holds,
      true,
    );
    if (ready.length > 0) return { run_id: id, tasks };
    const { reason } = whyNothingToClaim(stateFromRecords(run, blackboard), { agent_id: this.o.agent }, Date.now());
    return { run_id: id, tasks, reason: NOTHING_TO_CLAIM_TEXT[reason] };
  }

  async claim(p: {
    run_id?: string;
    task_id?: string;
    task_type?: string;
    workflow_id?: string;
    lease_ms?: number;
    agent_id?: string;
    command_id?: string;
    worktree?: boolean;
  }) {
    const id = await this.runIdOr(p.run_id);
    const claim = () =>
      this.execute('claimTask', {
        run_id: id,
        agent_id: p.agent_id ?? this.o.agent,
        task_id: p.task_id,
        task_type: p.task_type,
        workflow_id: p.workflow_id,
        lease_ms: p.lease_ms ?? agentLeaseMs(),
        command_id: p.command_id,
      });
    // Its lease is remembered once the task is had: a worktree git cannot make releases it first.
    const result = p.worktree === true ? await claimWithWorktree(this, id, claim) : await claim();
    if (result.task?.lease_token) this.leases.remember(id, result.task.id, result.task.lease_token);
    if (result.task && p.worktree === true) return { run_id: id, ...result, note: worktreeWorkNote(result.task) };
    const note = result.task
      ? earlierWorktreeText(result.task, 'work on there, by its path (claim_task with worktree: true says so)')
      : result.reason && `${nothingToClaimText(result.reason, p.task_id, id, result.waiting_on, result.paused_reason)}.`;
    return { run_id: id, ...result, ...(note ? { note } : {}) };
  }

  async transition(
    action: TransitionAction,
    p: {
      run_id?: string;
      task_id: string;
      lease_token?: string;
      error?: string;
      result?: string;
      lease_ms?: number;
      force?: boolean;
      command_id?: string;
    },
  ) {
    const id = await this.runIdOr(p.run_id, p.lease_token);
    const token = p.lease_token ?? this.leases.tokenFor(id, p.task_id);
    // A heartbeat naming no length keeps the lease's own.
    const leaseMs = action === 'heartbeat' ? p.lease_ms : undefined;
    const params = {
      run_id: id,
      task_id: p.task_id,
      action,
      agent_id: this.o.agent,
      ...(token !== undefined ? { lease_token: token } : {}),
      ...(p.error !== undefined ? { error: p.error } : {}),
      ...(p.result !== undefined ? { result: p.result } : {}),
      ...(leaseMs !== undefined ? { lease_ms: leaseMs } : {}),
      command_id: p.command_id,
    };
    // complete: refused while the task's worktree holds uncommitted changes (unless force); then the worktree is settled.
    const { result, unsettled } = await (
      action === 'complete'
        ? completeTask(this, { ...params, action }, p.force === true)
        : this.execute('transitionTask', params).then((result) => ({ result, unsettled: undefined }))
    ).catch((e: unknown) => {
      // Someone cancelled the task: its lease is over, and this session holds it no more.
      if (e instanceof DomainError && e.code === 'TASK_CANCELLED') this.leases.forget(id, p.task_id);
      // The engine's way on (a person's requeue, or edit max_attempts) is no tool of an agent's: said as requeue_task says it.
      if (e instanceof DomainError && e.code === 'TASK_ATTEMPTS_EXHAUSTED') {
        const d = e.details as { task_id: string; attempt: number; max_attempts: number };
        throw new ToolRejection(e.code, exhaustedForAgent({ id: d.task_id, attempt: d.attempt, max_attempts: d.max_attempts }), e.details);
      }
      throw e;
    });
    const { task } = result;
    if (task.status !== 'in_progress') this.leases.forget(id, p.task_id);
    else if (task.lease_token) this.leases.remember(id, p.task_id, task.lease_token);
    if (action === 'complete') {
      const note =
        [unsettled ?? settledNote(task), result.run_completed ? RUN_COMPLETED_TEXT : undefined].filter(Boolean).join(' ') || undefined;
      return { run_id: id, ...result, task, ...(note ? { note } : {}) };
    }
    return { run_id: id, ...result };
  }

  /**
   * requeueTask as an agent asks it. A failed task whose attempts are used up waits for a person
   * (attention lists it): an agent's requeue of it needs force, given when the person says so.
   * Before, a model could requeue its own failure again and again, past max_attempts.
   */
  async requeue(p: { run_id?: string; task_id: string; reason?: string; force?: boolean; cascade?: boolean; command_id?: string }) {
    const id = await this.runIdOr(p.run_id);
    if (p.force !== true) {
      const { run } = await this.execute('getRun', { run_id: id });
      const task = run.tasks.find((t) => t.id === p.task_id.trim());
      if (task?.status === 'failed' && !attemptsLeft(task)) {
        throw new ToolRejection('TASK_ATTEMPTS_EXHAUSTED', exhaustedForAgent(task));
      }
    }
    const { reopened, ...result } = await this.execute('requeueTask', { ...p, run_id: id, agent_id: this.agent });
    // As cancel_task's: the task named whole, the others by id (get_run shows them).
    return { run_id: id, ...result, ...(reopened ? { reopened: reopened.map((r) => r.id) } : {}) };
  }

  /** cancelTask with this session's token for the task, if it holds one; the tokens of the tasks cancelled are forgotten. */
  async cancel(p: { run_id?: string; task_id: string; reason?: string; cascade?: boolean; force?: boolean; command_id?: string }) {
    const id = await this.runIdOr(p.run_id);
    const token = this.leases.tokenFor(id, p.task_id);
    const result = await this.execute('cancelTask', {
      ...p,
      run_id: id,
      agent_id: this.o.agent,
      ...(token !== undefined ? { lease_token: token } : {}),
    });
    for (const t of result.cancelled) this.leases.forget(id, t.id);
    // Their worktrees settled as complete_task settles one: removed when clean, kept (said) when not.
    const { task, cancelled, unsettled } = await settleCancelled(this, id, result);
    const settled = cancelled.flatMap((t) => settledNote(t) ?? []);
    const note = [...unsettled, ...settled, ...(result.run_completed ? [RUN_COMPLETED_TEXT] : [])].join(' ') || undefined;
    // The task named is there whole; of the others, the ids say enough (get_run shows them).
    return { run_id: id, ...result, task, cancelled: cancelled.map((t) => t.id), ...(note ? { note } : {}) };
  }

  async patch(run_id: string | undefined, op: BlackboardOp, payload: object, command_id?: string) {
    const id = await this.runIdOr(run_id);
    const result = await this.execute('patchBlackboard', { run_id: id, op, payload, command_id });
    // The whole blackboard is in get_run; here the model needs to know what it changed.
    return {
      run_id: id,
      patch: result.patch,
      blackboard_revision: result.blackboard.revision,
      ...('deduped' in result ? { deduped: true } : {}),
    };
  }

  async appendEvent(p: { run_id?: string; type: string; status?: string; step_id?: string; payload?: unknown; command_id?: string }) {
    const id = await this.runIdOr(p.run_id);
    const status = p.status ?? (await this.execute('getRun', { run_id: id })).run.status;
    const { event, run, ...rest } = await this.execute('appendEvent', {
      run_id: id,
      type: p.type,
      status: status as RunRecord['status'],
      step_id: p.step_id,
      payload: p.payload,
      command_id: p.command_id,
    });
    const { tasks: _t, ...header } = run;
    return { event, run: header, ...rest };
  }

  async replay(p: { run_id?: string; upto_seq?: number; from_scratch?: boolean; checkpoint_id?: string }) {
    const r = await this.execute('replay', {
      run_id: await this.runIdOr(p.run_id),
      upto_seq: p.upto_seq,
      from_checkpoint: p.from_scratch === true ? false : undefined,
      checkpoint_id: p.checkpoint_id,
    });
    const brief = (run: RunRecord, tasks: Task[]) => ({
      status: run.status,
      last_event_seq: run.last_event_seq,
      steps: run.steps,
      task_statuses: Object.fromEntries(tasks.map((t) => [t.id, t.status])),
    });
    return {
      run_id: r.run_id,
      from_checkpoint: r.from_checkpoint,
      checkpoint_seq: r.checkpoint_seq,
      events_applied: r.events_applied,
      drift: r.drift,
      replay: brief(r.replay, r.replay_blackboard.tasks),
      persisted: brief(r.persisted, r.persisted_blackboard.tasks),
    };
  }
}

/** What settling a task's worktree said: why it was kept, or why a folder was left as no worktree of this repository. */
function settledNote(task: Task): string | undefined {
  return task.worktree && task.worktree.state !== 'active' ? task.worktree.note : undefined;
}

/** What a model is told when its task has a worktree: where its files are, and what complete_task does with them. */
function worktreeWorkNote(task: Task): string | undefined {
  const wt = task.worktree;
  if (!wt) return undefined;
  return (
    `Work in ${wt.path}: a git worktree of the repository on branch ${wt.branch}, for this task alone. Edit files there, ` +
    `commit your work on that branch, then complete_task (it removes the worktree when nothing is uncommitted; the branch stays).` +
    (wt.note ? ` ${wt.note}` : '')
  );
}

/** A task out of attempts, told to an agent: another attempt is a person's decision (requeue_task with force when they say so). */
function exhaustedForAgent(task: Pick<Task, 'id' | 'attempt' | 'max_attempts'>): string {
  return (
    `${attemptsExhaustedText(task)}: whether it gets another is a person's decision. ` +
    'Claim other work (ready_tasks); requeue it with force: true only when the person you work for says so.'
  );
}
