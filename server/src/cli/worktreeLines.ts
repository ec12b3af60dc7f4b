// What the CLI prints about a task's worktree: where a claim put it (lines for `eval`), and what
// became of it when the task was done.
import type { Task } from '../../../contract/schemas/records';
import { evalSafe, shellWord } from './agentLoopCalls';

/** What became of a done task's worktree, for the person or agent who completed it. */
export function worktreeNote(task: Task): string[] {
  const wt = task.worktree;
  if (!wt) return [];
  if (wt.state === 'kept') return [`# worktree kept: ${wt.note ?? wt.path}`];
  // A shell that was in it (claim --worktree put it there) is left in a folder that is gone.
  if (wt.state === 'removed') {
    // A note: what was left behind, and why (no git worktree any more; a folder git could not delete).
    const what = wt.note
      ? `# worktree of branch ${wt.branch}: ${wt.note}`
      : `# worktree ${wt.path} removed; its work is on branch ${wt.branch}`;
    return [what, '# a shell that was in it: cd "$RUNBOARD_ROOT"'];
  }
  return [];
}

/** The lines that put an agent's shell in the worktree (`eval "$(runboard claim --worktree)"`). */
export function worktreeShellLines(root: string, task: Task): string[] {
  const wt = task.worktree;
  if (!wt) return [];
  return [
    // Its note: the work of a dependency that could not be merged in (taskWorktrees.ts mergeInto).
    evalSafe([`worktree ${wt.path} (branch ${wt.branch}, from ${wt.base})`, ...(wt.note ? [wt.note] : [])], {
      RUNBOARD_ROOT: root,
      RUNBOARD_WORKTREE: wt.path,
    }),
    `cd ${shellWord(wt.path)}`,
  ];
}
