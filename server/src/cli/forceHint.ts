// A refusal for another agent's lease (TASK_LEASE_REQUIRED / TASK_LEASE_INVALID) at the CLI, with the
// flag a person passes to act anyway: the engine's words say "force", a field the CLI spells --force.
import { DomainError } from '../../../contract/domainError';

const LEASE_REFUSALS: ReadonlySet<string> = new Set(['TASK_LEASE_REQUIRED', 'TASK_LEASE_INVALID']);

/** `e` with "To <anyway>, pass --force." when it is such a refusal; anything else as it is. */
export function withForceHint(e: unknown, anyway: string): unknown {
  if (!(e instanceof DomainError) || !LEASE_REFUSALS.has(e.code)) return e;
  return new DomainError(e.code, `${e.message} To ${anyway}, pass --force.`, e.details);
}
