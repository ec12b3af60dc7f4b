// attention: what needs a person (contract/attention.ts), for scripts and agents — every run of the
// root, or the run --run names — each with the command that resolves it.
import type { AttentionItem } from '../../../../contract/attention';
import type { Invocation } from '../invocation';

export async function attention({ session, out, opts }: Invocation): Promise<void> {
  const seconds = opts.leaseWarning as number | undefined;
  const run = session.namedRun;
  const result = await session.execute('listAttention', {
    ...(run !== undefined ? { run_id: run } : {}),
    ...(seconds !== undefined ? { lease_warning_ms: seconds * 1000 } : {}),
  });
  // --json: each item with its `resolution`, the line the text prints under it.
  const items = result.items.map((i) => ({ ...i, resolution: resolution(i, result.now_ms) }));
  out.result({ ...result, items }, () => {
    // A run named by RUNBOARD_RUN (claim exports it) narrows the list unseen: said, so that other runs' needs are not missed.
    const only = run === undefined ? '' : `Run ${run} only (--run or RUNBOARD_RUN names it; without it, every run of the root is listed).`;
    if (items.length === 0) return run === undefined ? 'Nothing needs you.' : `Nothing needs you in run ${run}. ${only}`;
    return [...items.map((i) => `${i.run_id}  ${i.title}\n    → ${i.resolution}`), ...(only ? [only] : [])].join('\n');
  });
}

/** The command (or the place) that resolves the item. */
function resolution(i: AttentionItem, now: number): string {
  const run = `runboard --run ${i.run_id}`;
  switch (i.action) {
    case 'retry':
      return `${run} retry ${i.task_id}`;
    case 'requeue':
      return `${run} requeue ${i.task_id} (one more attempt)`;
    case 'answer':
      return `${run} question answer ${i.question_id} "<answer>"`;
    case 'replay':
      // The caches hold what the log lost until the log passes it: rewriting them would lose it for good.
      if (i.kind === 'log_lost_events')
        return `put the newer copy of the log back to keep them (git stash pop, a backup); ${run} replay shows what the caches still hold`;
      // The log is the record: a cache that differs is rewritten from it at the run's next change; a log line changed by hand is damage.
      return `look at it: ${run} replay. A cache that differs from the log is rewritten from it at the run's next change (replay again then); a damaged log line: ${run} repair`;
    case 'resume':
      return `${run} run resume`;
    case 'rebind':
      return `open the run in the folder it is bound to, or bind it to this one: ${run} run rebind`;
    case 'open_board':
      // The board's choices for the kind, as commands (the editor opens the board on the task).
      if (i.kind === 'task_blocked')
        return `${run} retry ${i.task_id} once what blocks it is resolved (${run} tasks show ${i.task_id} says what)`;
      if (i.kind === 'lease_expiring') {
        // A lease that ran out is no one's: a heartbeat can no longer save it, and a requeue needs no force.
        return i.since_ms <= now
          ? `put it back on the board now: ${run} requeue ${i.task_id}`
          : `wait for its agent's heartbeat, or take it back: ${run} requeue ${i.task_id} --force`;
      }
      return i.task_id ? `${run} tasks show ${i.task_id}` : `${run} run show`;
    case 'open_worktree':
      return `commit (or discard) the changes in its worktree, then ${run} worktree prune`;
    case 'repair':
      return `${run} repair (it shows the damage and whether a cache or checkpoint can restore what it held; then --restore or --accept)`;
    case 'approve_plan':
      return `look at it (${run} run show), then approve it: ${run} run approve`;
    case 'complete_run':
      return `${run} run complete (or add work: ${run} tasks add "<title>")`;
  }
}
