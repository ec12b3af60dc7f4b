// Why a run takes no write now, in the words every side uses: archived (PROTOCOL.md §Archived
// runs), whoever keeps the archive, or damaged until it is repaired (§repairRun). The stores throw
// these; a client that must refuse before it acts (git, in a task merge) throws the same.
import { DomainError } from './domainError';
import type { LogDamage } from './results';

export function archivedError(runId: string): DomainError {
  return new DomainError('RUN_ARCHIVED', `Run ${runId} is archived: restore it to change it (runboard run restore ${runId}).`, {
    run_id: runId,
  });
}

export function damagedError(runId: string, file: string, damage: readonly LogDamage[]): DomainError {
  const where = damage
    .slice(0, 5)
    .map((d) => `line ${d.line}: ${d.message.replace(/\.$/, '')}`)
    .join('; ');
  const more = damage.length > 5 ? ` (and ${damage.length - 5} more)` : '';
  return new DomainError(
    'RUN_DAMAGED',
    `Run ${runId} is read-only: ${file} has lines that cannot be folded — ${where}${more}. ` +
      `Reads fold around them. \`runboard repair ${runId}\` shows them and whether a cache or checkpoint can put back what they held ` +
      `(\`--restore\`); \`--accept\` records them as gone. Either way writes resume.`,
    { run_id: runId, damage },
  );
}

/** createRun with the id of an archived run (`where`: "in <root>", "on board <name>"). */
/** `held`: the archived run's id, when it differs from `runId` only in case. */
export function archivedIdTaken(runId: string, where: string, held = runId): DomainError {
  const differs = held === runId ? '' : ` and differs from ${runId} only in case`;
  return new DomainError(
    'RUN_EXISTS',
    `Run ${held} exists ${where}, archived${differs}: restore it (runboard run restore ${held}), or choose another id.`,
    { run_id: runId, archived: true, ...(held === runId ? {} : { existing_run_id: held }) },
  );
}
