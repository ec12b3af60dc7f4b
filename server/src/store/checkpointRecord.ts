// A checkpoint as every store keeps it: the run and blackboard at a seq, checked when read back
// (a checkpoint from another Runboard, or one damaged where it is kept, is reported, not folded).
import { z } from 'zod';
import { Checkpoint, RunRecordSchema, StoredBlackboardSchema, TaskSchema } from '../../../contract/schemas/records';

const CheckpointSchema = z.object({
  checkpoint_id: z.string(),
  run_id: z.string(),
  seq: z.number().int().nonnegative(),
  ts_ms: z.number(),
  reason: z.string(),
  run: RunRecordSchema,
  blackboard: StoredBlackboardSchema.extend({ tasks: z.array(TaskSchema).default([]) }),
});

/** The checkpoint `raw` holds; throws naming the first field that is wrong. */
export function checkpointOf(raw: unknown): Checkpoint {
  const r = CheckpointSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${i.path.join('.') || 'record'}: ${i.message}`);
  }
  return r.data;
}
