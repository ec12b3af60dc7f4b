// Complete Run and Fail Run (finishRun). Completing while tasks are in progress is refused by the
// server (TASKS_IN_PROGRESS); the editor then asks whether to complete anyway.
import * as vscode from 'vscode';
import { Requests } from '../../../server/src/protocol';
import type { RunboardContext } from '../context';
import { errorCode, errorInfo } from '../errors';
import type { RunRef } from '../runs/refs';
import { Cancelled, type CommandSpec } from './commandKit';
import { argField, askText, runFromArg } from './prompts';

async function finish(ctx: RunboardContext, ref: RunRef, status: 'completed' | 'failed', reason: string, force: boolean) {
  const { run } = await ctx.server.request(Requests.finishRun, {
    root: ref.root,
    run_id: ref.run_id,
    status,
    ...(reason.trim() ? { reason: reason.trim() } : {}),
    ...(force ? { force: true } : {}),
  });
  ctx.model.accept(ref, run);
  return run;
}

function completeRunCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.completeRun',
    writes: true,
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, 'Complete which run?', 'complete');
      const reason = argField(arg, 'reason', 'string') ?? '';
      const force = argField(arg, 'force', 'boolean') ?? false;
      try {
        return await finish(ctx, ref, 'completed', reason, force);
      } catch (e) {
        if (errorCode(e) !== 'TASKS_IN_PROGRESS' || argField(arg, 'force', 'boolean') !== undefined) throw e;
        const answer = await vscode.window.showWarningMessage(errorInfo(e).message, { modal: true }, 'Complete Anyway');
        if (answer !== 'Complete Anyway') throw new Cancelled();
        return finish(ctx, ref, 'completed', reason, true);
      }
    },
  };
}

function failRunCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.failRun',
    writes: true,
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, 'Fail which run?', 'fail');
      const reason = await askText(arg, 'reason', { title: 'Fail Run', prompt: 'Why did the run fail? (kept in the run)' });
      return finish(ctx, ref, 'failed', reason, false);
    },
  };
}

export function runFinishCommands(ctx: RunboardContext): CommandSpec[] {
  return [completeRunCommand(ctx), failRunCommand(ctx)];
}
