// Archive Run and Restore Archived Run… (PROTOCOL.md §Archived runs). A run that is not finished,
// or whose tasks' worktrees are still on disk, is refused by the server (RUN_NOT_FINISHED,
// WORKTREES_OPEN); the editor then asks whether to archive it anyway, its leases requeued first.
// Restoring picks among the archived runs of the open folders.
import * as vscode from 'vscode';
import { firstLine, formatBytes, keptText } from '../../../contract/taskText';
import { runActions } from '../../../contract/runRules';
import { agentId } from '../config';
import { Requests } from '../../../server/src/protocol';
import type { RunboardContext } from '../context';
import { errorCode, errorInfo } from '../errors';
import { asRunRef, type RunRef } from '../runs/refs';
import { Cancelled, type CommandSpec } from './commandKit';
import { argField, runFromArg } from './prompts';

/** Archives the run (the caller reloads the runs it changed, once, and says what was done). */
function archive(ctx: RunboardContext, ref: RunRef, force: boolean) {
  return ctx.server.request(Requests.archiveRun, {
    root: ref.root,
    run_id: ref.run_id,
    by: agentId(vscode.Uri.file(ref.root)),
    ...(force ? { force: true } : {}),
  });
}

/** Archive Run: the run archived (forced when the person says so), then said, with Restore beside it. */
async function archiveOne(ctx: RunboardContext, ref: RunRef, force: boolean) {
  const result = await archive(ctx, ref, force);
  await ctx.model.reload([ref.root]);
  const a = result.archived;
  const left = (result.worktrees_left ?? []).map((w) => `${w.task_id} (${w.path}${w.state === 'kept' ? ', uncommitted changes' : ''})`);
  ctx.notify(
    left.length > 0 ? 'warning' : 'info',
    `Archived run “${a.objective || a.run_id}”: ${keptText(a)}.${left.length > 0 ? ` Task worktrees left on disk, listed nowhere now: ${left.join('; ')} — restore the run to settle them.` : ''}`,
    { Restore: () => vscode.commands.executeCommand('runboard.restoreRun', { root: a.root, run_id: a.run_id }) },
  );
  return result;
}

/** Refusals a person may overrule: a run not finished (its leases requeued first), worktrees still on disk. */
const ASK_TO_FORCE = ['RUN_NOT_FINISHED', 'WORKTREES_OPEN'];

function archiveRunCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.archiveRun',
    writes: true,
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, 'Archive which run?');
      const force = argField(arg, 'force', 'boolean');
      try {
        return await archiveOne(ctx, ref, force ?? false);
      } catch (e) {
        if (!ASK_TO_FORCE.includes(errorCode(e) ?? '') || force !== undefined) throw e;
        const answer = await vscode.window.showWarningMessage(errorInfo(e).message, { modal: true }, 'Archive Anyway');
        if (answer !== 'Archive Anyway') throw new Cancelled();
        return archiveOne(ctx, ref, true);
      }
    },
  };
}

function restoreRunCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.restoreRun',
    writes: true,
    run: async (arg) => {
      let ref = asRunRef(arg);
      if (!ref) {
        // limit 1: only the archived runs are wanted here (they are listed whole, apart from the live ones).
        const { archived = [] } = await ctx.server.request(Requests.listRuns, { archived: true, limit: 1 });
        if (archived.length === 0) {
          ctx.notify('info', 'No archived runs in the open folders.');
          throw new Cancelled();
        }
        const picked = await vscode.window.showQuickPick(
          archived.map((a) => ({
            label: a.objective || a.run_id,
            description: `${a.status} · archived ${new Date(a.archived_at_ms).toLocaleString()} by ${a.archived_by}`,
            detail: `${a.run_id} · ${formatBytes(a.archive_bytes)} (log ${formatBytes(a.log_bytes)})${a.reason ? ` · ${a.reason}` : ''}`,
            ref: { root: a.root, run_id: a.run_id },
          })),
          {
            title: 'Restore Archived Run',
            placeHolder: 'An archived run to bring back, whole',
            matchOnDescription: true,
            matchOnDetail: true,
          },
        );
        if (!picked) throw new Cancelled();
        ref = picked.ref;
      }
      const { run } = await ctx.server.request(Requests.restoreRun, { root: ref.root, run_id: ref.run_id });
      await ctx.model.reload([ref.root]);
      ctx.selection.select({ root: ref.root, run_id: run.run_id });
      return run;
    },
  };
}

/** Archive Finished Runs… (the disk warning's action): finished runs, the largest first, several at once. */
function archiveRunsCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.archiveRuns',
    writes: true,
    run: async () => {
      const finished = ctx.model
        .allRuns()
        .filter((e) => runActions(e.run.status).includes('archive'))
        .map((e) => ({ e, bytes: ctx.diskUsage.bytesOf(e.ref) ?? 0 }))
        .sort((a, b) => b.bytes - a.bytes);
      if (finished.length === 0) {
        ctx.notify('info', 'No finished run to archive.');
        throw new Cancelled();
      }
      const picked = await vscode.window.showQuickPick(
        finished.map(({ e, bytes }) => ({
          label: firstLine(e.run.objective, 80) || e.run.run_id,
          description: `${formatBytes(bytes)} · ${e.run.status}`,
          detail: `${e.run.run_id} · last changed ${new Date(e.run.updated_at_ms).toLocaleString()}`,
          ref: e.ref,
        })),
        {
          title: 'Archive Finished Runs',
          placeHolder: 'The runs to archive (largest first); they can be restored whole',
          canPickMany: true,
        },
      );
      if (!picked || picked.length === 0) throw new Cancelled();
      const done: string[] = [];
      for (const p of picked) done.push((await archive(ctx, p.ref, false)).archived.run_id);
      // Once for all of them: the roots they were in.
      await ctx.model.reload([...new Set(picked.map((p) => p.ref.root))]);
      await ctx.diskUsage.refresh();
      ctx.notify('info', `Archived ${done.length} run${done.length === 1 ? '' : 's'}. Restore Archived Run… brings them back.`);
      return done;
    },
  };
}

/** Compact Run: a finished run stays in the tree, its log kept compressed until its next change. */
function compactRunCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.compactRun',
    writes: true,
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, 'Compact which run?', 'archive');
      const { compacted } = await ctx.server.request(Requests.compactRun, {
        root: ref.root,
        run_id: ref.run_id,
        by: agentId(vscode.Uri.file(ref.root)),
      });
      await ctx.diskUsage.refresh();
      ctx.notify(
        'info',
        `Compacted run “${compacted.objective || compacted.run_id}”: ${keptText(compacted)}. It stays here; its next change restores it.`,
      );
      return compacted;
    },
  };
}

export function archiveCommands(ctx: RunboardContext): CommandSpec[] {
  return [archiveRunCommand(ctx), restoreRunCommand(ctx), archiveRunsCommand(ctx), compactRunCommand(ctx)];
}
