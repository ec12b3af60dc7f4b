// worktree prune, tasks merge (PROTOCOL.md §Worktrees): the worktrees of finished tasks settled,
// and a done task's branch merged (or rebased) into the branch checked out in the repository.
import { Invocation } from '../invocation';
import { mergeTask, pruneWorktrees } from '../../worktrees/worktreeCalls';
import { UsageError } from '../usageError';
import { EXIT } from '../output';
import { mergedText } from '../../../../contract/taskText';

/** Exits 1 when git could not settle one of them (each said), 0 otherwise. */
export async function worktreePrune({ session, out }: Invocation): Promise<number> {
  const runId = await session.runId();
  const { tasks, failed } = await pruneWorktrees(session, runId);
  out.result({ tasks, ...(failed.length > 0 ? { failed } : {}) }, () => {
    if (tasks.length + failed.length === 0) return `No worktree of a finished task of run ${runId} to prune.`;
    return [
      ...tasks.map((t) => {
        const wt = t.worktree!;
        if (wt.state === 'kept') return `${t.id}: kept — ${wt.note ?? ''}`;
        // A note says what was left behind, and why (no git worktree any more; a folder git could not delete).
        return wt.note ? `${t.id}: ${wt.note}` : `${t.id}: removed ${wt.path} (branch ${wt.branch} stays)`;
      }),
      ...failed.map((f) => `${f.task_id}: not settled — ${f.message}`),
    ].join('\n');
  });
  return failed.length > 0 ? EXIT.domain : EXIT.ok;
}

export async function tasksMerge({ session, out, args, opts }: Invocation): Promise<void> {
  const taskId = args[0];
  if (!taskId) throw new UsageError('Say which done task to merge: runboard tasks merge <task_id>.');
  const way = opts.rebase === true ? 'rebase' : 'merge';
  const result = await mergeTask(session, await session.runId(), taskId, opts.into as string | undefined, way);
  const wt = result.task.worktree!;
  out.result(result, () =>
    mergedText(way, wt.branch, wt.merged_into!, result.commit, result.changed, result.merged_along, result.already_merged === true),
  );
}
