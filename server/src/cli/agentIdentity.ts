// The agent id the CLI acts as when --agent is not given: RUNBOARD_AGENT, else cli:<user>@<host>.
// An MCP server is one agent session: its default adds `#<pid>`, so that two chat sessions of one
// user are two agents and neither is told the other's lease is its own.
import * as os from 'node:os';

export function defaultAgentId(prefix: string, env: NodeJS.ProcessEnv = process.env, session?: string): string {
  const fromEnv = env.RUNBOARD_AGENT?.trim();
  if (fromEnv) return fromEnv;
  let user = env.USER ?? env.USERNAME ?? 'user';
  try {
    user = os.userInfo().username || user;
  } catch {
    // No passwd entry (some containers): keep the environment's name.
  }
  return `${prefix}:${user}@${os.hostname()}${session === undefined ? '' : `#${session}`}`;
}
