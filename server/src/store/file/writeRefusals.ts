// Why this Runboard will not write to a run — it was made by a newer Runboard (the run format
// rule, PROTOCOL.md §Files), or its log is damaged until it is repaired — nor read one: a run of a
// newer format that holds what this Runboard cannot fold.
import { RUN_FORMAT } from '../../../../contract/events';
import { DomainError } from '../../engine/errors';
import type { Damage } from './eventSequencer';

export function unreadableNewerRun(runId: string, format: number, first: Damage): DomainError {
  return new DomainError(
    'RUN_FORMAT_UNSUPPORTED',
    `Run ${runId} was made by a newer Runboard (run format ${format}) and holds what this one (format ${RUN_FORMAT}) cannot read — line ${first.line}: ${first.message}. Update Runboard to open it.`,
    { run_id: runId, format, supported: RUN_FORMAT, line: first.line },
  );
}

export function damagedError(runId: string, file: string, damage: (Damage & { file: string })[]): DomainError {
  const where = damage
    .slice(0, 5)
    .map((d) => `line ${d.line}: ${d.message}`)
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
