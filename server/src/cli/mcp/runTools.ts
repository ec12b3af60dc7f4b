// The MCP tools about runs: list, start, read, finish, record events, checkpoint and replay.
// Descriptions are written for a model that has never heard of Runboard.
import { z } from 'zod';
import { RUN_STATUSES } from '../../../../contract/statuses';
import { ListRunsParams, ownRecord } from '../../../../contract/schemas/params';
import { stepsFromObjective } from '../../../../contract/planSteps';
import { commandId, runId, stepId } from './toolInputs';
import { AddTool, OUT, tool } from './toolKit';

/** A checkpoint's reason when the model gives none (the CLI's is "checkpoint from the CLI"). */
const MCP_CHECKPOINT = 'checkpoint from MCP';

export const RUN_TOOLS: AddTool[] = [
  tool(
    'list_runs',
    {
      title: 'List runs',
      description: "This workspace's runs, newest first. A run: an objective, a plan and a task board agents share.",
      outputSchema: OUT.of({ runs: OUT.items }),
      inputSchema: {
        status: z.enum(RUN_STATUSES).optional().describe('Only runs with this status.'),
        limit: ListRunsParams.shape.limit.describe('At most this many (default 100).'),
      },
      annotations: { readOnlyHint: true },
    },
    (t, p) =>
      t.call(async () => {
        const { runs, unreadable } = await t.execute('listRuns', p);
        return {
          ...(unreadable ? { unreadable } : {}),
          // An empty list is left out of a model's result: the note says what it means.
          ...(runs.length === 0 ? { note: p.status ? `No ${p.status} run.` : 'No run yet: create_run starts one.' } : {}),
          runs: runs.map(({ tasks, steps: _s, ...r }) => ({
            run_id: r.run_id,
            status: r.status,
            objective: r.objective,
            why_next_step: r.why_next_step,
            updated_at_ms: r.updated_at_ms,
            tasks_total: tasks.length,
            tasks_done: tasks.filter((x) => x.status === 'done').length,
            tasks_cancelled: tasks.filter((x) => x.status === 'cancelled').length || undefined,
          })),
        };
      }),
  ),

  tool(
    'create_run',
    {
      title: 'Start a run',
      description: 'Start a run when no open run fits your work; then add tasks (add_task, create_tasks).',
      outputSchema: OUT.of({ run: OUT.item }),
      inputSchema: {
        objective: z.string().min(1).describe('What the run is for; several lines become plan steps, one each.'),
        auto_finish: z.boolean().optional().describe('Complete the run when its last open task is.'),
        run_id: z.string().optional().describe('An id of your choice (letters, digits, . _ -); default run-<uuid>.'),
        run_type: z.string().optional().describe('Kind of run (default "interactive").'),
      },
    },
    (t, p) =>
      t.call(async () => {
        const steps = stepsFromObjective(p.objective);
        const { run } = await t.execute('createRun', { ...p, ...(steps.length > 0 ? { steps } : {}), source_client: 'runboard-mcp' });
        const { tasks: _none, ...header } = run;
        return { run: header };
      }),
  ),

  tool(
    'get_run',
    {
      title: 'Get a run and its board',
      description: "Start here: a run's objective, status, steps, tasks (no payloads: claim_task gives those), board and blackboard.",
      outputSchema: OUT.of({ run: OUT.item, board: OUT.item, tasks: OUT.items }),
      inputSchema: { run_id: runId },
      annotations: { readOnlyHint: true },
    },
    (t, p) => t.call(() => t.getRun(p.run_id)),
  ),

  ...(
    [
      [
        'complete_run',
        'Complete the run',
        'completed',
        'Mark the run completed. Refused while tasks are in progress, unless force; pending tasks stay. Nothing is ' +
          'claimable afterwards.',
      ],
      ['fail_run', 'Fail the run', 'failed', 'Mark the run failed: it cannot reach its objective. Nothing is claimable afterwards.'],
    ] as const
  ).map(([name, title, status, description]) =>
    tool(
      name,
      {
        title,
        description,
        outputSchema: OUT.runEvent,
        inputSchema: {
          run_id: runId,
          reason: z.string().optional().describe('Why (kept in the run).'),
          ...(status === 'completed' ? { force: z.boolean().optional().describe('Even with tasks in progress.') } : {}),
          command_id: commandId,
        },
      },
      (t, p) =>
        t.call(async () => {
          const { event, run, ...rest } = await t.execute('finishRun', { ...p, run_id: await t.runIdOr(p.run_id), status });
          const { tasks: _t, ...header } = run;
          return { event, run: header, ...rest };
        }),
    ),
  ),

  tool(
    'append_event',
    {
      title: 'Record a run event',
      description: 'Record a run event, e.g. step_completed with step_id (the plan moves along); complete_run ends a run.',
      outputSchema: OUT.runEvent,
      inputSchema: {
        run_id: runId,
        type: z.string().min(1).describe('e.g. step_started, step_completed, step_failed.'),
        status: z.enum(RUN_STATUSES).optional().describe('The run status it declares (default: as is).'),
        step_id: stepId,
        payload: ownRecord(z.unknown()).optional().describe('Details, e.g. {"why_next_step": "..."}.'),
        command_id: commandId,
      },
    },
    (t, p) => t.call(() => t.appendEvent(p)),
  ),

  tool(
    'create_checkpoint',
    {
      title: 'Checkpoint the run',
      description: 'Snapshot the run and its blackboard, e.g. before a risky change; replay_run can start from it.',
      outputSchema: OUT.of({ checkpoint: OUT.item }),
      inputSchema: { run_id: runId, reason: z.string().min(1).optional().describe(`Why, in a few words (default: "${MCP_CHECKPOINT}").`) },
    },
    (t, p) =>
      t.call(async () => {
        const { checkpoint } = await t.execute('createCheckpoint', {
          run_id: await t.runIdOr(p.run_id),
          reason: p.reason ?? MCP_CHECKPOINT,
        });
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
      title: 'Replay and check for drift',
      description:
        'Rebuild the run from its log and compare with the stored state (drift.mismatch false: healthy); to an ' +
        'earlier upto_seq, the flags show what changed since.',
      outputSchema: OUT.of({ drift: OUT.item, replay: OUT.item, persisted: OUT.item }),
      inputSchema: {
        run_id: runId,
        upto_seq: z.number().int().optional().describe('Last event seq to replay (default: all).'),
        from_scratch: z.boolean().optional().describe('Ignore checkpoints; replay from seq 1.'),
        checkpoint_id: z.string().optional().describe('Start from this checkpoint.'),
      },
      annotations: { readOnlyHint: true },
    },
    (t, p) => t.call(() => t.replay(p)),
  ),
];
