// Text helpers shared by the rules: trimming, blank checks, and the 64 KiB text limit.
import { DomainError } from './errors';
import { LIMITS } from '../../../contract/limits';

export function trimmedOrUndefined(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t === '' ? undefined : t;
}

/**
 * Sets the optional text fields that are not blank once trimmed, in the order given; blank ones
 * stay absent (records keep a fixed key order, which the fast record checks rely on).
 */
export function setTrimmedFields<T extends object>(target: T, fields: { [K in keyof T]?: unknown }): void {
  for (const key of Object.keys(fields) as (keyof T)[]) {
    const value = trimmedOrUndefined(fields[key]);
    if (value !== undefined) target[key] = value as T[keyof T];
  }
}

export function utf8Length(s: string): number {
  // Fast path: a string of length n takes at most 3n bytes in UTF-8.
  if (s.length * 3 <= LIMITS.textBytes) return s.length;
  return Buffer.byteLength(s, 'utf8');
}

export function checkTextLimit(field: string, value: unknown): void {
  if (typeof value === 'string' && utf8Length(value) > LIMITS.textBytes) {
    throw new DomainError('LIMIT_EXCEEDED', `${field} is longer than ${LIMITS.textBytes} bytes.`, {
      limit: field,
      max: LIMITS.textBytes,
    });
  }
}

/** A list as given by people: trimmed, blanks and repeats dropped, in first-seen order. */
export function distinctTrimmed(list: readonly string[]): string[] {
  return [...new Set(list.map((s) => s.trim()).filter((s) => s !== ''))];
}
