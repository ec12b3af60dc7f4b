// The tasks file people write (`runboard tasks create FILE`, "Create Tasks from File"): an array
// of TaskInput, or {"tasks": [...]}. Published as JSON Schema (schemas/tasks.schema.json, made by
// `npm run schemas` from this module) so editors complete and check task files as people type.
import { z } from 'zod';
import { CREATABLE_TASK_STATUSES } from '../statuses';
import { TASK_KINDS } from '../taskRules';
import { TaskInput } from './params';
import { DEFAULT_TASK_TYPE } from '../taskLine';

/** The payload fields Runboard reads; any others are kept as they are. */
const PayloadFields = z
  .looseObject({
    title: z.string().describe('What every view shows for the task.'),
    description: z.string().describe('More about the task, for the agent that claims it.'),
    output_target: z
      .looseObject({ path: z.string().min(1).describe('The file the task writes.') })
      .describe('Where an implementation task writes (required for task_type implementation).'),
  })
  .partial()
  .nullable();

/** A row of the file: TaskInput, with the payload's known fields and the creatable statuses spelled out. */
const TaskRow = TaskInput.extend({
  payload: PayloadFields.optional(),
  status: z.enum(CREATABLE_TASK_STATUSES).optional().describe('pending (default), runnable or blocked.'),
  task_type: z
    .string()
    .min(1)
    .describe(
      `What kind of work: ${TASK_KINDS.join(', ')} (implementation needs payload.output_target.path), or your own. Default: implementation when payload.output_target is given, else ${DEFAULT_TASK_TYPE}.`,
    )
    .meta({ examples: [...TASK_KINDS] })
    .optional(),
});

/** The JSON Schema (draft-07, which editors read) of a tasks file. */
export function tasksFileJsonSchema(): Record<string, unknown> {
  const { $schema: _drop, ...task } = z.toJSONSchema(TaskRow, { target: 'draft-7' });
  // An implementation task needs a target path: JSON Schema can say so; zod checks it in the engine.
  task.allOf = [
    {
      if: { properties: { task_type: { const: 'implementation' } }, required: ['task_type'] },
      then: {
        required: ['payload'],
        properties: { payload: { type: 'object', required: ['output_target'], properties: { output_target: { required: ['path'] } } } },
      },
    },
  ];
  const tasks = { type: 'array', minItems: 1, items: { $ref: '#/definitions/task' } };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://runboard.dev/schemas/tasks.schema.json',
    title: 'Runboard tasks file',
    description: 'Tasks for a Runboard run: an array of tasks, or {"tasks": [...]}. See PROTOCOL.md, createTasks.',
    definitions: { task },
    oneOf: [tasks, { type: 'object', properties: { tasks }, required: ['tasks'], additionalProperties: false }],
  };
}
