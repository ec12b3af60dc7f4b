// The shape of a tasks file (`runboard tasks create FILE`, "Create Tasks from File"): an array of
// task rows, or {"tasks": [...]} — read the same way by the CLI and the editor. Without zod: the
// editor's bundle carries this. The rows themselves are createTasks' to check.
/**
 * The rows of a parsed tasks file — an array, or {"tasks": [...]} with nothing beside it (the JSON
 * Schema says so) — or what is wrong with its shape. Rows are checked by createTasks.
 */
export function tasksFileRows(doc: unknown): { rows: unknown[] } | { problem: string } {
  if (Array.isArray(doc)) return { rows: doc };
  if (doc !== null && typeof doc === 'object' && Array.isArray((doc as { tasks?: unknown }).tasks)) {
    const extra = Object.keys(doc).filter((k) => k !== 'tasks');
    if (extra.length > 0) {
      return {
        problem: `Unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')} beside "tasks": a tasks file is {"tasks": [...]} or an array.`,
      };
    }
    return { rows: (doc as { tasks: unknown[] }).tasks };
  }
  return { problem: 'Expected a JSON array of tasks, or an object {"tasks": [...]}.' };
}
