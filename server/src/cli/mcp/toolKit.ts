// How a board tool is declared: its name, what a model is told, its input schema and the BoardTools
// call it makes (registered on an MCP server by toolTable.ts).
import type { McpServer, ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ShapeOutput, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { BoardTools } from './boardTools';

export interface ToolConfig<S extends ZodRawShapeCompat> {
  title: string;
  description: string;
  inputSchema: S;
  annotations?: ToolAnnotations;
}

export type AddTool = (server: McpServer, t: BoardTools) => void;

/** One tool: registered on a server with the BoardTools its handler calls. */
export function tool<S extends ZodRawShapeCompat>(
  name: string,
  config: ToolConfig<S>,
  run: (t: BoardTools, p: ShapeOutput<S>) => Promise<CallToolResult>,
): AddTool {
  // The SDK types a handler by a conditional type of its shape, which TypeScript cannot resolve for
  // a generic one; this signature already ties `run`'s params to `config.inputSchema`.
  return (server, t) => {
    const handler: ToolCallback<ZodRawShapeCompat> = (p) => run(t, p as ShapeOutput<S>);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed: it fixes registerTool's shape parameter
    server.registerTool(name, config as ToolConfig<ZodRawShapeCompat>, handler);
  };
}
