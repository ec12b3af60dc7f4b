// Text helpers shared by the rules: trimming, blank checks, and the 64 KiB text limit.
import { DomainError } from './errors';
import { LIMITS } from './model';

export function trimmedOrUndefined(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t === '' ? undefined : t;
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
