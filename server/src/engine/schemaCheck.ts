// A fast accept-only check compiled from a zod schema, for the hot path that validates every
// log line. It understands the few schema kinds the records use (objects, strings, numbers
// with int/bounds checks, enums, literals, unions, arrays, optional, nullable, unknown) and
// answers "valid" only when zod would too; anything else compiles to undefined, and callers
// fall back to zod itself — which also words every error message, so behaviour stays zod's.
// Generated code (schemaCodegen.ts) where allowed, else a tree of closures with the same rules.
import { z } from 'zod';
import { generateCheck } from './schemaCodegen';
import { Def, defOf, numberBounds } from './schemaDefs';

export type Check = (value: unknown) => boolean;

function numberCheck(def: Def): Check | undefined {
  const b = numberBounds(def);
  if (!b) return undefined;
  const { safeInt, min, minInclusive, max, maxInclusive } = b;
  return (v) =>
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!safeInt || Number.isSafeInteger(v)) &&
    (minInclusive ? v >= min : v > min) &&
    (maxInclusive ? v <= max : v < max);
}

/** The accept-only check for `schema`, or undefined when it uses something this does not model. */
export function compileCheck(schema: z.ZodType): Check | undefined {
  return generateCheck(schema) ?? closureCheck(schema);
}

/** The same check as a tree of closures (where generating code is not allowed). */
export function closureCheck(schema: z.ZodType): Check | undefined {
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
      const inner = def.innerType && closureCheck(def.innerType);
      return inner && ((v) => v === undefined || inner(v));
    }
    case 'nullable': {
      const inner = def.innerType && closureCheck(def.innerType);
      return inner && ((v) => v === null || inner(v));
    }
    case 'array': {
      if (def.checks && def.checks.length > 0) return undefined;
      const el = def.element && closureCheck(def.element);
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
      const options = (def.options ?? []).map(closureCheck);
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
    const check = closureCheck(field);
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

/** What a compiled parser returns when it cannot produce zod's output (the caller asks zod). */
export const UNSURE: unique symbol = Symbol('unsure');
export type Parse = (value: unknown) => unknown;

/**
 * A parser compiled from a zod schema that returns exactly what zod's successful parse returns
 * — fresh objects (schema keys only, in schema order) and arrays, the same strings, numbers and
 * unknown-typed values — or UNSURE whenever zod might answer differently (failures, defaults to
 * fill in, anything not modelled). For big cached records (run.json with 100 000 tasks).
 */
export function compileParse(schema: z.ZodType): Parse | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional': {
      const inner = def.innerType && compileParse(def.innerType);
      return inner && ((v) => (v === undefined ? undefined : inner(v)));
    }
    case 'nullable': {
      const inner = def.innerType && compileParse(def.innerType);
      return inner && ((v) => (v === null ? null : inner(v)));
    }
    case 'default': {
      // Filling in a default is zod's job (it copies the default value).
      const inner = def.innerType && compileParse(def.innerType);
      return inner && ((v) => (v === undefined ? UNSURE : inner(v)));
    }
    case 'array': {
      if (def.checks && def.checks.length > 0) return undefined;
      const el = def.element && compileParse(def.element);
      if (!el) return undefined;
      return (v) => {
        if (!Array.isArray(v)) return UNSURE;
        const out: unknown[] = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const x = el(v[i]);
          if (x === UNSURE) return UNSURE;
          out[i] = x;
        }
        return out;
      };
    }
    case 'object':
      return objectParse(def);
    case 'string':
    case 'number':
    case 'boolean':
    case 'enum':
    case 'literal':
    case 'unknown':
    case 'any': {
      // Leaves: zod returns the value itself when it takes it.
      const check = compileCheck(schema);
      return check && ((v) => (check(v) ? v : UNSURE));
    }
    default:
      return undefined;
  }
}

function objectParse(def: Def): Parse | undefined {
  if (def.catchall !== undefined || (def.checks && def.checks.length > 0) || !def.shape) return undefined;
  const fields: { key: string; parse: Parse; optional: boolean }[] = [];
  for (const [key, field] of Object.entries(def.shape)) {
    const parse = compileParse(field);
    if (!parse) return undefined;
    fields.push({ key, parse, optional: defOf(field).type === 'optional' });
  }
  return (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return UNSURE;
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (!Object.hasOwn(o, f.key)) {
        // zod leaves an absent optional key out; anything else absent is its call.
        if (f.optional && !(f.key in o)) continue;
        return UNSURE;
      }
      const x = f.parse(o[f.key]);
      if (x === UNSURE || (x === undefined && !f.optional)) return UNSURE;
      out[f.key] = x;
    }
    return out;
  };
}
