// Lease tokens in what the CLI and the MCP server print: only the ones this session holds. A token
// is not a secret from a process that can read .runboard/ (the files are the trust boundary), but
// handing every agent every other agent's token invites taking over work by mistake.

const TOKEN_FIELDS = new Set(['lease_token', 'last_lease_token']);

/** Whether `key: value` is a lease token `own` does not accept (and so is not shown). */
export function isOthersToken(key: string, value: unknown, own: (token: string) => boolean): boolean {
  return TOKEN_FIELDS.has(key) && typeof value === 'string' && !own(value);
}

/** A JSON.stringify replacer that drops the lease tokens `own` does not accept. */
export function ownTokensOnly(own: (token: string) => boolean): (key: string, value: unknown) => unknown {
  return (key, value) => (isOthersToken(key, value, own) ? undefined : value);
}
