// The accept-only checks of schemaCheck.ts as generated straight-line JavaScript: one function
// per schema instead of a closure per field, which makes checking a log record several times
// cheaper. Same rules, same answers (the property tests run against both); undefined when a
// schema uses something not modelled or the runtime forbids generating code.
import { z } from 'zod';
import type { Check } from './schemaCheck';
import { defOf, numberBounds } from './schemaDefs';

class Emitter {
  readonly refs: unknown[] = [];
  private n = 0;

  name(prefix: string): string {
    return `${prefix}${++this.n}`;
  }

  ref(value: unknown): string {
    this.refs.push(value);
    return `refs[${this.refs.length - 1}]`;
  }
}

/** Statements that `return false` unless the value in variable `v` passes; undefined if unmodelled. */
function emit(schema: z.ZodType, v: string, e: Emitter): string | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'unknown':
    case 'any':
      return '';
    case 'string':
      return def.checks && def.checks.length > 0 ? undefined : `if (typeof ${v} !== 'string') return false;`;
    case 'boolean':
      return def.checks && def.checks.length > 0 ? undefined : `if (typeof ${v} !== 'boolean') return false;`;
    case 'number': {
      const b = numberBounds(def);
      if (!b) return undefined;
      const conds = [`typeof ${v} !== 'number'`, `!Number.isFinite(${v})`];
      if (b.safeInt) conds.push(`!Number.isSafeInteger(${v})`);
      if (b.min !== -Infinity) conds.push(`!(${v} ${b.minInclusive ? '>=' : '>'} ${b.min})`);
      if (b.max !== Infinity) conds.push(`!(${v} ${b.maxInclusive ? '<=' : '<'} ${b.max})`);
      return `if (${conds.join(' || ')}) return false;`;
    }
    case 'enum': {
      const values = Object.values(def.entries ?? {});
      if (!values.every((x) => typeof x === 'string')) return undefined;
      return `if (typeof ${v} !== 'string' || !${e.ref(new Set(values))}.has(${v})) return false;`;
    }
    case 'literal': {
      const values = def.values ?? [];
      if (!values.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x))) return undefined;
      return `if (!${e.ref(values)}.includes(${v})) return false;`;
    }
    case 'optional':
    case 'nullable': {
      const inner = def.innerType && emit(def.innerType, v, e);
      if (inner === undefined) return undefined;
      return `if (${v} !== ${def.type === 'optional' ? 'undefined' : 'null'}) { ${inner} }`;
    }
    case 'array': {
      if ((def.checks && def.checks.length > 0) || !def.element) return undefined;
      const i = e.name('i');
      const x = e.name('x');
      const inner = emit(def.element, x, e);
      if (inner === undefined) return undefined;
      return `if (!Array.isArray(${v})) return false; for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${x} = ${v}[${i}]; ${inner} }`;
    }
    case 'union': {
      const options = (def.options ?? []).map((o) => generateCheck(o));
      if (options.length === 0 || options.some((o) => !o)) return undefined;
      return `if (!(${options.map((o) => `${e.ref(o)}(${v})`).join(' || ')})) return false;`;
    }
    case 'object': {
      if (def.catchall !== undefined || (def.checks && def.checks.length > 0) || !def.shape) return undefined;
      const out = [`if (${v} === null || typeof ${v} !== 'object' || Array.isArray(${v})) return false;`];
      for (const [key, field] of Object.entries(def.shape)) {
        const k = JSON.stringify(key);
        const x = e.name('f');
        const inner = emit(field, x, e);
        if (inner === undefined) return undefined;
        const required = defOf(field).type !== 'optional';
        out.push(
          `const ${x} = ${v}[${k}];`,
          `if (${x} === undefined) { ${required ? 'return false;' : `if (${k} in ${v} && !Object.hasOwn(${v}, ${k})) return false;`} }`,
          `else { if (!Object.hasOwn(${v}, ${k})) return false; ${inner} }`,
        );
      }
      return out.join('\n');
    }
    default:
      return undefined;
  }
}

export function generateCheck(schema: z.ZodType): Check | undefined {
  const e = new Emitter();
  const body = emit(schema, 'value', e);
  if (body === undefined) return undefined;
  try {
    // The checker is compiled from our own schemas (schemaCheck.ts), never from input.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-call, @typescript-eslint/no-implied-eval
    return new Function('refs', `return function check(value) {\n${body}\nreturn true;\n};`)(e.refs) as Check;
  } catch {
    return undefined; // code generation disallowed
  }
}
