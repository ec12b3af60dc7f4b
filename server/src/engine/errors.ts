// Domain errors are values with a stable code (PROTOCOL.md §Errors). The server maps them to
// JSON-RPC -32000, the CLI to exit code 1, MCP to tool errors — one mapping each, elsewhere.
import type { DomainCode } from '../../../contract/errors';

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

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
