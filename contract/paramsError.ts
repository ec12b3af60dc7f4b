// The error of malformed params (JSON-RPC -32602 with the issue paths), apart from the schemas
// that find it: the CLI's thin path reports it without loading zod.

export interface ParamsIssue {
  path: string;
  message: string;
}

/** The method's own params are malformed: JSON-RPC -32602 with the issue paths. */
export class ParamsError extends Error {
  constructor(readonly issues: ParamsIssue[]) {
    super(`Invalid params: ${issues.map((i) => `${i.path || '(params)'}: ${i.message}`).join('; ')}`);
    this.name = 'ParamsError';
  }
}
