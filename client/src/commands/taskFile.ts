// Reads a tasks file for "Create Tasks from File": a JSON array of TaskInput, or {tasks: [...]}.
// Shape problems are reported here with the row; the server validates the rest (contracts,
// dependencies, ids) and rejects the whole batch when anything is wrong. Pure; unit-tested.
import type { TaskInput } from '../../../contract/schemas/params';
import { tasksFileRows } from '../../../contract/tasksFileRows';
import { withoutByteOrderMark } from '../../../contract/byteOrderMark';

export class TaskFileError extends Error {}

export function parseTaskFile(text: string): TaskInput[] {
  let data: unknown;
  try {
    data = JSON.parse(withoutByteOrderMark(text));
  } catch (e) {
    throw new TaskFileError(`The file is not valid JSON: ${(e as Error).message}`);
  }
  const file = tasksFileRows(data);
  if ('problem' in file) throw new TaskFileError(file.problem);
  const rows = file.rows;
  if (rows.length === 0) throw new TaskFileError('The file has no tasks.');
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new TaskFileError(`Task ${i + 1} is not an object.`);
    const type = (row as { task_type?: unknown }).task_type;
    if (typeof type !== 'string' || !type.trim()) throw new TaskFileError(`Task ${i + 1} has no task_type.`);
  });
  return rows as TaskInput[];
}
