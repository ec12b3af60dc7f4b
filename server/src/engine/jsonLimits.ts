// Limits on incoming JSON before anything recursive touches it: nesting depth (a deeply nested
// payload would overflow the stack of JSON.stringify or a fingerprint) and encoded size.
import { DomainError } from './errors';
import { LIMITS } from '../../../contract/limits';

export const MAX_JSON_DEPTH = 64;

/** The most UTF-8 bytes one UTF-16 unit of a string takes in JSON (a \u00XX or \udXXX escape). */
const BYTES_PER_UNIT = 6;
/** The longest a finite double prints: -1.7976931348623157e+308 is 24 characters. */
const NUMBER_BYTES = 25;

function isPlainContainer(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  const plain = Array.isArray(v) ? proto === Array.prototype : proto === Object.prototype || proto === null;
  return plain && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

export interface JsonMeasure {
  /** Nesting depth of objects and arrays; counting stops past the cap. */
  depth: number;
  /**
   * An upper bound of Buffer.byteLength(JSON.stringify(value)); undefined when the value holds
   * anything but plain JSON data (then only JSON.stringify can tell).
   */
  maxBytes: number | undefined;
}

/** Depth and a size bound of a JSON value, walked once without recursion. */
export function measureJson(value: unknown, cap = MAX_JSON_DEPTH + 1): JsonMeasure {
  let depth = 0;
  let bytes: number | undefined = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') {
      if (bytes === undefined) continue;
      if (v === null || v === undefined) bytes += 4;
      else if (typeof v === 'string') bytes += 2 + BYTES_PER_UNIT * v.length;
      else if (typeof v === 'number') bytes += NUMBER_BYTES;
      else if (typeof v === 'boolean') bytes += 5;
      else bytes = undefined; // bigint, function, symbol: JSON.stringify's business
      continue;
    }
    if (d > depth) depth = d;
    if (depth >= cap) return { depth, maxBytes: undefined };
    if (bytes !== undefined && !isPlainContainer(v)) bytes = undefined;
    if (Array.isArray(v)) {
      if (bytes !== undefined) bytes += 2 + v.length; // brackets and commas
      for (const child of v) stack.push([child, d + 1]);
    } else {
      const keys = Object.keys(v);
      if (bytes !== undefined) bytes += 2;
      for (const k of keys) {
        if (bytes !== undefined) bytes += 2 + BYTES_PER_UNIT * k.length + 2; // quotes, colon, comma
        stack.push([(v as Record<string, unknown>)[k], d + 1]);
      }
    }
  }
  return { depth, maxBytes: bytes };
}

/** Nesting depth of a JSON value, walked without recursion; stops counting past `cap`. */
export function jsonDepth(value: unknown, cap = MAX_JSON_DEPTH + 1): number {
  return measureJson(value, cap).depth;
}

/** LIMIT_EXCEEDED for params nested too deep or over 1 MiB encoded. */
export function checkParamsLimits(raw: unknown): void {
  if (raw === undefined || raw === null) return;
  const m = measureJson(raw);
  if (m.depth > MAX_JSON_DEPTH) {
    throw new DomainError('LIMIT_EXCEEDED', `The params are nested deeper than ${MAX_JSON_DEPTH} levels.`, {
      limit: 'params_depth',
      max: MAX_JSON_DEPTH,
    });
  }
  // Encoding the params only to learn their size costs as much as a commit's own encoding;
  // the bound settles it for all but params near the limit (or holding non-JSON values).
  if (m.maxBytes !== undefined && m.maxBytes <= LIMITS.paramsBytes) return;
  const size = Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
  if (size > LIMITS.paramsBytes) {
    throw new DomainError('LIMIT_EXCEEDED', `The params are ${size} bytes; the limit is ${LIMITS.paramsBytes}.`, {
      limit: 'params_bytes',
      max: LIMITS.paramsBytes,
    });
  }
}
