// How a board tool is declared: its name, what a model is told, its input schema and the BoardTools
// call it makes (registered on an MCP server by toolTable.ts).
import type { McpServer, ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ShapeOutput, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { BoardTools } from './boardTools';
import { nearestName } from '../../../../contract/nearestName';

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
      const handler: ToolCallback<z.ZodObject> = (p) => run(t, p as ShapeOutput<S>);
      server.registerTool(name, { ...config, inputSchema: strictInput(name, config.inputSchema) }, handler);
    },
  };
}

/**
 * The tool's arguments, refusing any it does not take: a model that passes a field of another tool
 * (depends_on_task_ids to add_task, a result nobody keeps) is told, not silently ignored.
 */
function strictInput(name: string, shape: ZodRawShapeCompat): z.ZodObject {
  const takes = Object.keys(shape);
  return z.strictObject(shape as z.ZodRawShape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const named = issue.keys.map((k) => {
        const near = nearestName(k, takes);
        return near ? `"${k}" (did you mean "${near}"?)` : `"${k}"`;
      });
      return `${name} does not take ${named.join(', ')}; it takes ${takes.join(', ') || 'no arguments'}.`;
    },
  });
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
