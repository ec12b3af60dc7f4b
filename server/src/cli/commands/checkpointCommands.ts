// checkpoint, checkpoints, replay, repair.
import { replayFindings, replayVerdict } from '../../../../contract/replayText';
import { nothingRestoredText, restoreSourceText, whatComesBack } from '../../../../contract/repairText';
import { RepairRunResult } from '../../../../contract/results';
import { clockTime } from '../humanFormat';
import { Invocation } from '../invocation';
import { UsageError } from '../usageError';
import { renderTable } from '../table';

export async function checkpoint({ session, out, args, opts }: Invocation): Promise<void> {
  const result = await session.execute('createCheckpoint', {
    run_id: await session.runId(args[0]),
    reason: (opts.reason as string | undefined) ?? 'checkpoint from the CLI',
  });
  const c = result.checkpoint;
  out.result(result, () => `Checkpoint ${c.checkpoint_id} of run ${c.run_id} at seq ${c.seq}.`);
}

export async function checkpoints({ session, out, args }: Invocation): Promise<void> {
  const result = await session.execute('listCheckpoints', { run_id: await session.runId(args[0]) });
  out.result(result, () =>
    result.checkpoints.length === 0
      ? 'No checkpoints.'
      : renderTable(
          ['CHECKPOINT', 'SEQ', 'TIME', 'REASON'],
          result.checkpoints.map((c) => [c.checkpoint_id, String(c.seq), clockTime(c.ts_ms), c.unreadable ? '(unreadable)' : c.reason]),
        ),
  );
}

export async function replay({ session, out, args, opts }: Invocation): Promise<void> {
  if (opts.fromScratch === true && opts.checkpoint !== undefined)
    throw new UsageError('--from-scratch and --checkpoint say two places to start from: give one.');
  const result = await session.execute('replay', {
    run_id: await session.runId(args[0]),
    upto_seq: opts.upto as number | undefined,
    from_checkpoint: opts.fromScratch === true ? false : undefined,
    checkpoint_id: opts.checkpoint as string | undefined,
  });
  out.result(result, () => {
    const base = result.from_checkpoint ? `checkpoint at seq ${result.checkpoint_seq}` : 'scratch';
    return [
      `Replayed ${result.events_applied} events of run ${result.run_id} from ${base} up to seq ${result.replay.last_event_seq}.`,
      `  replayed   ${result.replay.status}, ${result.replay_blackboard.tasks.length} tasks, blackboard rev ${result.replay_blackboard.revision}`,
      `  persisted  ${result.persisted.status}, ${result.persisted_blackboard.tasks.length} tasks, blackboard rev ${result.persisted_blackboard.revision}`,
      replayVerdict(replayFindings(result)),
    ].join('\n');
  });
}

export async function repair({ session, out, args, opts }: Invocation): Promise<void> {
  const run_id = await session.runId(args[0]);
  if (opts.accept === true && opts.restore === true) throw new UsageError('Use --restore or --accept, not both.');
  const result = await session.execute('repairRun', { run_id, accept: opts.accept === true, restore: opts.restore === true });
  out.result(result, () => {
    if (result.damage.length === 0) return `Run ${run_id} has no damaged lines.`;
    const lines = result.damage.map((d) => `  ${d.file}:${d.line}  ${d.message}`);
    return [`Run ${run_id}: ${result.damage.length} damaged line(s):`, ...lines, repairOutcome(run_id, result)].join('\n');
  });
}

function repairOutcome(runId: string, { damage, restore, event }: RepairRunResult): string {
  const offer = restore?.available ? restore : undefined;
  const source = offer && restoreSourceText(offer);
  const what = offer && whatComesBack(offer);
  if (event) {
    const restored = (event.payload as { restored?: unknown }).restored !== undefined;
    return restored
      ? `Restored from ${source}: ${what}. Recorded at seq ${event.seq}; writes resume.`
      : `Recorded as accepted at seq ${event.seq}; writes resume.`;
  }
  const accept = `\`runboard repair ${runId} --accept\` records that they are gone (the lines stay; folding goes around them).`;
  if (offer)
    return `The run is read-only while these stay. ${source} predate the damage: \`runboard repair ${runId} --restore\` puts back ${what}. Or ${accept}`;
  return `The run is read-only while these stay. ${nothingRestoredText(damage, restore)} ${accept}`;
}
