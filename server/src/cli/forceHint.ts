// A refusal for another agent's lease (TASK_LEASE_REQUIRED / TASK_LEASE_INVALID) at the CLI, with the
// flag a person passes to act anyway: the engine's words say "force", a field the CLI spells --force.
import { DomainError } from '../../../contract/domainError';

const LEASE_REFUSALS: ReadonlySet<string> = new Set(['TASK_LEASE_REQUIRED', 'TASK_LEASE_INVALID']);

/**
 * `e` with the CLI's flag for acting anyway (`verb`: "cancel", "edit"): the engine's "or force to …
 * it anyway" said as "or pass --force to …", else a sentence added; anything else as it is.
 */
export function withForceHint(e: unknown, verb: string): unknown {
  if (!(e instanceof DomainError) || !LEASE_REFUSALS.has(e.code)) return e;
  const said = e.message.includes(`or force to ${verb} it anyway`)
    ? e.message.replace(`or force to ${verb} it anyway`, `or pass --force to ${verb} it anyway`)
    : `${e.message} To ${verb} it anyway, pass --force.`;
  return new DomainError(e.code, said, e.details);
}
