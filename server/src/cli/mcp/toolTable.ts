// The board's MCP tools, as a table: each tool's name, what a model is told about it, its input
// schema (built from the contract's, toolInputs.ts) and the BoardTools call it makes.
// Descriptions are written for a model that has never heard of Runboard.
import type { McpServer, ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ShapeOutput, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { RUN_STATUSES } from '../../../../contract/statuses';
import { ownRecord } from '../../../../contract/schemas/params';
import type { BoardTools } from './boardTools';
import { commandId, leaseMs, leaseToken, runId, stepId, taskId, TaskInputShape } from './toolInputs';

interface ToolConfig<S extends ZodRawShapeCompat> {
  title: string;
  description: string;
  inputSchema: S;
  annotations?: ToolAnnotations;
}

type AddTool = (server: McpServer, t: BoardTools) => void;

/** One tool: registered on a server with the BoardTools its handler calls. */
function tool<S extends ZodRawShapeCompat>(
  name: string,
  config: ToolConfig<S>,
  run: (t: BoardTools, p: ShapeOutput<S>) => Promise<CallToolResult>,
): AddTool {
  // The SDK types a handler by a conditional type of its shape, which TypeScript cannot resolve for
  // a generic one; this signature already ties `run`'s params to `config.inputSchema`.
  return (server, t) => {
    const handler: ToolCallback<ZodRawShapeCompat> = (p) => run(t, p as ShapeOutput<S>);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed: it fixes registerTool's shape parameter
    server.registerTool(name, config as ToolConfig<ZodRawShapeCompat>, handler);
  };
}

/** What every lease tool takes. */
const leaseShape = { run_id: runId, task_id: taskId, lease_token: leaseToken, command_id: commandId };

const BOARD_TOOLS: AddTool[] = [
  tool(
    'list_runs',
    {
      title: 'List runs',
      description:
        'List the runs in this workspace, newest first. A run is a unit of work with an objective, a status, a plan and ' +
        "a task board that several agents share. Use get_run to see one run's board.",
      inputSchema: {
        status: z.enum(RUN_STATUSES).optional().describe('Only runs with this status.'),
        limit: z.number().int().optional().describe('At most this many runs (default 100).'),
      },
      annotations: { readOnlyHint: true },
    },
    (t, p) =>
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
  ),

  tool(
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
    (t, p) =>
      t.call(async () => {
        const { run } = await t.execute('createRun', { ...p, source_client: 'runboard-mcp' });
        const { tasks: _none, ...header } = run;
        return { run: header };
      }),
  ),

  tool(
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
    (t, p) => t.call(() => t.getRun(p.run_id)),
  ),

  tool(
    'create_tasks',
    {
      title: 'Add tasks to the board',
      description:
        "Add tasks to a run's board in one batch (all or nothing). Use depends_on_task_ids to order work: a task can " +
        'only be claimed once all its dependencies are done. Returns the created tasks.',
      inputSchema: {
        run_id: runId,
        tasks: z.array(TaskInputShape).min(1).describe('The tasks to create, in order.'),
        command_id: commandId,
      },
    },
    (t, p) =>
      t.call(async () => {
        const id = await t.runIdOr(p.run_id);
        return { run_id: id, ...(await t.execute('createTasks', { ...p, run_id: id })) };
      }),
  ),

  tool(
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
        agent_id: z.string().optional().describe("Who is claiming (default: this server's agent id)."),
        command_id: commandId,
      },
    },
    (t, p) => t.call(() => t.claim(p)),
  ),

  tool(
    'heartbeat_task',
    {
      title: 'Keep a lease alive',
      description:
        'Extend the lease on a task you claimed, so nobody else takes it while you work. Call it well before ' +
        'lease_expires_at_ms. An expired lease gives TASK_LEASE_EXPIRED: the task went back to the board; claim it again.',
      inputSchema: { ...leaseShape, lease_ms: leaseMs },
    },
    (t, p) => t.call(() => t.transition('heartbeat', p)),
  ),
  tool(
    'complete_task',
    {
      title: 'Finish a task',
      description:
        'Mark a task you claimed as done; tasks that depend on it become claimable. Record what you found or made with ' +
        'add_fact, add_decision or add_artifact.',
      inputSchema: leaseShape,
    },
    (t, p) => t.call(() => t.transition('complete', p)),
  ),
  tool(
    'fail_task',
    {
      title: 'Report a task as failed',
      description:
        'Mark a task you claimed as failed, with the reason. Each failure counts as an attempt; retry_task puts it back ' +
        'on the board while attempts remain.',
      inputSchema: { ...leaseShape, error: z.string().min(1).describe('What went wrong, for whoever tries next.') },
    },
    (t, p) => t.call(() => t.transition('fail', p)),
  ),
  tool(
    'release_task',
    {
      title: 'Give a task back',
      description: 'Give up a task you claimed without failing it: it goes back to the board for anyone to claim.',
      inputSchema: leaseShape,
    },
    (t, p) => t.call(() => t.transition('release', p)),
  ),
  tool(
    'retry_task',
    {
      title: 'Retry a failed task',
      description:
        'Put a failed (or blocked) task back on the board as runnable. Refused with TASK_ATTEMPTS_EXHAUSTED once it has ' +
        'failed max_attempts times.',
      inputSchema: { run_id: runId, task_id: taskId, command_id: commandId },
    },
    (t, p) => t.call(() => t.transition('retry', p)),
  ),

  tool(
    'append_event',
    {
      title: 'Record a run event',
      description:
        "Append an event to the run's log, e.g. step_started / step_completed / step_failed with step_id to move a plan " +
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
    (t, p) => t.call(() => t.appendEvent(p)),
  ),

  ...(
    [
      [
        'add_fact',
        'Record a fact',
        'a fact you established (something true about the code or the task), so other agents need not rediscover it',
      ],
      ['add_decision', 'Record a decision', 'a decision taken and why, so other agents follow it'],
      ['add_open_question', 'Record an open question', 'a question that needs an answer (from a person or another agent)'],
    ] as const
  ).map(([op, title, what]) =>
    tool(
      op,
      {
        title,
        description: `Add to the run's blackboard ${what}.`,
        inputSchema: {
          run_id: runId,
          text: z.string().min(1).describe('The text, one or two sentences.'),
          step_id: stepId,
          command_id: commandId,
        },
      },
      (t, p) =>
        t.call(() => t.patch(p.run_id, op, { text: p.text, ...(p.step_id !== undefined ? { step_id: p.step_id } : {}) }, p.command_id)),
    ),
  ),
  tool(
    'add_artifact',
    {
      title: 'Record an artifact',
      description: "Add to the run's blackboard a file you produced or changed, so people and agents can find it.",
      inputSchema: {
        run_id: runId,
        path: z.string().min(1).describe('Path of the file, relative to the workspace.'),
        artifact_type: z.string().min(1).describe('What it is: source, test, doc, report, patch …'),
        step_id: stepId,
        command_id: commandId,
      },
    },
    (t, p) =>
      t.call(() =>
        t.patch(
          p.run_id,
          'add_artifact',
          { path: p.path, artifact_type: p.artifact_type, ...(p.step_id !== undefined ? { step_id: p.step_id } : {}) },
          p.command_id,
        ),
      ),
  ),

  tool(
    'create_checkpoint',
    {
      title: 'Checkpoint the run',
      description: 'Save a snapshot of the run and its blackboard at this point, e.g. before a risky change; replay_run can start from it.',
      inputSchema: { run_id: runId, reason: z.string().min(1).describe('Why this checkpoint, in a few words.') },
    },
    (t, p) =>
      t.call(async () => {
        const { checkpoint } = await t.execute('createCheckpoint', { run_id: await t.runIdOr(p.run_id), reason: p.reason });
        return {
          checkpoint: {
            checkpoint_id: checkpoint.checkpoint_id,
            run_id: checkpoint.run_id,
            seq: checkpoint.seq,
            ts_ms: checkpoint.ts_ms,
            reason: checkpoint.reason,
          },
        };
      }),
  ),
  tool(
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
    (t, p) => t.call(() => t.replay(p)),
  ),
];

export function registerBoardTools(server: McpServer, t: BoardTools): void {
  for (const add of BOARD_TOOLS) add(server, t);
}
