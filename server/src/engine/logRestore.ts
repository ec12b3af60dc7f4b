// Restoring what a damaged log lost (repairRun with `restore`). A cache or checkpoint written
// before the damage holds the run's state from before it; carried forward over the intact
// events after it, that is the state the log would fold to had nothing been damaged. The repair
// event records it as the difference from what the log folds to around the damage, and THE fold
// applies that difference (state.ts), so every reader — live, loading, replay — reaches the
// restored state from the log alone. The damaged lines themselves stay as they are.
import { z } from 'zod';
import {
  BLACKBOARD_ITEM_LISTS,
  ArtifactSchema,
  BlackboardItemSchema,
  RunHeader,
  RunRecordSchema,
  SummariesSchema,
  Task,
  TaskSchema,
} from '../../../contract/schemas/records';
import { canonicalJson } from './commandIndex';
import type { CommandEntry, RunState } from './state';

export const RESTORE_SOURCES = ['cache', 'checkpoint'] as const;

/** [command_id, method, fingerprint, first_seq, last_seq]: index.json's shape for one entry. */
const CommandRowSchema = z.tuple([z.string(), z.string(), z.string(), z.number().int(), z.number().int()]);

export const RestoredSchema = z.object({
  from: z.enum(RESTORE_SOURCES),
  checkpoint_id: z.string().optional(),
  /** The seq the source held the state at. */
  seq: z.number().int().nonnegative(),
  /** The run's header, whole (it is small). */
  run: RunRecordSchema.omit({ tasks: true }),
  /** The tasks that differ from the fold around the damage, whole; lost ones come back at the end of the list. */
  tasks: z.array(TaskSchema),
  /** The blackboard without tasks, whole, when it differs. */
  blackboard: z
    .object({
      facts: z.array(BlackboardItemSchema),
      decisions: z.array(BlackboardItemSchema),
      open_questions: z.array(BlackboardItemSchema),
      closed_questions: z.array(BlackboardItemSchema).optional(),
      artifacts: z.array(ArtifactSchema),
      summaries: SummariesSchema,
      revision: z.number().int().nonnegative(),
    })
    .optional(),
  /** Command-index entries that differ (idempotency of the lost commands' retries). */
  commands: z.array(CommandRowSchema),
});
export type Restored = z.infer<typeof RestoredSchema>;

export const LogRepairedPayloadSchema = z.object({
  damage: z.array(
    z.object({ line: z.number().int(), missing: z.tuple([z.number().int(), z.number().int()]).optional(), message: z.string() }),
  ),
  restored: RestoredSchema.optional(),
});

/** The run's fields only its creation sets: with the creation's line intact, a source must agree on them. */
const SET_AT_CREATION: ReadonlySet<string> = new Set([
  'run_type',
  'tenant_context',
  'source_client',
  'model_provider',
  'model_id',
  'mcp_servers',
  'objective',
  'created_at_ms',
  'format',
  'auto_finish',
]);

/** The run's fields every event moves: a restore's own bookkeeping, not something it puts back. */
const MOVED_BY_EVERY_EVENT = new Set(['revision', 'last_event_seq', 'updated_at_ms']);

/** What a restore puts back, for people: the run's fields, tasks, blackboard items and command ids the fold around the damage lacks. */
export interface RestoreSummary {
  /** The run's fields the source changes (a lost creation event: objective, steps, format …), by name. */
  run_fields: string[];
  tasks: string[];
  blackboard_items: number;
  commands: number;
}

/**
 * The difference that turns `folded` (the log folded around its damage) into `restored`, or a
 * reason it cannot: a source that lacks a task the log holds belongs to another history.
 */
export function restoreDiff(
  folded: RunState,
  restored: RunState,
  source: Pick<Restored, 'from' | 'checkpoint_id' | 'seq'>,
): { restored: Restored; summary: RestoreSummary } | { reason: string } {
  const runFields = differingFields(folded.header, restored.header);
  // Folded from an intact creation (created_at_ms set), these are the log's own: a source that says otherwise was edited.
  const edited = folded.header.created_at_ms !== 0 ? runFields.find((k) => SET_AT_CREATION.has(k)) : undefined;
  if (edited) return { reason: `its run ${edited} is not the one the log's creation event says: it was edited, or is another history` };
  for (const [id, had] of folded.tasks) {
    const kept = restored.tasks.get(id);
    if (!kept) return { reason: `it has no task ${id}, which the log holds: it is not this log's history` };
    // Every task event moves task_rev: at the same rev, a task the damage did not touch is the same in both.
    if (kept.task_rev === had.task_rev && !sameValue(kept, had)) {
      return {
        reason: `its task ${id} at rev ${had.task_rev} is not what the log's events made of it: it was edited, or is another history`,
      };
    }
  }
  const tasks: Task[] = [];
  for (const [id, t] of restored.tasks) {
    const had = folded.tasks.get(id);
    if (!had || !sameValue(had, t)) tasks.push(t);
  }
  const bbOf = (s: RunState) => {
    const { facts, decisions, open_questions, closed_questions, artifacts, summaries, revision } = s.blackboard;
    return { facts, decisions, open_questions, closed_questions, artifacts, summaries, revision };
  };
  const bb = bbOf(restored);
  const bbDiffers = !sameValue(bbOf(folded), bb);
  const commands: Restored['commands'] = [];
  for (const [id, c] of restored.commands) {
    const had = folded.commands.get(id);
    if (!had || !sameEntry(had, c)) commands.push([id, c.method, c.fingerprint, c.first_seq, c.last_seq]);
  }
  const itemCount = (b: typeof bb) => BLACKBOARD_ITEM_LISTS.reduce((n, key) => n + b[key].length, 0);
  return {
    restored: {
      ...source,
      run: { ...restored.header },
      tasks: tasks.map((t) => ({ ...t })),
      ...(bbDiffers ? { blackboard: structuredClone(bb) } : {}),
      commands,
    },
    summary: {
      run_fields: runFields.filter((k) => !MOVED_BY_EVERY_EVENT.has(k)),
      tasks: tasks.map((t) => t.id),
      blackboard_items: bbDiffers ? Math.max(0, itemCount(bb) - itemCount(bbOf(folded))) : 0,
      commands: commands.length,
    },
  };
}

/** Whether a restore would change anything the fold around the damage has. */
export function restoresAnything(r: Restored, folded: RunHeader): boolean {
  return r.tasks.length > 0 || r.blackboard !== undefined || r.commands.length > 0 || !sameValue(r.run, folded);
}

/** The keys, of either record, whose values differ, sorted. */
function differingFields(a: object, b: object): string[] {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => !sameValue(x[k] ?? null, y[k] ?? null)).sort();
}

/** Equal as JSON, whatever the order of keys (caches parsed by schema order, the fold's in the engine's). */
function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function sameEntry(a: CommandEntry, b: CommandEntry): boolean {
  return a.method === b.method && a.fingerprint === b.fingerprint && a.first_seq === b.first_seq && a.last_seq === b.last_seq;
}
