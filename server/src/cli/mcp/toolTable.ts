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
      description: 'Add tasks in one batch (all or nothing); depends_on_task_ids orders the work.',
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
      description: 'Add one task, like a to-do line: a title, and what it waits for.',
      outputSchema: OUT.task,
      inputSchema: {
        run_id: runId,
        title: z.string().min(1).describe('What the task is, in a line.'),
        description: z.string().optional().describe('More about the task, for whoever claims it.'),
        id: z.string().optional().describe('Default: generated.'),
        task_type: z.string().optional().describe(`Kind of work (default ${DEFAULT_TASK_TYPE}; implementation when target is given).`),
        target: z.string().optional().describe('The file the task writes, if any.'),
        priority: z.number().int().optional().describe('Higher is claimed first (default 0).'),
        after: z.array(z.string()).optional().describe('Claimable once these are done.'),
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
    'edit_task',
    {
      title: 'Edit a task',
      description: 'Change a task: title, description, priority, what it waits for, labels. One you do not hold needs force.',
      outputSchema: OUT.task,
      inputSchema: {
        run_id: runId,
        task_id: taskId,
        title: z.string().optional().describe('New title.'),
        description: z.string().optional().describe('New description.'),
        priority: z.number().int().optional().describe('Higher first.'),
        after: z.array(z.string()).optional().describe('What it waits for (replaces).'),
        labels: z.array(z.string()).optional().describe('Its labels (replaces).'),
        force: z.boolean().optional().describe("Edit another agent's task."),
        command_id: commandId,
      },
    },
    (t, p) =>
      t.call(async () => {
        const id = await t.runIdOr(p.run_id);
        const { after, ...rest } = p;
        const token = t.leases.tokenFor(id, p.task_id);
        return {
          run_id: id,
          ...(await t.execute('editTask', {
            ...rest,
            run_id: id,
            agent_id: t.agent,
            ...(after !== undefined ? { depends_on_task_ids: after } : {}),
            ...(token !== undefined ? { lease_token: token } : {}),
          })),
        };
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
        'Extend your lease before lease_expires_at. Once it ends the task goes back to the board (TASK_LEASE_EXPIRED: claim again).',
      outputSchema: OUT.task,
      inputSchema: { ...leaseShape, lease_ms: leaseMs },
    },
    (t, p) => t.call(() => t.transition('heartbeat', p)),
  ),
  tool(
    'complete_task',
    {
      title: 'Finish a task',
      description: 'Mark your task done; its dependents become claimable. Record findings with add_fact or add_artifact.',
      outputSchema: OUT.task,
      inputSchema: leaseShape,
    },
    (t, p) => t.call(() => t.transition('complete', p)),
  ),
  tool(
    'fail_task',
    {
      title: 'Report a task as failed',
      description: 'Mark your task failed, with the reason; it counts as an attempt.',
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
      description: 'Put a failed or blocked task back on the board, while attempts remain.',
      outputSchema: OUT.task,
      inputSchema: { run_id: runId, task_id: taskId, command_id: commandId },
    },
    (t, p) => t.call(() => t.transition('retry', p)),
  ),
  tool(
    'requeue_task',
    {
      title: 'Put a task back on the board',
      description: "Make a task claimable again (not a done one). Another agent's needs force; that agent is told you revoked it.",
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
