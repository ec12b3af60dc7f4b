// mcp: the MCP server lives in its own bundle (dist/mcp.js, with the MCP SDK) so that the
// CLI's everyday commands never load it.
import * as path from 'node:path';
import { Invocation } from '../invocation';
import type { McpServerOptions } from '../mcp/main';
import type { McpProfile } from '../mcp/profiles';

export async function mcp({ session, opts }: Invocation): Promise<number> {
  // A computed path keeps esbuild from bundling it into cli.js.
  const bundle = path.join(__dirname, 'mcp.js');
  const load = require as (id: string) => { runMcpServer(o: McpServerOptions): Promise<void> };
  const options: McpServerOptions = { root: session.root, durability: session.durability, profile: opts.profile as McpProfile | undefined };
  if (session.agentGiven) options.agent = session.agent;
  await load(bundle).runMcpServer(options);
  return 0;
}
