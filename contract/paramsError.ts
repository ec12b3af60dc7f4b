// The error of malformed params (JSON-RPC -32602 with the issue paths), apart from the schemas
// that find it: the CLI's thin path reports it without loading zod.

export interface ParamsIssue {
  path: string;
  message: string;
}

/** The method's own params are malformed: JSON-RPC -32602 with the issue paths. */
export class ParamsError extends Error {
  constructor(readonly issues: ParamsIssue[]) {
    super(`Invalid params: ${issuesText(issues)}`);
    this.name = 'ParamsError';
  }
}

/**
 * The issues, one per message: the same mistake in many places (every task of a file with `title`
 * where `payload.title` belongs) is said once, at its first three paths and how many more.
 */
function issuesText(issues: readonly ParamsIssue[]): string {
  const byMessage = new Map<string, string[]>();
  for (const i of issues) byMessage.set(i.message, [...(byMessage.get(i.message) ?? []), i.path || '(params)']);
  return [...byMessage]
    .map(([message, paths]) => {
      const more = paths.length > 3 ? ` and ${paths.length - 3} more` : '';
      return `${paths.slice(0, 3).join(', ')}${more}: ${message}`;
    })
    .join('; ');
}
