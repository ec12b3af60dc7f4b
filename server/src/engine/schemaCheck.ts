// A fast accept-only check compiled from a zod schema, for the hot path that validates every
// log line. It understands the few schema kinds the records use (objects, strings, numbers with
// int/bounds checks, enums, literals, unions, arrays, optional, nullable, unknown) and answers "valid" only when
// zod would too; anything else compiles to undefined, and callers fall back to zod itself —
// which also writes every error message, so behaviour stays zod's.
import { z } from 'zod';

export type Check = (value: unknown) => boolean;

interface Def {
  type: string;
  checks?: { _zod: { def: { check: string; format?: string; value?: unknown; inclusive?: boolean } } }[];
  shape?: Record<string, z.ZodType>;
  catchall?: unknown;
  entries?: Record<string, unknown>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  values?: unknown[];
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function numberCheck(def: Def): Check | undefined {
  let safeInt = false;
  let min = -Infinity;
  let minInclusive = true;
  let max = Infinity;
  let maxInclusive = true;
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === 'number_format' && d.format === 'safeint') safeInt = true;
    else if (d.check === 'greater_than' && typeof d.value === 'number') {
      min = d.value;
      minInclusive = d.inclusive === true;
    } else if (d.check === 'less_than' && typeof d.value === 'number') {
      max = d.value;
      maxInclusive = d.inclusive === true;
    } else return undefined;
  }
  return (v) =>
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!safeInt || Number.isSafeInteger(v)) &&
    (minInclusive ? v >= min : v > min) &&
    (maxInclusive ? v <= max : v < max);
}

/** The accept-only check for `schema`, or undefined when it uses something this does not model. */
export function compileCheck(schema: z.ZodType): Check | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'unknown':
    case 'any':
      return () => true;
    case 'string':
      return def.checks && def.checks.length > 0 ? undefined : (v) => typeof v === 'string';
    case 'number':
      return numberCheck(def);
    case 'boolean':
      return def.checks && def.checks.length > 0 ? undefined : (v) => typeof v === 'boolean';
    case 'enum': {
      const values = Object.values(def.entries ?? {});
      if (!values.every((x) => typeof x === 'string')) return undefined;
      const set = new Set(values);
      return (v) => typeof v === 'string' && set.has(v);
    }
    case 'optional': {
      const inner = def.innerType && compileCheck(def.innerType);
      return inner && ((v) => v === undefined || inner(v));
    }
    case 'nullable': {
      const inner = def.innerType && compileCheck(def.innerType);
      return inner && ((v) => v === null || inner(v));
    }
    case 'array': {
      if (def.checks && def.checks.length > 0) return undefined;
      const el = def.element && compileCheck(def.element);
      if (!el) return undefined;
      return (v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!el(v[i])) return false;
        return true;
      };
    }
    case 'literal': {
      const values = def.values ?? [];
      if (!values.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x))) return undefined;
      return (v) => values.includes(v);
    }
    case 'union': {
      // Accepted when one option accepts: exactly zod's rule for a plain union, and for a
      // discriminated one whose options differ in a literal discriminator.
      const options = (def.options ?? []).map(compileCheck);
      if (options.length === 0 || options.some((o) => !o)) return undefined;
      const checks = options as Check[];
      return (v) => checks.some((c) => c(v));
    }
    case 'object':
      return objectCheck(def);
    default:
      return undefined;
  }
}

function objectCheck(def: Def): Check | undefined {
  // Only zod's default "strip" objects: unknown keys are ignored (and dropped from its output).
  if (def.catchall !== undefined || (def.checks && def.checks.length > 0) || !def.shape) return undefined;
  const fields: { key: string; check: Check; required: boolean }[] = [];
  for (const [key, field] of Object.entries(def.shape)) {
    const check = compileCheck(field);
    if (!check) return undefined;
    // An absent key reads as undefined; only optional fields accept that here (stricter than
    // zod for unknown-typed keys, which is fine for an accept-only check).
    fields.push({ key, check, required: defOf(field).type !== 'optional' });
  }
  return (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      const x = o[f.key];
      if (x === undefined) {
        if (f.required || (f.key in o && !Object.hasOwn(o, f.key))) return false;
        continue;
      }
      if (!Object.hasOwn(o, f.key) || !f.check(x)) return false;
    }
    return true;
  };
}

/** The keys of an object schema, in its order (zod's output order). */
export function shapeKeys(schema: z.ZodType): string[] {
  return Object.keys(defOf(schema).shape ?? {});
}
