// What the compiled checks read from a zod schema: its definition, and a number's bounds.
import { z } from 'zod';

export interface Def {
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

export function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

export interface NumberBounds {
  safeInt: boolean;
  min: number;
  minInclusive: boolean;
  max: number;
  maxInclusive: boolean;
}

/** A number schema's checks as bounds; undefined when it has a check this does not model. */
export function numberBounds(def: Def): NumberBounds | undefined {
  const b: NumberBounds = { safeInt: false, min: -Infinity, minInclusive: true, max: Infinity, maxInclusive: true };
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === 'number_format' && d.format === 'safeint') b.safeInt = true;
    else if (d.check === 'greater_than' && typeof d.value === 'number') {
      b.min = d.value;
      b.minInclusive = d.inclusive === true;
    } else if (d.check === 'less_than' && typeof d.value === 'number') {
      b.max = d.value;
      b.maxInclusive = d.inclusive === true;
    } else return undefined;
  }
  return b;
}
