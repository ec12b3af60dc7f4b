// worktree prune, tasks merge (PROTOCOL.md §Worktrees): the worktrees of finished tasks settled,
// and a done task's branch merged (or rebased) into the branch checked out in the repository.
import { Invocation } from '../invocation';
import { mergeTask, pruneWorktrees } from '../../worktrees/worktreeCalls';
import { UsageError } from '../usageError';
import { mergedText } from '../../../../contract/taskText';

export async function worktreePrune({ session, out }: Invocation): Promise<void> {
  const runId = await session.runId();
  const settled = await pruneWorktrees(session, runId);
  const result = { tasks: settled };
  out.result(result, () => {
    if (settled.length === 0) return `No worktree of a finished task of run ${runId} to prune.`;
    return settled
      .map((t) =>
        t.worktree?.state === 'kept'
          ? `${t.id}: kept — ${t.worktree.note ?? ''}`
          : `${t.id}: removed ${t.worktree?.path} (branch ${t.worktree?.branch} stays)`,
      )
      .join('\n');
  });
}

export async function tasksMerge({ session, out, args, opts }: Invocation): Promise<void> {
  const taskId = args[0];
  if (!taskId) throw new UsageError('Say which done task to merge: runboard tasks merge <task_id>.');
  const way = opts.rebase === true ? 'rebase' : 'merge';
  const result = await mergeTask(session, await session.runId(), taskId, opts.into as string | undefined, way);
  const wt = result.task.worktree!;
  out.result(result, () => mergedText(way, wt.branch, wt.merged_into!, result.commit, result.changed, result.merged_along));
}
