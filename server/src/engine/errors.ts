// Domain errors are values with a stable code (PROTOCOL.md §Errors). The server maps them to
// JSON-RPC -32000, the CLI to exit code 1, MCP to tool errors — one mapping each, elsewhere.
import type { DomainCode } from '../../../contract/errors';
import { formatOf, SINCE_FORMAT, type FormatFeature } from '../../../contract/events';

export class DomainError extends Error {
  constructor(
    readonly code: DomainCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toData(): Record<string, unknown> {
    return { code: this.code, ...this.details };
  }
}

/** RUN_FORMAT_TOO_OLD: `what` needs a run of the format that has `feature` (contract/events.ts SINCE_FORMAT). */
export function formatTooOld(run: { run_id: string; format?: number }, feature: FormatFeature, what: string): DomainError {
  const format = formatOf(run);
  const needed = SINCE_FORMAT[feature];
  return new DomainError('RUN_FORMAT_TOO_OLD', `Run ${run.run_id} is of format ${format}, which has no ${what} (format ${needed}).`, {
    run_id: run.run_id,
    format,
    needed,
  });
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
