// The board's MCP tools, as a table: each tool's name, what a model is told about it, its input
// schema (built from the contract's, toolInputs.ts) and the BoardTools call it makes.
// Descriptions are written for a model that has never heard of Runboard.
import { CORE_TOOLS, McpProfile } from './profiles';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { BoardTools } from './boardTools';
import { RUN_TOOLS } from './runTools';
import { DEFAULT_TASK_TYPE, taskInputFromLine } from '../../../../contract/taskLine';
import { commandId, leaseMs, leaseToken, runId, stepId, taskId, TaskInputShape } from './toolInputs';
import { AddTool, OUT, tool } from './toolKit';

/** What every lease tool takes. */
const leaseShape = { run_id: runId, task_id: taskId, lease_token: leaseToken, command_id: commandId };

const TASK_TOOLS: AddTool[] = [
  tool(
    'create_tasks',
    {
      title: 'Add tasks to the board',
      description:
        "Add tasks to a run's board in one batch (all or nothing). Use depends_on_task_ids to order work: a task can " +
        'only be claimed once all its dependencies are done. Returns the created tasks.',
      outputSchema: OUT.of({ tasks: OUT.items }),
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
    'add_task',
    {
      title: 'Add one task',
      description:
        "Add one task to a run's board, written like a to-do line: a title, and optionally what it waits for. Returns " +
        'the task (its id is what claim_task and depends_on_task_ids use).',
      outputSchema: OUT.task,
      inputSchema: {
        run_id: runId,
        title: z.string().min(1).describe('What the task is, in a line.'),
        description: z.string().optional().describe('More about the task, for whoever claims it.'),
        id: z.string().optional().describe('A task id of your choice (letters, digits, . _ -); default task-<uuid>.'),
        task_type: z.string().optional().describe(`Kind of work (default ${DEFAULT_TASK_TYPE}; implementation when target is given).`),
        target: z.string().optional().describe('The file the task writes, if any.'),
        priority: z.number().int().optional().describe('Higher is claimed first (default 0).'),
        after: z.array(z.string()).optional().describe('Ids of tasks that must be done before this one can be claimed.'),
        command_id: commandId,
      },
    },
    (t, p) =>
      t.call(async () => {
        const id = await t.runIdOr(p.run_id);
        const input = taskInputFromLine({ ...p, type: p.task_type });
        const { tasks, ...rest } = await t.execute('createTasks', { run_id: id, tasks: [input], command_id: p.command_id });
        return { run_id: id, task: tasks[0], ...rest };
      }),
  ),

  tool(
    'ready_tasks',
    {
      title: 'Tasks ready to claim',
      description: 'The tasks claim_task would take now, in the order it takes them (priority, then age), with why none is when none is.',
      outputSchema: OUT.of({ tasks: OUT.items }),
      inputSchema: { run_id: runId },
      annotations: { readOnlyHint: true },
    },
    (t, p) => t.call(() => t.readyTasks(p.run_id)),
  ),

  tool(
    'claim_task',
    {
      title: 'Claim a task',
      description:
        'Take the next task (priority, then age; dependencies done), or task_id. It is yours while its lease lasts: ' +
        'heartbeat_task before it ends, then complete_task or fail_task (tokens are remembered here). task: null ' +
        'with the reason when nothing is claimable.',
      outputSchema: OUT.of({ task: OUT.item.nullable() }),
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
      outputSchema: OUT.task,
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
      outputSchema: OUT.task,
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
      outputSchema: OUT.task,
      inputSchema: { ...leaseShape, error: z.string().min(1).describe('What went wrong, for whoever tries next.') },
    },
    (t, p) => t.call(() => t.transition('fail', p)),
  ),
  tool(
    'release_task',
    {
      title: 'Give a task back',
      description: 'Give up a task you claimed without failing it: it goes back to the board for anyone to claim.',
      outputSchema: OUT.task,
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
      outputSchema: OUT.task,
      inputSchema: { run_id: runId, task_id: taskId, command_id: commandId },
    },
    (t, p) => t.call(() => t.transition('retry', p)),
  ),
  tool(
    'requeue_task',
    {
      title: 'Put a task back on the board',
      description:
        'Make a task claimable again (any status but done), e.g. one whose agent stopped answering. A task another ' +
        "agent holds needs force: its holder's next call is refused, told the lease was revoked by you.",
      outputSchema: OUT.task,
      inputSchema: {
        run_id: runId,
        task_id: taskId,
        reason: z.string().optional().describe('Why, for the holder and whoever claims it next.'),
        force: z.boolean().optional().describe("Also take it from another agent's live lease."),
        command_id: commandId,
      },
    },
    (t, p) =>
      t.call(async () => {
        const id = await t.runIdOr(p.run_id);
        return { run_id: id, ...(await t.execute('requeueTask', { ...p, run_id: id, agent_id: t.agent })) };
      }),
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
        outputSchema: OUT.patch,
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
      outputSchema: OUT.patch,
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
];

export function registerBoardTools(server: McpServer, t: BoardTools, profile: McpProfile = 'all'): void {
  for (const add of [...RUN_TOOLS, ...TASK_TOOLS]) if (profile === 'all' || CORE_TOOLS.has(add.name)) add.register(server, t);
}
