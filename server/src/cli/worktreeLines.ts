// What the CLI prints about a task's worktree: where a claim put it (lines for `eval`), and what
// became of it when the task was done.
import type { Task } from '../../../contract/schemas/records';

/** What became of a done task's worktree, for the person or agent who completed it. */
export function worktreeNote(task: Task): string[] {
  const wt = task.worktree;
  if (!wt) return [];
  if (wt.state === 'kept') return [`# worktree kept: ${wt.note ?? wt.path}`];
  if (wt.state === 'removed') return [`# worktree ${wt.path} removed; its work is on branch ${wt.branch}`];
  return [];
}

/** The lines that put an agent's shell in the worktree (`eval "$(runboard claim --worktree)"`). */
export function worktreeShellLines(root: string, task: Task, quote: (s: string) => string): string[] {
  const wt = task.worktree;
  if (!wt) return [];
  return [
    `# worktree ${wt.path} (branch ${wt.branch}, from ${wt.base})`,
    `export RUNBOARD_ROOT=${quote(root)}`,
    `export RUNBOARD_WORKTREE=${quote(wt.path)}`,
    `cd ${quote(wt.path)}`,
  ];
}
