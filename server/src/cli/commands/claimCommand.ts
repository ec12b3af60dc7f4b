// claim: the next claimable task with a lease, for an agent's loop. Exit 0 with the task and
// `export` lines; exit 3 when nothing can be claimed now, saying why — and printing an empty
// RUNBOARD_LEASE_TOKEN, so `eval` clears the previous task's token. --wait blocks until a change
// to the run (or a retry coming due) makes something claimable, or --timeout passes — or every
// task is done or cancelled: then the loop is over, and waiting agents end with the last task.
import { keepingAlive } from '../keepAlive';
import type { ClaimTaskResult } from '../../../../contract/results';
import { claimOnFinishedRun, claimParams, claimText } from '../agentLoopCalls';
import { claimWithWorktree } from '../../worktrees/worktreeCalls';
import { worktreeShellLines } from '../worktreeLines';
import { Invocation, taskOf } from '../invocation';
import { EXIT } from '../output';
import type { CliSession } from '../session';

export async function claim(inv: Invocation): Promise<number> {
  const { session, out } = inv;
  const opts: Record<string, unknown> = { ...inv.opts, task: taskOf(inv) };
  const runId = await session.runId();
  const params = claimParams(session, runId, opts);
  const claimOrWait = async () => {
    if (opts.wait !== true) return session.execute('claimTask', params);
    const deadline = opts.timeout !== undefined ? Date.now() + (opts.timeout as number) * 1000 : undefined;
    // A restart of a database board must not end every agent's `claim --wait` loop: each attempt rides it out until the timeout.
    const attempt = () => session.execute('claimTask', params, { until: deadline ?? Infinity });
    const first = await attempt();
    if (first.task || allDone(first)) return first;
    return keepingAlive(() => waitForClaim(session, runId, attempt, first, deadline));
  };
  let result: ClaimTaskResult;
  try {
    result = opts.worktree === true ? await claimWithWorktree(session, runId, claimOrWait) : await claimOrWait();
  } catch (e) {
    const finished = claimOnFinishedRun(out, e);
    if (finished === undefined) throw e;
    return finished;
  }
  if (result.task?.lease_token) out.ownTokens.add(result.task.lease_token);
  out.result(result, () =>
    [
      claimText(runId, result, opts.task as string | undefined, opts.worktree === true),
      ...(opts.worktree === true && result.task ? worktreeShellLines(session.root, result.task) : []),
    ].join('\n'),
  );
  return result.task ? EXIT.ok : EXIT.nothingToClaim;
}

/** When the board cannot be read while a claim waits (a database outage), it looks again this soon. */
const LOOK_AGAIN_MS = 1_000;

/** Nothing is left to wait for: every task is done or cancelled. */
const allDone = (r: ClaimTaskResult) => r.reason === 'all_done';

/**
 * Claims again whenever the run changes (a commit by anyone, seen by the store's watcher), a retry
 * comes due or a lease runs out (the next claim requeues it), until a task is claimed or the
 * deadline passes, or every task is done or cancelled. Whatever else the reason: a person may add,
 * retry or requeue tasks meanwhile.
 */
async function waitForClaim(
  session: CliSession,
  runId: string,
  attempt: () => Promise<ClaimTaskResult>,
  first: ClaimTaskResult,
  deadline: number | undefined,
): Promise<ClaimTaskResult> {
  const store = session.store;
  const following = store.follow(() => undefined, runId);
  let changed = false;
  let wake: () => void = () => undefined;
  const stop = store.on({
    onCommit: (n) => {
      if (n.run_id !== runId) return;
      changed = true;
      wake();
    },
  });
  try {
    let result = first;
    while (!result.task && !allDone(result)) {
      const now = Date.now();
      if (deadline !== undefined && now >= deadline) break;
      // A board that cannot be read now (a database outage): look again in a second.
      const leaseEnds = await store.runIn(store.rootPaths()[0], runId).then(
        (h) => h?.state.index.nextLeaseExpiry(),
        () => now + LOOK_AGAIN_MS,
      );
      const until = Math.min(deadline ?? Infinity, result.next_retry_at_ms ?? Infinity, leaseEnds ?? Infinity);
      if (!changed) {
        await new Promise<void>((resolve) => {
          const timer = until === Infinity ? undefined : setTimeout(resolve, Math.max(0, until - now));
          wake = () => {
            if (timer) clearTimeout(timer);
            resolve();
          };
        });
      }
      changed = false;
      result = await attempt();
    }
    return result;
  } finally {
    stop();
    await following.close();
  }
}
