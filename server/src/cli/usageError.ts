// A mistake in how the CLI was called (bad or missing arguments): exit code 2, as opposed to a
// domain rejection (exit code 1).
export class UsageError extends Error {
  constructor(
    message: string,
    readonly code = 'USAGE',
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
