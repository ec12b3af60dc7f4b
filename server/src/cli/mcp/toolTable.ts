// The board's MCP tools, as a table: each tool's name, what a model is told about it, its input
// schema (built from the contract's, toolInputs.ts) and the BoardTools call it makes.
// Descriptions are written for a model that has never heard of Runboard.
import { CORE_TOOLS, McpProfile } from './profiles';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { BoardTools } from './boardTools';
import { RUN_TOOLS } from './runTools';
import { DEFAULT_TASK_TYPE, taskInputFromLine } from '../../../../contract/taskLine';
import { EditTaskParams, TaskInput } from '../../../../contract/schemas/params';
import { commandId, heartbeatLeaseMs, leaseMs, leaseToken, runId, saidText, stepId, taskId, TaskInputShape } from './toolInputs';
import { QUESTION_ACTIONS, questionPatch } from './questionPatch';
import { AddTool, OUT, tool } from './toolKit';
import { ToolRejection } from './toolResults';
import { INVALID_PARAMS } from '../../../../contract/errors';

/** What every lease tool takes. */
const leaseShape = { run_id: runId, task_id: taskId, lease_token: leaseToken, command_id: commandId };
/** What edit_task changes (at least one is given), beside what names the task and the call. */
const EDIT_CHANGES = {
  title: z.string().optional().describe('New title.'),
  description: z.string().optional().describe('New description.'),
  priority: EditTaskParams.shape.priority.describe('Higher first.'),
  after: z.array(z.string()).optional().describe('What it waits for (replaces).'),
  labels: z.array(z.string()).optional().describe('Its labels (replaces).'),
};
const EDIT_FIELDS = Object.keys(EDIT_CHANGES) as (keyof typeof EDIT_CHANGES)[];

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
        title: saidText.describe('What the task is, in a line.'),
        description: z.string().optional().describe('More about the task, for whoever claims it.'),
        id: z.string().optional().describe('Default: generated.'),
        task_type: z.string().optional().describe(`Kind of work (default ${DEFAULT_TASK_TYPE}; implementation when target is given).`),
        target: z.string().optional().describe('The file the task writes, if any.'),
        priority: TaskInput.shape.priority.describe('Higher is claimed first (default 0).'),
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
      description: "Change a task's title, description, priority, dependencies or labels. Another agent's needs force.",
      outputSchema: OUT.task,
      inputSchema: {
        run_id: runId,
        task_id: taskId,
        ...EDIT_CHANGES,
        force: z.boolean().optional().describe("Edit another agent's task."),
        command_id: commandId,
      },
    },
    (t, p) =>
      t.call(async () => {
        const { after, ...rest } = p;
        // As the CLI's `tasks edit`: an edit that names nothing to change is a mistake, not "Nothing changed".
        if (EDIT_FIELDS.every((f) => p[f] === undefined)) {
          throw new ToolRejection(INVALID_PARAMS, `Say what to change: ${EDIT_FIELDS.join(', ')}.`);
        }
        const id = await t.runIdOr(p.run_id);
        const token = t.leases.tokenFor(id, p.task_id);
        const result = await t.execute('editTask', {
          ...rest,
          run_id: id,
          agent_id: t.agent,
          ...(after !== undefined ? { depends_on_task_ids: after } : {}),
          ...(token !== undefined ? { lease_token: token } : {}),
        });
        return {
          run_id: id,
          ...result,
          ...(result.unchanged ? { note: 'Nothing changed: the task already had what was given; nothing was written.' } : {}),
        };
      }),
  ),

  tool(
    'ready_tasks',
    {
      title: 'Tasks ready to claim',
      description: 'The tasks claim_task would take now, in its order (priority, then age); if none, why.',
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
        'Take the next task (priority, then age; dependencies done), or task_id. Yours while its lease lasts: ' +
        'heartbeat_task before it ends, then complete_task or fail_task. task: null and why if none is.',
      outputSchema: OUT.of({ task: OUT.item.nullable() }),
      inputSchema: {
        run_id: runId,
        task_id: z.string().optional().describe('Only this task.'),
        task_type: z.string().optional().describe('Only tasks of this type.'),
        workflow_id: z.string().optional().describe('Only tasks of this workflow.'),
        lease_ms: leaseMs,
        agent_id: z.string().optional().describe("Default: this server's agent id."),
        worktree: z.boolean().optional().describe('Work in a git worktree of its own (path in note).'),
        command_id: commandId,
      },
    },
    (t, p) => t.call(() => t.claim(p)),
  ),

  tool(
    'heartbeat_task',
    {
      title: 'Keep a lease alive',
      description: 'Extend your lease before lease_expires_at, or the task goes back to the board.',
      outputSchema: OUT.task,
      inputSchema: { ...leaseShape, lease_ms: heartbeatLeaseMs },
    },
    (t, p) => t.call(() => t.transition('heartbeat', p)),
  ),
  tool(
    'complete_task',
    {
      title: 'Finish a task',
      description:
        'Mark your task done; its dependents become claimable. A task worked in a worktree: commit your changes there first (WORKTREE_UNCOMMITTED otherwise).',
      outputSchema: OUT.task,
      inputSchema: {
        ...leaseShape,
        result: z.string().optional().describe('What the work produced, kept on the task.'),
        force: z
          .boolean()
          .optional()
          .describe("Complete it although its worktree holds uncommitted changes (they stay in the kept worktree, off the task's branch)."),
      },
    },
    (t, p) => t.call(() => t.transition('complete', p)),
  ),
  tool(
    'fail_task',
    {
      title: 'Fail a task',
      description:
        'Mark your task failed, with the reason; it counts as an attempt. It stays failed, and the tasks after it wait, until someone retries it; to let another agent try instead, release it rather than fail it.',
      outputSchema: OUT.task,
      inputSchema: { ...leaseShape, error: saidText.describe('What went wrong, for whoever tries next.') },
    },
    (t, p) => t.call(() => t.transition('fail', p)),
  ),
  tool(
    'release_task',
    {
      title: 'Give a task back',
      description: 'Give back a task you claimed, without failing it: anyone may claim it again.',
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
      title: 'Requeue a task',
      description: "Make a task claimable again (not a done one); a cancelled one is reopened. Another agent's needs force; it is told.",
      outputSchema: OUT.of({ task: OUT.item, reopened: z.array(z.string()).optional() }),
      inputSchema: {
        run_id: runId,
        task_id: taskId,
        reason: z.string().optional().describe('Why, for the holder and whoever claims it next.'),
        force: z
          .boolean()
          .optional()
          .describe(
            "Also take it from another agent's live lease, or give a failed task whose attempts are used up one more (a person's decision: only when told).",
          ),
        cascade: z.boolean().optional().describe('Also reopen the tasks its cancel (with cascade) took along.'),
        command_id: commandId,
      },
    },
    (t, p) => t.call(() => t.requeue(p)),
  ),

  tool(
    'cancel_task',
    {
      title: 'Cancel a task',
      description:
        'Withdraw a task no longer needed (a requeue reopens it). Tasks waiting on it then need a person, unless ' +
        "cascade. Another agent's needs force; it is told.",
      outputSchema: OUT.of({ task: OUT.item, cancelled: OUT.items }),
      inputSchema: {
        run_id: runId,
        task_id: taskId,
        reason: z.string().optional().describe('Why, for the board and the holder.'),
        cascade: z.boolean().optional().describe('Also cancel the tasks that wait on it.'),
        force: z.boolean().optional().describe("Cancel another agent's task."),
        command_id: commandId,
      },
    },
    (t, p) => t.call(() => t.cancel(p)),
  ),

  ...(
    [
      ['add_fact', 'Record a fact', 'a fact you established, so other agents need not rediscover it'],
      ['add_decision', 'Record a decision', 'a decision taken and why, so other agents follow it'],
      ['add_open_question', 'Record an open question', 'a question that needs an answer (from a person or another agent)'],
    ] as const
  ).map(([op, title, what]) =>
    tool(
      op,
      {
        title,
        description: `Record on the blackboard ${what}.`,
        outputSchema: OUT.patch,
        inputSchema: {
          run_id: runId,
          text: saidText.describe('One or two sentences.'),
          step_id: stepId,
          ...(op === 'add_decision' ? { supersedes: z.string().optional().describe('Id of a decision this one replaces.') } : {}),
          command_id: commandId,
        },
      },
      (t, p) => {
        const item = { text: p.text, ...(p.step_id !== undefined ? { step_id: p.step_id } : {}) };
        // A decision that replaces another is the same act as recording one: the engine links the two.
        if ('supersedes' in p && p.supersedes !== undefined) {
          return t.call(() => t.patch(p.run_id, 'supersede_decision', { ...item, decision_id: p.supersedes, by: t.agent }, p.command_id));
        }
        return t.call(() => t.patch(p.run_id, op, item, p.command_id));
      },
    ),
  ),
  tool(
    'answer_question',
    {
      title: 'Answer a question',
      description:
        'Close an open question (get_run lists them with ids) with your answer. action resolve closes it without one ' +
        '(it no longer matters); reopen opens a closed one again.',
      outputSchema: OUT.patch,
      inputSchema: {
        run_id: runId,
        question_id: z.string().describe('The question id.'),
        text: saidText.describe('The answer; to resolve or reopen, why.'),
        decision: z.string().optional().describe('The decision the answer makes, recorded too.'),
        action: z.enum(QUESTION_ACTIONS).optional().describe('Default answer.'),
        command_id: commandId,
      },
    },
    (t, p) => t.call(() => t.patch(p.run_id, ...questionPatch(p, t.agent), p.command_id)),
  ),
  tool(
    'add_artifact',
    {
      title: 'Record an artifact',
      description: 'Record on the blackboard a file you produced or changed, so people and agents can find it.',
      outputSchema: OUT.patch,
      inputSchema: {
        run_id: runId,
        path: z.string().min(1).describe('Relative to the workspace.'),
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
