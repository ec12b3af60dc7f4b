// Payload contract normalization for the known task kinds (SPEC.md §6.2).
import { DomainError } from './errors';
import { TASK_KINDS, type TaskKind as Kind } from '../../../contract/taskRules';

function knownKind(value: unknown): Kind | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  if (t === 'fix-proposal') return 'fix_proposal';
  return (TASK_KINDS as readonly string[]).includes(t) ? (t as Kind) : undefined;
}

/** The first present key of `keys` must hold a non-blank string; a present non-string does not fall through. */
function firstPresentString(obj: Record<string, unknown>, keys: string[]): string | undefined | null {
  for (const k of keys) {
    if (k in obj && obj[k] !== undefined) {
      const v = obj[k];
      return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
    }
  }
  return undefined;
}

/** The payload fields views show as text (PROTOCOL.md §createTasks). */
const TEXT_FIELDS = ['title', 'description'] as const;

export interface ContractResult {
  task_type: string;
  payload: unknown;
}

/**
 * Checks and normalizes a task payload. `where` names the row for error details, `name` the task
 * in the message. Throws TASK_CONTRACT_INVALID / TASK_OUTPUT_TARGET_REQUIRED.
 */
export function normalizeContract(
  taskType: string,
  payload: unknown,
  where: { task_id: string; index: number },
  name = `Task ${where.task_id}`,
): ContractResult {
  if (payload !== null && payload !== undefined && (typeof payload !== 'object' || Array.isArray(payload))) {
    throw new DomainError('TASK_CONTRACT_INVALID', `${name}: payload must be a JSON object or null.`, where);
  }
  const obj = (payload ?? {}) as Record<string, unknown>;
  // What every view shows of a task: a number or an object there showed as nothing, without a word.
  for (const field of TEXT_FIELDS) {
    if (obj[field] !== undefined && obj[field] !== null && typeof obj[field] !== 'string') {
      throw new DomainError(
        'TASK_CONTRACT_INVALID',
        `${name}: payload.${field} must be text (a JSON string), not ${typeof obj[field]}.`,
        where,
      );
    }
  }
  const kind = knownKind(obj.task_kind) ?? knownKind(taskType);
  const trimmedType = taskType.trim();
  if (!kind) return { task_type: trimmedType, payload: payload ?? null };

  const out: Record<string, unknown> = { ...obj, task_kind: kind };
  out.execution_mode = kind === 'implementation' ? 'strict_write' : 'strict_nonwriting';
  if (kind === 'implementation') {
    const target = obj.output_target;
    const path =
      target && typeof target === 'object' && !Array.isArray(target)
        ? firstPresentString(target as Record<string, unknown>, ['path', 'file', 'file_path', 'target'])
        : undefined;
    if (!path) {
      throw new DomainError(
        'TASK_OUTPUT_TARGET_REQUIRED',
        `${name}: an implementation task needs payload.output_target with a path (path, file, file_path or target).`,
        where,
      );
    }
    const t = target as Record<string, unknown>;
    const normalized: Record<string, string> = { path };
    const k = firstPresentString(t, ['kind', 'type']);
    if (k) normalized.kind = k;
    const op = firstPresentString(t, ['operation', 'mode']);
    if (op) normalized.operation = op;
    out.output_target = normalized;
  } else {
    delete out.write_required;
  }
  return { task_type: kind, payload: out };
}
