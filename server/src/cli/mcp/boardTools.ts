// The board as MCP tools: one tool per thing an agent does, each a thin call of the RunStore
// facade (same validation, errors and results as the protocol). Descriptions are written for a
// model that has never heard of Runboard.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { RunRecord, Task } from '../../../../contract/schemas/records';
import { InputOf, ownRecord, StoreMethod, TaskInput, TransitionAction } from '../../../../contract/schemas/params';
import { StoreResults } from '../../../../contract/results';
import { RunStore } from '../../store/runStore';
import { summarizeBoard } from '../boardSummary';
import { chooseRun } from '../runChoice';
import { LeaseBook } from './leaseBook';
import { toolError, toolResult, ToolRejection } from './toolResults';
import { CREATABLE_TASK_STATUSES, RUN_STATUSES } from '../../../../contract/statuses';
import { LEASE } from '../../../../contract/limits';

/** Models think slowly between calls, so MCP leases default to 2 minutes (protocol max 5). */
export const MCP_DEFAULT_LEASE_MS = 120_000;

const runId = z
  .string()
  .optional()
  .describe('The run id. Omit it when the workspace has exactly one open run (list_runs shows them).');
const taskId = z.string().describe('The task id, as shown by get_run or returned by claim_task.');
const leaseToken = z
  .string()
  .optional()
  .describe('Only needed for a lease this session did not obtain itself; claim_task tokens are remembered.');
const commandId = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe('Optional idempotency key: repeating a call with the same command_id returns the first result and changes nothing.');
const stepId = z.string().optional().describe('The plan step this belongs to (e.g. "step-2"), if any.');
const leaseMs = z
  .number()
  .int()
  .optional()
  .describe(`How long the lease lasts from now, in ms (default ${MCP_DEFAULT_LEASE_MS}; clamped to ${LEASE.minMs}..${LEASE.maxMs}).`);

/** The contract's TaskInput, each field described for a model (the checks are the contract's). */
const taskField = TaskInput.shape;
const TaskInputShape = z.object({
  id: taskField.id.describe('Task id (letters, digits, . _ -). Omit to generate one.'),
  task_type: taskField.task_type.describe('Kind of work: implementation, inspection, research, validation, fix_proposal, or your own word.'),
  payload: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'What to do, as a JSON object, e.g. {"title": "...", "description": "..."}. An implementation task needs ' +
        '{"output_target": {"path": "file it writes"}}.',
    ),
  status: z.enum(CREATABLE_TASK_STATUSES).optional().describe('Initial status (default pending, which is claimable).'),
  depends_on_task_ids: taskField.depends_on_task_ids.describe('Tasks that must be done before this one can be claimed.'),
  decision_ids: taskField.decision_ids.describe('Blackboard decisions this task follows from.'),
  artifact_ids: taskField.artifact_ids.describe('Blackboard artifacts this task uses.'),
  priority: taskField.priority.describe('Higher is claimed first (default 0).'),
  max_attempts: taskField.max_attempts.describe('How many failures are allowed before retry is refused (default 3).'),
  workflow_id: taskField.workflow_id,
  workflow_node_id: taskField.workflow_node_id,
  parent_task_id: taskField.parent_task_id,
}) satisfies z.ZodType<TaskInput>;

export interface BoardToolsOptions {
  store: RunStore;
  root: string;
  agent: string;
}

export class BoardTools {
  readonly leases = new LeaseBook();

  constructor(private readonly o: BoardToolsOptions) {}

  private execute<M extends StoreMethod>(method: M, params: InputOf<M>): Promise<StoreResults[M]> {
    return this.o.store.execute(method, params);
  }

  /** The named run, else the workspace's only open run (or the one holding `token`). */
  async runIdOr(given: string | undefined, token?: string): Promise<string> {
    if (given !== undefined && given.trim() !== '') return given;
    const { runs } = await this.execute('listRuns', { limit: 1000 });
    const choice = chooseRun(runs, this.o.root, token, 'the run_id argument');
    if ('code' in choice) throw new ToolRejection(choice.code, choice.message);
    return choice.run_id;
  }

  /** Runs a tool body; every failure becomes a tool error carrying its code. */
  async call(body: () => Promise<Record<string, unknown>>): Promise<CallToolResult> {
    try {
      return toolResult(await body());
    } catch (e) {
      return toolError(e);
    }
  }

  async getRun(run_id: string | undefined) {
    const id = await this.runIdOr(run_id);
    const { run, blackboard, damage } = await this.execute('getRun', { run_id: id });
    const { tasks, ...header } = run;
    const { tasks: _same, ...board } = blackboard;
    return {
      // A damaged log is read-only: the model must know why its writes will be refused.
      ...(damage ? { damage, read_only: 'The run\'s log has lines that cannot be folded; a person runs `runboard repair` to resume writes.' } : {}),
      run: header,
      board: { ...summarizeBoard(run, blackboard), leases_held_by_this_session: this.leases.tasksOf(id) },
      tasks,
      blackboard: board,
    };
  }

  async claim(p: { run_id?: string; task_id?: string; task_type?: string; workflow_id?: string; lease_ms?: number; agent_id?: string; command_id?: string }) {
    const id = await this.runIdOr(p.run_id);
    const result = await this.execute('claimTask', {
      run_id: id,
      agent_id: p.agent_id ?? this.o.agent,
      task_id: p.task_id,
      task_type: p.task_type,
      workflow_id: p.workflow_id,
      lease_ms: p.lease_ms ?? MCP_DEFAULT_LEASE_MS,
      command_id: p.command_id,
    });
    if (result.task?.lease_token) this.leases.remember(id, result.task.id, result.task.lease_token);
    return { run_id: id, ...result, ...(result.task ? {} : { note: 'Nothing is claimable right now. get_run shows why (dependencies, leases, all done).' }) };
  }

  async transition(
    action: TransitionAction,
    p: { run_id?: string; task_id: string; lease_token?: string; error?: string; lease_ms?: number; command_id?: string },
  ) {
    const id = await this.runIdOr(p.run_id, p.lease_token);
    const token = p.lease_token ?? this.leases.tokenFor(id, p.task_id);
    const result = await this.execute('transitionTask', {
      run_id: id,
      task_id: p.task_id,
      action,
      agent_id: this.o.agent,
      ...(token !== undefined ? { lease_token: token } : {}),
      ...(p.error !== undefined ? { error: p.error } : {}),
      ...(action === 'heartbeat' ? { lease_ms: p.lease_ms ?? MCP_DEFAULT_LEASE_MS } : {}),
      command_id: p.command_id,
    });
    if (result.task.status !== 'in_progress') this.leases.forget(id, p.task_id);
    else if (result.task.lease_token) this.leases.remember(id, p.task_id, result.task.lease_token);
    return { run_id: id, ...result };
  }

  async patch(run_id: string | undefined, op: 'add_fact' | 'add_decision' | 'add_open_question' | 'add_artifact', payload: object, command_id?: string) {
    const id = await this.runIdOr(run_id);
    const result = await this.execute('patchBlackboard', { run_id: id, op, payload, command_id });
    // The whole blackboard is in get_run; here the model needs to know what was added.
    return { run_id: id, patch: result.patch, blackboard_revision: result.blackboard.revision, ...('deduped' in result ? { deduped: true } : {}) };
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

  // ---------------------------------------------------------------- registration

  register(server: McpServer): void {
    const t = this;
    server.registerTool(
      'list_runs',
      {
        title: 'List runs',
        description:
          'List the runs in this workspace, newest first. A run is a unit of work with an objective, a status, a plan and ' +
          'a task board that several agents share. Use get_run to see one run\'s board.',
        inputSchema: {
          status: z.enum(RUN_STATUSES).optional().describe('Only runs with this status.'),
          limit: z.number().int().optional().describe('At most this many runs (default 100).'),
        },
        annotations: { readOnlyHint: true },
      },
      (p) =>
        t.call(async () => {
          const { runs, unreadable } = await t.execute('listRuns', p);
          return {
            ...(unreadable ? { unreadable } : {}),
            runs: runs.map(({ tasks, steps: _s, ...r }) => ({
              run_id: r.run_id,
              status: r.status,
              objective: r.objective,
              why_next_step: r.why_next_step,
              updated_at_ms: r.updated_at_ms,
              tasks_total: tasks.length,
              tasks_done: tasks.filter((x) => x.status === 'done').length,
            })),
          };
        }),
    );

    server.registerTool(
      'create_run',
      {
        title: 'Start a run',
        description:
          'Start a new run in this workspace: a unit of work with an objective (one plan step per line) and an empty task ' +
          'board. Use it when list_runs shows no open run for your work; then add tasks with create_tasks.',
        inputSchema: {
          objective: z.string().min(1).describe('What the run is for. Several lines become the plan steps.'),
          run_id: z.string().optional().describe('An id of your choice (letters, digits, . _ -); default run-<uuid>.'),
          run_type: z.string().optional().describe('A label for the kind of run (default "interactive").'),
        },
      },
      (p) =>
        t.call(async () => {
          const { run } = await t.execute('createRun', { ...p, source_client: 'runboard-mcp' });
          const { tasks: _none, ...header } = run;
          return { run: header };
        }),
    );

    server.registerTool(
      'get_run',
      {
        title: 'Get a run and its board',
        description:
          'Show one run: its objective, status, plan steps, every task (status, dependencies, payload, lease), a board ' +
          'summary (tasks per status, the task ids claimable right now in claim order, the live leases and which of ' +
          'them this session holds, tasks whose lease ran out) and the blackboard (facts, decisions, open questions, ' +
          'artifacts). Start here.',
        inputSchema: { run_id: runId },
        annotations: { readOnlyHint: true },
      },
      (p) => t.call(() => t.getRun(p.run_id)),
    );

    server.registerTool(
      'create_tasks',
      {
        title: 'Add tasks to the board',
        description:
          'Add tasks to a run\'s board in one batch (all or nothing). Use depends_on_task_ids to order work: a task can ' +
          'only be claimed once all its dependencies are done. Returns the created tasks.',
        inputSchema: { run_id: runId, tasks: z.array(TaskInputShape).min(1).describe('The tasks to create, in order.'), command_id: commandId },
      },
      (p) =>
        t.call(async () => {
          const id = await t.runIdOr(p.run_id);
          return { run_id: id, ...(await t.execute('createTasks', { ...p, run_id: id })) };
        }),
    );

    server.registerTool(
      'claim_task',
      {
        title: 'Claim a task',
        description:
          'Take the next task you may work on (highest priority, oldest first, dependencies done), or a specific one ' +
          'with task_id. You get the task with its payload and a lease: while it lasts the task is yours alone. Call ' +
          'heartbeat_task before the lease runs out, then complete_task or fail_task. The lease token is remembered by ' +
          'this server. Returns task: null when nothing is claimable now.',
        inputSchema: {
          run_id: runId,
          task_id: z.string().optional().describe('Claim this task only (null when it is not claimable now).'),
          task_type: z.string().optional().describe('Only tasks of this type.'),
          workflow_id: z.string().optional().describe('Only tasks of this workflow.'),
          lease_ms: leaseMs,
          agent_id: z.string().optional().describe('Who is claiming (default: this server\'s agent id).'),
          command_id: commandId,
        },
      },
      (p) => t.call(() => t.claim(p)),
    );

    const leaseShape = { run_id: runId, task_id: taskId, lease_token: leaseToken, command_id: commandId };
    server.registerTool(
      'heartbeat_task',
      {
        title: 'Keep a lease alive',
        description:
          'Extend the lease on a task you claimed, so nobody else takes it while you work. Call it well before ' +
          'lease_expires_at_ms. An expired lease gives TASK_LEASE_EXPIRED: the task went back to the board; claim it again.',
        inputSchema: { ...leaseShape, lease_ms: leaseMs },
      },
      (p) => t.call(() => t.transition('heartbeat', p)),
    );
    server.registerTool(
      'complete_task',
      {
        title: 'Finish a task',
        description:
          'Mark a task you claimed as done; tasks that depend on it become claimable. Record what you found or made with ' +
          'add_fact, add_decision or add_artifact.',
        inputSchema: leaseShape,
      },
      (p) => t.call(() => t.transition('complete', p)),
    );
    server.registerTool(
      'fail_task',
      {
        title: 'Report a task as failed',
        description:
          'Mark a task you claimed as failed, with the reason. Each failure counts as an attempt; retry_task puts it back ' +
          'on the board while attempts remain.',
        inputSchema: { ...leaseShape, error: z.string().min(1).describe('What went wrong, for whoever tries next.') },
      },
      (p) => t.call(() => t.transition('fail', p)),
    );
    server.registerTool(
      'release_task',
      {
        title: 'Give a task back',
        description: 'Give up a task you claimed without failing it: it goes back to the board for anyone to claim.',
        inputSchema: leaseShape,
      },
      (p) => t.call(() => t.transition('release', p)),
    );
    server.registerTool(
      'retry_task',
      {
        title: 'Retry a failed task',
        description:
          'Put a failed (or blocked) task back on the board as runnable. Refused with TASK_ATTEMPTS_EXHAUSTED once it has ' +
          'failed max_attempts times.',
        inputSchema: { run_id: runId, task_id: taskId, command_id: commandId },
      },
      (p) => t.call(() => t.transition('retry', p)),
    );

    server.registerTool(
      'append_event',
      {
        title: 'Record a run event',
        description:
          'Append an event to the run\'s log, e.g. step_started / step_completed / step_failed with step_id to move a plan ' +
          'step, or session_run_finished with status "completed" to finish the run. Task and context.* events are written ' +
          'by their own tools.',
        inputSchema: {
          run_id: runId,
          type: z.string().min(1).describe('Event type, e.g. step_started, step_completed, step_failed, session_run_finished.'),
          status: z.enum(RUN_STATUSES).optional().describe("The run status the event declares (default: the run's current status)."),
          step_id: stepId,
          payload: ownRecord(z.unknown()).optional().describe('Event details, e.g. {"why_next_step": "..."} or {"error": "..."}.'),
          command_id: commandId,
        },
      },
      (p) => t.call(() => t.appendEvent(p)),
    );

    const itemShape = { run_id: runId, text: z.string().min(1), step_id: stepId, command_id: commandId };
    for (const [name, op, title, what] of [
      ['add_fact', 'add_fact', 'Record a fact', 'a fact you established (something true about the code or the task), so other agents need not rediscover it'],
      ['add_decision', 'add_decision', 'Record a decision', 'a decision taken and why, so other agents follow it'],
      ['add_open_question', 'add_open_question', 'Record an open question', 'a question that needs an answer (from a person or another agent)'],
    ] as const) {
      server.registerTool(
        name,
        { title, description: `Add to the run's blackboard ${what}.`, inputSchema: { ...itemShape, text: z.string().min(1).describe('The text, one or two sentences.') } },
        (p) => t.call(() => t.patch(p.run_id, op, { text: p.text, ...(p.step_id !== undefined ? { step_id: p.step_id } : {}) }, p.command_id)),
      );
    }
    server.registerTool(
      'add_artifact',
      {
        title: 'Record an artifact',
        description: 'Add to the run\'s blackboard a file you produced or changed, so people and agents can find it.',
        inputSchema: {
          run_id: runId,
          path: z.string().min(1).describe('Path of the file, relative to the workspace.'),
          artifact_type: z.string().min(1).describe('What it is: source, test, doc, report, patch …'),
          step_id: stepId,
          command_id: commandId,
        },
      },
      (p) =>
        t.call(() =>
          t.patch(p.run_id, 'add_artifact', { path: p.path, artifact_type: p.artifact_type, ...(p.step_id !== undefined ? { step_id: p.step_id } : {}) }, p.command_id),
        ),
    );

    server.registerTool(
      'create_checkpoint',
      {
        title: 'Checkpoint the run',
        description: 'Save a snapshot of the run and its blackboard at this point, e.g. before a risky change; replay_run can start from it.',
        inputSchema: { run_id: runId, reason: z.string().min(1).describe('Why this checkpoint, in a few words.') },
      },
      (p) =>
        t.call(async () => {
          const { checkpoint } = await t.execute('createCheckpoint', { run_id: await t.runIdOr(p.run_id), reason: p.reason });
          return { checkpoint: { checkpoint_id: checkpoint.checkpoint_id, run_id: checkpoint.run_id, seq: checkpoint.seq, ts_ms: checkpoint.ts_ms, reason: checkpoint.reason } };
        }),
    );
    server.registerTool(
      'replay_run',
      {
        title: 'Replay a run and check for drift',
        description:
          'Rebuild the run from its event log (from the latest checkpoint, a named one, or from scratch) and compare it ' +
          'with the stored state. drift.mismatch is false for a healthy run replayed to its end; replayed to an earlier ' +
          'upto_seq, the flags show what changed since.',
        inputSchema: {
          run_id: runId,
          upto_seq: z.number().int().optional().describe('Replay up to this event seq (default: the last).'),
          from_scratch: z.boolean().optional().describe('Ignore checkpoints and replay from the first event.'),
          checkpoint_id: z.string().optional().describe('Start from this checkpoint.'),
        },
        annotations: { readOnlyHint: true },
      },
      (p) => t.call(() => t.replay(p)),
    );
  }
}
