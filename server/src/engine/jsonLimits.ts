// Limits on incoming JSON before anything recursive touches it: nesting depth (a deeply nested
// payload would overflow the stack of JSON.stringify or a fingerprint) and encoded size.
import { DomainError } from './errors';
import { LIMITS } from './model';

export const MAX_JSON_DEPTH = 64;

/** Nesting depth of a JSON value, walked without recursion; stops counting past `cap`. */
export function jsonDepth(value: unknown, cap = MAX_JSON_DEPTH + 1): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max >= cap) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) {
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
    }
  }
  return max;
}

/** LIMIT_EXCEEDED for params nested too deep or over 1 MiB encoded. */
export function checkParamsLimits(raw: unknown): void {
  if (raw === undefined || raw === null) return;
  if (jsonDepth(raw) > MAX_JSON_DEPTH) {
    throw new DomainError('LIMIT_EXCEEDED', `The params are nested deeper than ${MAX_JSON_DEPTH} levels.`, {
      limit: 'params_depth',
      max: MAX_JSON_DEPTH,
    });
  }
  const size = Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
  if (size > LIMITS.paramsBytes) {
    throw new DomainError('LIMIT_EXCEEDED', `The params are ${size} bytes; the limit is ${LIMITS.paramsBytes}.`, {
      limit: 'params_bytes',
      max: LIMITS.paramsBytes,
    });
  }
}
