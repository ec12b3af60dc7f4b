// Checks that a parsed log line is an event the fold can apply: the record itself, and for the
// engine's own event types the result they carry (PROTOCOL.md §Files). Lines from other
// processes pass through here, so nothing malformed ever reaches the fold.
import { z } from 'zod';
import {
  ArtifactSchema,
  BlackboardItemSchema,
  EventRecord,
  EventRecordSchema,
  RunRecordSchema,
  TaskSchema,
  WorkspaceLeaseSchema,
} from '../../../contract/schemas/records';
import { LogRepairedPayloadSchema } from './logRestore';
import { Check, compileCheck, shapeKeys } from './schemaCheck';
import { EVENT } from '../../../contract/events';
import { CLOSING_PAYLOADS } from './itemClosing';

const TaskPayload = z.object({ task: TaskSchema });
const RunPayload = z.object({ run: RunRecordSchema });
const WorkspacePayload = z.object({ workspace: WorkspaceLeaseSchema });
const BlackboardPayload = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add_fact'), payload: BlackboardItemSchema }),
  z.object({ op: z.literal('add_decision'), payload: BlackboardItemSchema }),
  z.object({ op: z.literal('add_open_question'), payload: BlackboardItemSchema }),
  z.object({ op: z.literal('add_artifact'), payload: ArtifactSchema }),
  z.object({ op: z.literal('set_rolling_summary'), payload: z.string() }),
  z.object({ op: z.literal('set_latest_context_pack'), payload: z.string() }),
  ...CLOSING_PAYLOADS,
]);

function payloadSchema(type: string): z.ZodType | undefined {
  if (type === EVENT.runCreated) return RunPayload;
  if (type.startsWith('context.task.')) return TaskPayload;
  if (type === EVENT.blackboardPatched || type === EVENT.artifactAdded) return BlackboardPayload;
  if (type === EVENT.workspaceValidated || type === EVENT.workspaceMismatch || type === EVENT.workspaceRebound) return WorkspacePayload;
  if (type === EVENT.logRepaired) return LogRepairedPayloadSchema;
  return undefined;
}

function describe(error: z.ZodError): string {
  const i = error.issues[0];
  return `${i.path.length ? i.path.join('.') : 'record'}: ${i.message}`;
}

// Every log line is checked on every load and catch-up, so the common case — a well-formed
// record — takes compiled accept-only checks; zod runs when they cannot say yes, and then
// decides (and words the error) exactly as before.
// Compiled on first use: a one-shot CLI call that reads no log lines should not pay for it.
const checks = new Map<z.ZodType, Check | undefined>();
function checkFor(schema: z.ZodType): Check | undefined {
  if (!checks.has(schema)) checks.set(schema, compileCheck(schema));
  return checks.get(schema);
}
const recordKeyIndex = new Map(shapeKeys(EventRecordSchema).map((k, i) => [k, i]));

/**
 * The record as zod's parse would return it, when that is the value itself: a plain object
 * that passes the check and holds only the schema's keys, in the schema's order (zod's output
 * drops unknown keys and lists the rest in that order). Undefined when zod must look.
 */
function wellFormedRecord(value: unknown): EventRecord | undefined {
  const recordCheck = checkFor(EventRecordSchema);
  if (!recordCheck || !recordCheck(value) || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  let last = -1;
  for (const key in value as object) {
    const i = recordKeyIndex.get(key);
    if (i === undefined || i <= last) return undefined;
    last = i;
  }
  return value as EventRecord;
}

/** The event, or the reason it cannot be folded. */
export function validateEventRecord(value: unknown, runId: string): EventRecord | string {
  // Upstream logs may say `event_seq`; accept it as `seq` (SPEC.md §1.7).
  if (value !== null && typeof value === 'object' && !('seq' in value) && 'event_seq' in value) {
    const { event_seq, ...rest } = value as Record<string, unknown>;
    value = { ...rest, seq: event_seq };
  }
  let e = wellFormedRecord(value);
  if (!e) {
    const r = EventRecordSchema.safeParse(value);
    if (!r.success) return describe(r.error);
    e = r.data;
  }
  if (e.run_id !== runId) return `run_id ${JSON.stringify(e.run_id)} does not belong to run ${runId}`;
  const schema = payloadSchema(e.type);
  if (schema && !checkFor(schema)?.(e.payload)) {
    const p = schema.safeParse(e.payload);
    if (!p.success) return `payload of ${e.type}: ${describe(p.error)}`;
  }
  if (
    schema &&
    e.type.startsWith('context.task.') &&
    (e.payload as { task: { id: string } }).task.id !== e.task_id &&
    e.task_id !== undefined
  ) {
    return `payload.task.id differs from task_id ${e.task_id}`;
  }
  return e;
}
