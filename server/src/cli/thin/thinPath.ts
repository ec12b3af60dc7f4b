// The thin path of the agent loop's commands (PROTOCOL.md §Routing; issue 18): when the root's
// server answers, a claim, heartbeat, complete, fail or release is one request on its socket and
// its answer printed — loading no engine, store, zod or commander (dist/cli-thin.js holds all of
// it; the full CLI is dist/cli-core.js). Whatever it cannot do so — no server, a lost connection —
// goes to the full CLI, which does it directly without trying to route again; a call already sent
// hands its command_id over (handOff.ts), so it is carried out once. The output, exit codes and
// errors are the full CLI's, from the same modules.
import type { StoreMethod } from '../../../../contract/schemas/params';
import { MethodCaller, RoutedCaller, debugNotes } from '../../routing/client';
import { routedCall } from '../../routing/routedCall';
import { activeWorktreeOf } from '../../../../contract/worktreeRefusals';
import { isTransient } from '../../../../contract/domainError';
import { worktreeOpen } from '../../../../contract/taskRules';
import { claimOnFinishedRun, claimParams, claimText, givenLeaseToken, leaseActionParams, leaseActionText } from '../agentLoopCalls';
import { resolveGlobals } from '../globalOptions';
import { handOver } from '../handOff';
import { EXIT, Output } from '../output';
import { runOfRoot } from '../runChoice';
import { directStandardStreams } from '../standardStreams';
import { UsageError } from '../usageError';
import type { ThinInvocation } from './thinArgs';

/** The methods the thin path calls that take a command_id (params.ts's takesCommandId for these three; a test holds them equal). */
export const thinTakesCommandId = (method: StoreMethod): boolean => method === 'claimTask' || method === 'transitionTask';

/** Thrown by the stand-in for the store: this call is the full CLI's. */
class ToFullCli extends Error {
  constructor(readonly sentCommandId: string | undefined) {
    super('to the full CLI');
  }
}

const fullCli: MethodCaller = {
  execute: (_method, params) => {
    throw new ToFullCli((params as { command_id?: string }).command_id);
  },
};

/** Does the invocation through the root's server and returns true, or returns false: the full CLI's to do. */
export async function thinPath(inv: ThinInvocation, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<boolean> {
  if (env.RUNBOARD_ROUTE === '0') return false;
  // An agent working in a task's worktree (claim --worktree exported it): completing settles the
  // worktree, which the full CLI does; its heartbeats, failures and releases stay thin. (Without
  // the export, the answer tells: see below.)
  if (env.RUNBOARD_WORKTREE && inv.command === 'complete') return false;
  const token = inv.command === 'claim' ? undefined : givenLeaseToken(inv.opts, env, inv.opts.task as string | undefined);
  // A lease action names its task or token; the full CLI says so.
  if (inv.command !== 'claim' && token === undefined && inv.opts.task === undefined) return false;
  const streams = directStandardStreams();
  const out = new Output(inv.globals.json === true, streams.stdout, streams.stderr);
  out.holding(inv.opts.token, env.RUNBOARD_LEASE_TOKEN);
  try {
    const g = resolveGlobals(inv.globals, env, cwd);
    const calls = new RoutedCaller(
      {
        root: g.root,
        durability: g.durability,
        env,
        note: debugNotes(env, (text) => streams.stderr.write(text)),
        takesCommandId: thinTakesCommandId,
      },
      () => fullCli,
    );
    // A server whose board cannot take the call for a moment (a database restarting) answers
    // STORAGE_ERROR `transient`: the full CLI rides that out (outageRetry.ts) with the same command_id.
    const riding = async <T>(commandId: string | undefined, send: () => Promise<T>): Promise<T> => {
      try {
        return await send();
      } catch (e) {
        if (isTransient(e)) throw new ToFullCli(commandId);
        throw e;
      }
    };
    // No run to choose: the full CLI says so, naming where the runs are (its PostgreSQL board: a reader of board.json the thin path leaves out).
    const runId =
      g.run ??
      (await riding(undefined, () => runOfRoot(calls, () => g.root, token)).catch((e: unknown) => {
        throw e instanceof UsageError ? new ToFullCli(undefined) : e;
      }));
    if (inv.command === 'claim') {
      const claim = routedCall('claimTask', claimParams(g, runId, inv.opts), true);
      const params = claim.params as ReturnType<typeof claimParams>;
      const result = claim.unstamp(await riding(params.command_id, () => calls.execute('claimTask', params)));
      if (result.task?.lease_token) out.ownTokens.add(result.task.lease_token);
      out.result(result, () => claimText(runId, result, params.task_id));
      process.exitCode = result.task ? EXIT.ok : EXIT.nothingToClaim;
    } else {
      const action = inv.command;
      const target = { runId, taskId: inv.opts.task as string | undefined, token };
      // A task with an active worktree is the full CLI's to complete (git looks at the worktree first,
      // worktreeCalls.ts completeTask): the board refuses it here (if_no_worktree), writing nothing.
      // Known ahead (RUNBOARD_WORKTREE) it goes there at once, above.
      const params = { ...leaseActionParams(g, action, target, inv.opts), ...(action === 'complete' ? { if_no_worktree: true } : {}) };
      const call = routedCall('transitionTask', params, true);
      const commandId = call.params.command_id as string | undefined;
      const result = call.unstamp(
        await riding(commandId, () => calls.execute('transitionTask', call.params as typeof params)).catch((e: unknown) => {
          throw activeWorktreeOf(e) ? new ToFullCli(commandId) : e;
        }),
      );
      // A worktree still on disk — made active since (a race), or kept by an earlier attempt (a task
      // cancelled, then reopened) — the full CLI settles, doing this call again by its command_id: carried out once.
      if (action === 'complete' && worktreeOpen(result.task)) throw new ToFullCli(commandId);
      out.result(result, () => leaseActionText(action, result));
      process.exitCode = EXIT.ok;
    }
    return true;
  } catch (e) {
    if (!(e instanceof ToFullCli)) {
      process.exitCode = (inv.command === 'claim' ? claimOnFinishedRun(out, e) : undefined) ?? out.failure(e);
      return true;
    }
    handOver({ commandId: e.sentCommandId });
    return false;
  }
  // The connection is not closed here: the process ends next (or the full CLI, which does not use
  // it, runs), and its end closes it — the socket keeps the process alive only while a request
  // waits. Destroying a socket makes node create process.stderr (net's _destroy compares the
  // socket with it): for a pipe, a millisecond of a routed call.
}
