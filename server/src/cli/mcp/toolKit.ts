// How a board tool is declared: its name, what a model is told, its input schema and the BoardTools
// call it makes (registered on an MCP server by toolTable.ts).
import type { McpServer, ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ShapeOutput, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { BoardTools } from './boardTools';

export interface ToolConfig<S extends ZodRawShapeCompat> {
  title: string;
  description: string;
  inputSchema: S;
  /** The result's main top-level fields (shallow: inside them are the protocol's records, compacted by forModel.ts; others may follow). */
  outputSchema: z.ZodType;
  annotations?: ToolAnnotations;
}

export interface AddTool {
  name: string;
  register(server: McpServer, t: BoardTools): void;
}

/** One tool: registered on a server with the BoardTools its handler calls. */
export function tool<S extends ZodRawShapeCompat>(
  name: string,
  config: ToolConfig<S>,
  run: (t: BoardTools, p: ShapeOutput<S>) => Promise<CallToolResult>,
): AddTool {
  // The SDK types a handler by a conditional type of its shape, which TypeScript cannot resolve for
  // a generic one; this signature already ties `run`'s params to `config.inputSchema`.
  return {
    name,
    register: (server, t) => {
      const handler: ToolCallback<ZodRawShapeCompat> = (p) => run(t, p as ShapeOutput<S>);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed: it fixes registerTool's shape parameter
      server.registerTool(name, config as ToolConfig<ZodRawShapeCompat>, handler);
    },
  };
}

// The pieces of the shallow output schemas: a result names its main fields; the rest (run_id,
// deduped …) may follow.
const item = z.looseObject({});
// Optional: forModel leaves an empty list out (no runs, no ready tasks, nothing newly cancelled).
const items = z.array(z.unknown()).optional();
export const OUT = {
  item,
  items,
  /** A result with these main fields. */
  of: (shape: z.ZodRawShape) => z.looseObject(shape),
  /** A task result. */
  task: z.looseObject({ task: item }),
  /** A run-changing result: the run after it, and its event. */
  runEvent: z.looseObject({ run: item, event: item }),
  /** A blackboard write: what was added. */
  patch: z.looseObject({ patch: item }),
};
