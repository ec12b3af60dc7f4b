// runs, run create|show|events|pause|resume|cancel|reopen, event append.
import { summarizeBoard } from '../boardSummary';
import { archivedTable, eventLine, runDetails, runsTable } from '../humanFormat';
import { keptText } from '../../../../contract/taskText';
import { evalSafe } from '../agentLoopCalls';
import { Invocation } from '../invocation';
import { UsageError } from '../usageError';
import { archiveDue } from '../../service/archiveDue';
import { isTerminal, RUN_STATUSES, RunStatus } from '../../../../contract/statuses';
import { runActions } from '../../../../contract/runRules';
import { stepsFromObjective } from '../../../../contract/planSteps';
import { KNOWN_RUN_EVENT_TYPES } from '../../engine/runTransitions';
import { nearestName } from '../../../../contract/nearestName';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BOARD_CONFIG_FILE, EVENTS_FILE, RUNBOARD_DIR, RUNS_DIR } from '../../../../contract/layout';
import { readBoardConfig } from '../../store/boardConfig';
import { boardPlace } from '../runsPlace';

export async function runs({ session, out, opts }: Invocation): Promise<void> {
  const result = await session.execute('listRuns', {
    status: opts.status as RunStatus | undefined,
    limit: opts.limit as number | undefined,
    ...(opts.archived ? { archived: true } : {}),
    sizes: true,
  });
  // An empty board says which board it is: a misspelt name in board.json opens an empty one.
  const nothing = result.runs.length === 0 && (result.unreadable ?? []).length === 0 && !result.archived?.length;
  const board = nothing ? boardPlace(session.root) : undefined;
  out.result(result, () =>
    [
      board !== undefined ? `No runs on ${board}.` : runsTable(result.runs, result.unreadable, result.sizes, result.archived !== undefined),
      ...(result.archived ? ['', archivedTable(result.archived)] : []),
    ].join('\n'),
  );
  for (const line of await fileRunsBeside(session)) out.warn(line);
}

/**
 * Runs kept in the folder's files while its board.json names a database board: no command sees
 * them (the board is the database). Said on stderr, with how one moves over, so that adding
 * board.json does not look like losing them; those imported already are said as a copy left over
 * (until this change they were said as not moved, and the import offered failed with RUN_EXISTS).
 */
async function fileRunsBeside(session: Invocation['session']): Promise<string[]> {
  const root = session.root;
  let config: ReturnType<typeof readBoardConfig>;
  try {
    config = readBoardConfig(root);
  } catch {
    return [];
  }
  if (config.store !== 'postgres') return [];
  let ids: string[];
  try {
    ids = fs
      .readdirSync(path.join(root, RUNBOARD_DIR, RUNS_DIR), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
  const onBoard = await Promise.all(
    ids.map((id) =>
      session.execute('getRun', { run_id: id }).then(
        () => true,
        () => false,
      ),
    ),
  );
  const shown = (list: string[]) => list.slice(0, 5).join(', ') + (list.length > 5 ? ` and ${list.length - 5} more` : '');
  const count = (list: string[], one: string, many: string) => `${list.length} run${list.length === 1 ? one : many}`;
  const kept = ids.filter((_, i) => !onBoard[i]);
  const copied = ids.filter((_, i) => onBoard[i]);
  const where = path.join(RUNBOARD_DIR, RUNS_DIR, '<run>');
  return [
    ...(kept.length > 0
      ? [
          `runboard: ${count(kept, ' is', 's are')} kept in this folder's files (${shown(kept)}), not on PostgreSQL board ${config.board} that ${BOARD_CONFIG_FILE} names: ` +
            `runboard run import ${path.join(where, EVENTS_FILE)} copies one onto it.`,
        ]
      : []),
    ...(copied.length > 0
      ? [
          `runboard: ${count(copied, '', 's')} in this folder's files (${shown(copied)}) ${copied.length === 1 ? 'is' : 'are'} on board ${config.board} too: ` +
            `the files are a copy no command reads any more — remove ${where} once you no longer need it.`,
        ]
      : []),
  ];
}

/** The store says a run it moved away ends in this process ("Run r was archived: …"): the command's own output says that. */
function forgetOwnMove(session: Invocation['session'], runId: string): void {
  session.forgetDiagnostics((d) => d.run_id === runId && d.message.startsWith(`Run ${runId} was `));
}

export async function runArchive(inv: Invocation): Promise<void> {
  const { session, out, args, opts } = inv;
  if (opts.olderThan !== undefined) return archiveOlder(inv, opts.olderThan as number);
  const result = await session.execute('archiveRun', {
    run_id: await session.runId(args[0]),
    ...(opts.force ? { force: true } : {}),
    reason: opts.reason as string | undefined,
    by: session.agent,
  });
  const a = result.archived;
  forgetOwnMove(session, a.run_id);
  const did = result.already_archived
    ? `Run ${a.run_id} was archived already (${new Date(a.archived_at_ms).toISOString()})`
    : `Archived run ${a.run_id}`;
  out.result(result, () =>
    [
      `${did}: ${keptText(a)}; restore it with \`runboard run restore ${a.run_id}\`.`,
      ...(result.requeued.length > 0 ? [`Requeued first: ${result.requeued.join(', ')}`] : []),
      ...(result.worktrees_left ?? []).map(
        (w) =>
          `Left on disk, listed nowhere now: the worktree of ${w.task_id} at ${w.path} (branch ${w.branch}${w.state === 'kept' ? ', with uncommitted changes' : ''}); restore the run to settle it.`,
      ),
    ].join('\n'),
  );
}

/** run archive --older-than: every finished run not changed for that many days. */
async function archiveOlder({ session, out, args, opts }: Invocation, days: number): Promise<void> {
  if (args[0] !== undefined || opts.force)
    throw new UsageError('--older-than archives every finished run that old: name no run, and no --force.');
  if (days < 1) throw new UsageError('--older-than takes a number of days, 1 or more.');
  const result = await archiveDue(session, [session.root], days, session.agent, Date.now());
  for (const a of result.archived) forgetOwnMove(session, a.run_id);
  const span = `${days} day${days === 1 ? '' : 's'}`;
  out.result(result, () =>
    [
      result.archived.length > 0
        ? `Archived ${result.archived.length} run(s) finished more than ${span} ago: ${result.archived.map((a) => a.run_id).join(', ')}`
        : `No finished run is unchanged for more than ${span}.`,
      ...result.skipped.map((s) => `Not archived: ${s.run_id}: ${s.message}`),
    ].join('\n'),
  );
}

export async function runCompact({ session, out, args }: Invocation): Promise<void> {
  const result = await session.execute('compactRun', { run_id: await session.runId(args[0]), by: session.agent });
  const c = result.compacted;
  forgetOwnMove(session, c.run_id);
  out.result(result, () => `Compacted run ${c.run_id}: ${keptText(c)}; it stays listed, and its next change restores it.`);
}

export async function runRestore({ session, out, args }: Invocation): Promise<void> {
  const result = await session.execute('restoreRun', { run_id: args[0]! });
  const { run_id, status, last_event_seq } = result.run;
  out.result(result, () =>
    result.already_live
      ? `Run ${run_id} is live (${status}, ${last_event_seq} events): it was not archived or compacted, so there is nothing to restore.`
      : `Restored run ${run_id} (${status}, ${last_event_seq} events).`,
  );
}

export async function runCreate({ session, out, args, opts }: Invocation): Promise<void> {
  const canonical = opts.workspace as string | undefined;
  const objective = args[0]!;
  const steps = stepsFromObjective(objective);
  const result = await session.execute(
    'createRun',
    session.withCommandId({
      objective,
      ...(steps.length > 0 ? { steps } : {}),
      ...(opts.autoFinish ? { auto_finish: true } : {}),
      run_id: opts.id as string | undefined,
      run_type: opts.type as string | undefined,
      source_client: (opts.source as string | undefined) ?? 'runboard-cli',
      ...(canonical !== undefined ? { workspace: { canonical_path: canonical } } : {}),
    }),
  );
  // Comments and one export, as claim prints: `eval "$(runboard run create …)"` makes it the run of
  // this shell's later commands (needed only while other runs are open).
  out.result(result, () =>
    evalSafe(
      [`Created run ${result.run.run_id} in ${session.root}`, ...result.run.steps.map((s) => `  ${s.step_id.padEnd(8)} ${s.title}`)],
      { RUNBOARD_RUN: result.run.run_id },
    ),
  );
}

export async function runShow({ session, out, args }: Invocation): Promise<void> {
  const result = await session.execute('getRun', { run_id: await session.runId(args[0]) });
  const damage = result.damage ?? [];
  session.forgetDiagnostics((d) => damage.some((l) => l.file === d.file && l.line === d.line));
  out.result(result, () => {
    const shown = runDetails(result.run, summarizeBoard(result.run, result.blackboard), result.blackboard);
    const { archived: a, compacted: c } = result;
    const held = a
      ? `ARCHIVED ${new Date(a.archived_at_ms).toISOString()} by ${a.archived_by}${a.reason ? ` (${a.reason})` : ''}: read-only; \`runboard run restore ${a.run_id}\` brings it back.`
      : c
        ? `COMPACTED ${new Date(c.archived_at_ms).toISOString()}: ${keptText(c)}; its next change restores it.`
        : undefined;
    const details = held ? `${shown}\n\n${held}` : shown;
    if (!result.damage) return details;
    const where = result.damage.map((d) => `  ${d.file}:${d.line}  ${d.message}`).join('\n');
    return `${details}\n\nREAD-ONLY: the log has lines that cannot be folded (shown around them):\n${where}\nSee \`runboard repair ${result.run.run_id}\`.`;
  });
}

export async function runEvents({ session, out, args, opts }: Invocation): Promise<void> {
  const result = await session.execute('listEvents', {
    run_id: await session.runId(args[0]),
    since_seq: opts.since as number | undefined,
    tail: opts.tail as number | undefined,
    limit: opts.limit as number | undefined,
  });
  out.result(result, () => {
    const lines = result.events.map(eventLine);
    if (result.next_since_seq !== undefined) lines.push(`… more after seq ${result.next_since_seq} (use --since ${result.next_since_seq})`);
    return lines.length > 0 ? lines.join('\n') : 'No events.';
  });
}

/** pause/resume/cancel/reopen/approve: the run events of the transition table, with the status they lead to. */
const STEERING: Record<'pause' | 'resume' | 'cancel' | 'reopen' | 'approve', { type: string; status: RunStatus; done: string }> = {
  approve: { type: 'plan_approved', status: 'running', done: 'Approved the plan of' },
  pause: { type: 'run_paused', status: 'paused', done: 'Paused' },
  resume: { type: 'run_resumed', status: 'running', done: 'Resumed' },
  cancel: { type: 'run_cancelled', status: 'cancelled', done: 'Cancelled' },
  reopen: { type: 'run_reopened', status: 'running', done: 'Reopened' },
};

/**
 * What a verb does to a run of this status that it does not fit (runActions, the editor's menus):
 * nothing, said — `reopen` of a paused run resumed it, `pause` twice wrote two pauses. Undefined
 * when it fits, or when it is the engine's to refuse (a finished run: RUN_TERMINAL).
 */
function misfit(
  name: keyof typeof STEERING,
  run: { run_id: string; status: RunStatus },
): { already: string } | { wrong: string } | undefined {
  if (name === 'cancel' || runActions(run.status).includes(name)) return undefined;
  const finished = isTerminal(run.status);
  if (name === 'pause' && run.status === 'paused') return { already: `Run ${run.run_id} is paused already; nothing written.` };
  if (name === 'resume' && !finished)
    return { already: `Run ${run.run_id} is ${run.status}, not paused: nothing to resume; nothing written.` };
  if (name === 'approve' && !finished)
    return { already: `Run ${run.run_id} is ${run.status}: no plan waits for approval; nothing written.` };
  if (name === 'reopen' && !finished) {
    const resume = run.status === 'paused' ? ' `runboard run resume` resumes a paused run.' : '';
    return { wrong: `Run ${run.run_id} is ${run.status}, not finished: there is nothing to reopen.${resume}` };
  }
  return undefined;
}

async function steer(name: keyof typeof STEERING, { session, out, args, opts }: Invocation): Promise<void> {
  const s = STEERING[name];
  const reason = opts.reason as string | undefined;
  const runId = await session.runId(args[0]);
  const { run } = await session.execute('getRun', { run_id: runId });
  const off = misfit(name, run);
  if (off && 'wrong' in off) throw new UsageError(off.wrong);
  if (off) return out.result({ run }, () => off.already);
  const result = await session.execute(
    'appendEvent',
    session.withCommandId({
      run_id: runId,
      type: s.type,
      status: s.status,
      ...(reason !== undefined ? { payload: { reason } } : {}),
    }),
  );
  out.result(
    result,
    () => `${s.done} run ${result.run.run_id}: now ${result.run.status} (event #${result.event.seq} ${result.event.type})`,
  );
}

/** run complete / run fail: finishRun, which refuses to complete while tasks are in progress unless --force. */
async function finish(status: 'completed' | 'failed', { session, out, args, opts }: Invocation): Promise<void> {
  const result = await session.execute(
    'finishRun',
    session.withCommandId({
      run_id: await session.runId(args[0]),
      status,
      reason: opts.reason as string | undefined,
      ...(opts.force ? { force: true } : {}),
    }),
  );
  const pending = result.run.tasks.filter((t) => t.status === 'pending' || t.status === 'runnable').length;
  out.result(result, () =>
    [
      `${status === 'completed' ? 'Completed' : 'Failed'} run ${result.run.run_id} (event #${result.event.seq} ${result.event.type}).`,
      ...(pending > 0 ? [`  ${pending} task${pending === 1 ? '' : 's'} left pending; \`runboard run reopen\` to go on with them.`] : []),
    ].join('\n'),
  );
}

/** run rebind: rebindWorkspace to the session's root — what the editor's Rebind Workspace does for its folder. */
export async function rebind({ session, out, args }: Invocation): Promise<void> {
  const runId = await session.runId(args[0]);
  const before = (await session.execute('getRun', { run_id: runId })).run;
  const { run } = await session.execute('rebindWorkspace', session.withCommandId({ run_id: runId, current_path: session.root }));
  const from = before.workspace.canonical_path ? ` (was ${before.workspace.canonical_path})` : '';
  const resumed =
    before.status === 'paused' && run.status !== 'paused' ? `; it was paused for the other folder and is ${run.status} again` : '';
  out.result({ run }, () => `Bound run ${run.run_id} to ${run.workspace.canonical_path}${from}${resumed}.`);
}

export const complete = (inv: Invocation) => finish('completed', inv);
export const fail = (inv: Invocation) => finish('failed', inv);
export const pause = (inv: Invocation) => steer('pause', inv);
export const resume = (inv: Invocation) => steer('resume', inv);
export const cancel = (inv: Invocation) => steer('cancel', inv);
export const reopen = (inv: Invocation) => steer('reopen', inv);
export const approve = (inv: Invocation) => steer('approve', inv);

export async function eventAppend({ session, out, args, opts }: Invocation): Promise<void> {
  const runId = await session.runId();
  const near = nearestName(args[0]!, KNOWN_RUN_EVENT_TYPES);
  if (near)
    out.warn(`runboard: "${args[0]}" is not an event type Runboard knows; did you mean "${near}"? It is recorded as a custom event.`);
  let status = opts.status as string | undefined;
  if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${RUN_STATUSES.join(', ')}.`);
  }
  status ??= (await session.execute('getRun', { run_id: runId })).run.status;
  const result = await session.execute(
    'appendEvent',
    session.withCommandId({
      run_id: runId,
      type: args[0]!,
      status: status as RunStatus,
      step_id: opts.step as string | undefined,
      ...(opts.payload !== undefined ? { payload: parseJson('--payload', opts.payload as string) } : {}),
    }),
  );
  out.result(result, () => `${eventLine(result.event)}\nRun ${result.run.run_id} is ${result.run.status}.`);
}

export function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}
