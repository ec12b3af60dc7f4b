// The lease tokens this MCP session obtained, per run and task, so a model never has to copy
// a token from one tool call to the next.
export class LeaseTokens {
  private readonly tokens = new Map<string, string>();

  private static key(runId: string, taskId: string): string {
    return `${runId}\u0000${taskId.trim()}`;
  }

  remember(runId: string, taskId: string, token: string): void {
    this.tokens.set(LeaseTokens.key(runId, taskId), token);
  }

  tokenFor(runId: string, taskId: string): string | undefined {
    return this.tokens.get(LeaseTokens.key(runId, taskId));
  }

  forget(runId: string, taskId: string): void {
    this.tokens.delete(LeaseTokens.key(runId, taskId));
  }

  /** Whether this session obtained `token` (its results show only such tokens). */
  holds(token: string): boolean {
    for (const t of this.tokens.values()) if (t === token) return true;
    return false;
  }

  /** Task ids of `runId` this session holds a token for. */
  tasksOf(runId: string): string[] {
    const prefix = `${runId}\u0000`;
    return [...this.tokens.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }
}
