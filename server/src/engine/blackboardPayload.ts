// A blackboard op's payload checked at the boundary: BLACKBOARD_PAYLOAD_INVALID naming the field.
import type { z } from 'zod';
import { DomainError } from './errors';

export function invalid(op: string, message: string): DomainError {
  return new DomainError('BLACKBOARD_PAYLOAD_INVALID', `Invalid payload for ${op}: ${message}`, { op });
}

export function parseOrThrow<T>(op: string, schema: z.ZodType<T>, payload: unknown): T {
  const r = schema.safeParse(payload);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : 'payload';
    throw invalid(op, `${where}: ${issue.message}`);
  }
  return r.data;
}
