// The pieces of the MCP tools' input schemas: the contract's shapes, described for a model.
import { z } from 'zod';
import { LEASE } from '../../../../contract/limits';
import { ClaimTaskParams, TaskInput, unknownTaskFields } from '../../../../contract/schemas/params';
import { CREATABLE_TASK_STATUSES } from '../../../../contract/statuses';

export const runId = z.string().optional().describe('Default: the only open run.');
export const taskId = z.string().describe('The task id.');
export const leaseToken = z.string().optional().describe('Only for a lease claimed elsewhere.');
// Its bounds are the contract's (a bad one is refused naming the field): not repeated here.
export const commandId = z.string().optional().describe('Idempotency key.');
/** Text a person reads later (a reason, an answer, a title): an empty or blank one says nothing. */
export const saidText = z.string().regex(/\S/, 'Say something: it is empty or only blanks.');
export const stepId = z.string().optional().describe('Its plan step, e.g. step-2.');
// The contract's: any length, clamped to its bounds.
export const leaseMs = ClaimTaskParams.shape.lease_ms.describe(
  `Lease length in ms (default ${LEASE.agentDefaultMs}; kept within ${LEASE.minMs}..${LEASE.maxMs}).`,
);
export const heartbeatLeaseMs = ClaimTaskParams.shape.lease_ms.describe(
  `New lease length in ms (default: the lease's own, as claimed; kept within ${LEASE.minMs}..${LEASE.maxMs}).`,
);

/** The contract's TaskInput, each field described for a model (the checks are the contract's). */
const taskField = TaskInput.shape;
export const TaskInputShape = z.strictObject(
  {
    id: taskField.id.describe('Default: generated.'),
    task_type: taskField.task_type.describe(
      'implementation, research, validation … or your own word (default work; implementation with an output_target).',
    ),
    payload: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('{"title", "description"}; implementation also {"output_target": {"path"}}.'),
    status: z.enum(CREATABLE_TASK_STATUSES).optional().describe('Default pending (claimable).'),
    depends_on_task_ids: taskField.depends_on_task_ids.describe('Claimable once these are done.'),
    decision_ids: taskField.decision_ids.describe('Decisions it follows.'),
    artifact_ids: taskField.artifact_ids.describe('Artifacts it uses.'),
    priority: taskField.priority.describe('Higher first (default 0).'),
    max_attempts: taskField.max_attempts.describe('Failures allowed (default 3).'),
    workflow_id: taskField.workflow_id.describe('Its workflow (claim_task can filter by it).'),
    workflow_node_id: taskField.workflow_node_id.describe('Its node in that workflow.'),
    parent_task_id: taskField.parent_task_id.describe('The task it is part of.'),
    labels: taskField.labels.describe('Words to find and filter it by.'),
  },
  // A field the contract does not know is refused with its right name, as createTasks does.
  { error: (issue) => (issue.code === 'unrecognized_keys' ? unknownTaskFields(issue.keys) : undefined) },
) satisfies z.ZodType<TaskInput>;
