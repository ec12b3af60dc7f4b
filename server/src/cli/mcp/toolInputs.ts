// The pieces of the MCP tools' input schemas: the contract's shapes, described for a model.
import { z } from 'zod';
import { LEASE } from '../../../../contract/limits';
import { TaskInput, unknownTaskFields } from '../../../../contract/schemas/params';
import { CREATABLE_TASK_STATUSES } from '../../../../contract/statuses';

/** Models think slowly between calls, so MCP leases default to 2 minutes (protocol max 5). */
export const MCP_DEFAULT_LEASE_MS = 120_000;

export const runId = z
  .string()
  .optional()
  .describe('The run id. Omit it when the workspace has exactly one open run (list_runs shows them).');
export const taskId = z.string().describe('The task id, as shown by get_run or returned by claim_task.');
export const leaseToken = z
  .string()
  .optional()
  .describe('Only needed for a lease this session did not obtain itself; claim_task tokens are remembered.');
export const commandId = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe('Optional idempotency key: repeating a call with the same command_id returns the first result and changes nothing.');
export const stepId = z.string().optional().describe('The plan step this belongs to (e.g. "step-2"), if any.');
export const leaseMs = z
  .number()
  .int()
  .optional()
  .describe(`How long the lease lasts from now, in ms (default ${MCP_DEFAULT_LEASE_MS}; clamped to ${LEASE.minMs}..${LEASE.maxMs}).`);

/** The contract's TaskInput, each field described for a model (the checks are the contract's). */
const taskField = TaskInput.shape;
export const TaskInputShape = z.strictObject(
  {
    id: taskField.id.describe('Task id (letters, digits, . _ -). Omit to generate one.'),
    task_type: taskField.task_type.describe(
      'Kind of work: implementation, inspection, research, validation, fix_proposal, or your own word.',
    ),
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
  },
  // A field the contract does not know is refused with its right name, as createTasks does.
  { error: (issue) => (issue.code === 'unrecognized_keys' ? unknownTaskFields(issue.keys) : undefined) },
) satisfies z.ZodType<TaskInput>;
