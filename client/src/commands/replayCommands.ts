// Checkpoints and replay: create a checkpoint; replay from the latest checkpoint, from scratch or
// up to a chosen seq; show drift. A replay opens VS Code's diff editor over two read-only
// documents (persisted state ↔ replayed state, pretty JSON with sorted keys), with the drift flags
// in the title and in a notification.
import { replayFindings, replayVerdict } from '../../../contract/replayText';
import * as vscode from 'vscode';
import type { ReplayResult } from '../../../contract/results';
import { Requests } from '../../../server/src/protocol';
import type { RunboardContext } from '../context';
import type { RunRef } from '../runs/refs';
import { allEvents } from '../runs/runEvents';
import { firstLine } from '../../../contract/taskText';
import { Cancelled, type CommandSpec } from './commandKit';
import { argField, askText, runFromArg } from './prompts';

export type ReplayMode = 'checkpoint' | 'scratch' | 'upto';

export interface ReplayOutcome {
  result: ReplayResult;
  left: vscode.Uri;
  right: vscode.Uri;
  title: string;
  /** Drift: what differs after a replay of the whole log (empty for a replay to an earlier seq, whose differences are changes since). */
  driftFlags: string[];
  /** For a replay to an earlier seq: the seq, and what changed since. */
  changesSince?: { seq: number; flags: string[] };
}

async function pickSeq(ctx: RunboardContext, ref: RunRef): Promise<number> {
  // The picker lists newest first.
  const events = await allEvents(ctx, ref);
  const picked = await vscode.window.showQuickPick(
    events
      .slice()
      .reverse()
      .map((e) => ({
        label: `#${e.seq} ${e.type}`,
        description: `${e.status}${e.task_id ? ` · ${e.task_id}` : ''}${e.step_id ? ` · ${e.step_id}` : ''}`,
        detail: new Date(e.ts_ms).toLocaleString(),
        seq: e.seq,
      })),
    { placeHolder: 'Replay up to which event?', title: 'Replay Up To…', matchOnDescription: true },
  );
  if (!picked) throw new Cancelled();
  return picked.seq;
}

async function runReplay(
  ctx: RunboardContext,
  ref: RunRef,
  mode: ReplayMode,
  uptoSeq?: number,
  checkpointId?: string,
): Promise<ReplayOutcome> {
  const modeLabel = checkpointId
    ? `from checkpoint ${checkpointId}`
    : mode === 'scratch'
      ? 'from scratch'
      : mode === 'upto'
        ? `up to #${uptoSeq}`
        : 'from the latest checkpoint';
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Replaying run ${ref.run_id} ${modeLabel}…`, cancellable: false },
    () =>
      ctx.server.request(Requests.replay, {
        root: ref.root,
        run_id: ref.run_id,
        from_checkpoint: mode !== 'scratch',
        checkpoint_id: checkpointId,
        upto_seq: mode === 'upto' ? uptoSeq : undefined,
      }),
  );
  // A replay's drift, or its absence, is news for the attention list (no commit says it).
  ctx.attention.refreshSoon();
  const findings = replayFindings(result);
  const verdict = replayVerdict(findings);
  const { left, right } = ctx.documents.addReplay(
    ref.run_id,
    { run: result.persisted, blackboard: result.persisted_blackboard },
    { run: result.replay, blackboard: result.replay_blackboard },
  );
  const base = result.checkpoint_seq === null ? 'scratch' : `checkpoint #${result.checkpoint_seq}`;
  const name = firstLine(ctx.model.get(ref)?.run.objective ?? '', 40) || ref.run_id;
  const upto = result.replay.last_event_seq;
  const events = `${result.events_applied} event${result.events_applied === 1 ? '' : 's'}`;
  const title = `Replay “${name}” to #${upto} (from ${base}, ${events}): persisted ↔ replayed — ${verdict}`;
  await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: false });
  if (findings.since !== undefined) {
    ctx.notify('info', `Replay of ${ref.run_id} ${modeLabel}: ${verdict}`);
  } else if (findings.flags.length) {
    ctx.notify('warning', `Replay of ${ref.run_id} ${modeLabel} differs from the persisted state: ${verdict}`);
  } else {
    ctx.notify('info', `Replay of ${ref.run_id} ${modeLabel} (${events} from ${base}) matches the persisted state: no drift.`);
  }
  const drift = findings.since === undefined ? findings.flags : [];
  return {
    result,
    left,
    right,
    title,
    driftFlags: drift,
    ...(findings.since !== undefined ? { changesSince: { seq: findings.since, flags: findings.flags } } : {}),
  };
}

export function replayCommands(ctx: RunboardContext): CommandSpec[] {
  return [
    {
      id: 'runboard.createCheckpoint',
      writes: true,
      run: async (arg) => {
        const ref = await runFromArg(ctx, arg, 'Checkpoint which run?');
        const reason = await askText(arg, 'reason', {
          title: 'Create Checkpoint',
          prompt: 'Why this checkpoint? (a note)',
          value: 'manual checkpoint',
        });
        const { checkpoint } = await ctx.server.request(Requests.createCheckpoint, { root: ref.root, run_id: ref.run_id, reason });
        ctx.runsTree.refreshRun(ref);
        ctx.notify('info', `Checkpoint ${checkpoint.checkpoint_id} of ${ref.run_id} at seq ${checkpoint.seq}.`);
        return { checkpoint_id: checkpoint.checkpoint_id, seq: checkpoint.seq, reason: checkpoint.reason };
      },
    },
    {
      id: 'runboard.replay',
      run: async (arg) => {
        const ref = await runFromArg(ctx, arg, 'Replay which run?');
        let mode = argField(arg, 'mode', 'string') as ReplayMode | undefined;
        const checkpointId = argField(arg, 'checkpoint_id', 'string');
        if (!mode && !checkpointId) {
          const picked = await vscode.window.showQuickPick(
            [
              {
                label: '$(bookmark) From the latest checkpoint',
                detail: 'Folds the events after the newest readable checkpoint',
                mode: 'checkpoint' as const,
              },
              { label: '$(debug-restart) From scratch', detail: 'Folds every event from seq 1', mode: 'scratch' as const },
              { label: '$(list-ordered) Up to an event…', detail: 'Pick the last event to fold', mode: 'upto' as const },
            ],
            { placeHolder: 'Replay how?', title: 'Replay Run' },
          );
          if (!picked) throw new Cancelled();
          mode = picked.mode;
        }
        let upto = argField(arg, 'upto_seq', 'number');
        if (mode === 'upto' && upto === undefined) upto = await pickSeq(ctx, ref);
        return runReplay(ctx, ref, mode ?? 'checkpoint', upto, checkpointId);
      },
    },
    {
      id: 'runboard.replayFromCheckpoint',
      run: async (arg) => {
        const ref = await runFromArg(ctx, arg);
        const checkpointId = argField(arg, 'checkpoint', 'object') as { checkpoint_id?: string } | undefined;
        return runReplay(ctx, ref, 'checkpoint', undefined, checkpointId?.checkpoint_id ?? argField(arg, 'checkpoint_id', 'string'));
      },
    },
    {
      id: 'runboard.showDrift',
      run: async (arg) => {
        const ref = await runFromArg(ctx, arg, 'Check which run for drift?');
        return runReplay(ctx, ref, 'scratch');
      },
    },
  ];
}
