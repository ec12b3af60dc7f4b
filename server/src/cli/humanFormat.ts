// Human renderings of the protocol's records: runs, tasks, events, times.
import { Blackboard, EventRecord, RunRecord, Task } from '../../../contract/schemas/records';
import type { ArchivedRunInfo, ListRunsResult, UnreadableRun } from '../../../contract/results';
import { BoardSummary } from './boardSummary';
import { oneLine, renderTable } from './table';
import { runStatusText, statusReasonShown } from '../../../contract/runRules';
import { firstLine, formatBytes, payloadTitle, taskAgent, waitText } from '../../../contract/taskText';
import { awaitsMerge, waitReasons } from '../../../contract/taskRules';
import { blackboardLine, openQuestionLines } from './blackboardFormat';

export function relativeTime(ms: number, now = Date.now()): string {
  const d = ms - now;
  const abs = Math.abs(d);
  const text =
    abs < 1000
      ? `${abs}ms`
      : abs < 120_000
        ? `${Math.round(abs / 1000)}s`
        : abs < 7_200_000
          ? `${Math.round(abs / 60_000)}m`
          : `${Math.round(abs / 3_600_000)}h`;
  return d >= 0 ? `in ${text}` : `${text} ago`;
}

export function clockTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** The title a person gave a task, if its payload has one (tables leave it blank otherwise). */
export function taskTitle(task: Task): string {
  return payloadTitle(task) ?? '';
}

/** The runs as a table; `live`: archived ones are listed beside them, so an empty list says "No live runs." */
export function runsTable(runs: RunRecord[], unreadable: UnreadableRun[] = [], sizes: ListRunsResult['sizes'] = [], live = false): string {
  const problems = unreadable.map((u) => `${u.run_id}: UNREADABLE — ${u.message}`).join('\n');
  if (runs.length === 0) return problems ? `No readable runs.\n${problems}` : live ? 'No live runs.' : 'No runs.';
  const size = new Map(sizes.map((s) => [s.run_id, `${formatBytes(s.bytes)}${s.compacted ? ' (compacted)' : ''}`]));
  return (
    renderTable(
      ['RUN', 'STATUS', 'TASKS', 'UPDATED', 'SIZE', 'OBJECTIVE'],
      runs.map((r) => [
        r.run_id,
        runStatusText(r),
        taskCounts(r.tasks),
        relativeTime(r.updated_at_ms),
        size.get(r.run_id) ?? '',
        firstLine(r.objective, 50),
      ]),
    ) + (problems ? `\n${problems}` : '')
  );
}

/** The archived runs (listRuns with archived): when, by whom, and what they take on disk. */
export function archivedTable(archived: ArchivedRunInfo[]): string {
  if (archived.length === 0) return 'No archived runs.';
  return (
    'Archived:\n' +
    renderTable(
      ['RUN', 'STATUS', 'ARCHIVED', 'BY', 'SIZE', 'OBJECTIVE'],
      archived.map((a) => [
        a.run_id,
        a.status,
        relativeTime(a.archived_at_ms),
        a.archived_by,
        `${formatBytes(a.archive_bytes)} (log ${formatBytes(a.log_bytes)})`,
        firstLine(a.objective, 50),
      ]),
    )
  );
}

/** "3/5" tasks done, with "(1 cancelled)" when some were withdrawn. */
function taskCounts(tasks: Task[]): string {
  const cancelled = tasks.filter((t) => t.status === 'cancelled').length;
  return `${tasks.filter((t) => t.status === 'done').length}/${tasks.length}${cancelled > 0 ? ` (${cancelled} cancelled)` : ''}`;
}

export function tasksTable(tasks: Task[], now = Date.now()): string {
  if (tasks.length === 0) return 'No tasks.';
  return renderTable(
    ['TASK', 'STATUS', 'TYPE', 'FAILED', 'AGENT', 'LEASE', 'DEPENDS ON', 'TITLE'],
    tasks.map((t) => [
      t.id,
      t.status,
      t.task_type,
      `${t.attempt}/${t.max_attempts}`,
      taskAgent(t) ?? '',
      t.lease_expires_at_ms !== undefined ? relativeTime(t.lease_expires_at_ms, now) : '',
      t.depends_on_task_ids.join(','),
      oneLine(taskTitle(t), 40),
    ]),
  );
}

/**
 * Lines under a task table for the tasks a cancel touched: why one was cancelled (by whom, and the
 * task whose cancel took it along), and which wait on a cancelled one — nothing but a person moves those.
 */
export function cancelNotes(tasks: Task[], run: RunRecord, now = Date.now()): string[] {
  const byId = new Map(run.tasks.map((t) => [t.id, t]));
  return tasks.flatMap((t) => {
    const reasons = waitReasons(t, run, byId, now).filter((r) => r.kind === 'cancelled' || r.kind === 'dependency_cancelled');
    if (reasons.length === 0) return [];
    return [`  ${t.id}: ${reasons.map((r) => waitText(r, now)).join('; ')}`];
  });
}

/** A line under a task table naming the done tasks whose branches wait to be merged (§Worktrees). */
export function mergeNotes(tasks: Task[], run: RunRecord): string[] {
  const waiting = tasks.filter(awaitsMerge).map((t) => t.id);
  if (waiting.length === 0) return [];
  return [`  not merged yet: ${waiting.join(', ')} (runboard --run ${run.run_id} tasks merge <task_id>)`];
}

/** The table of `tasks` (of `run`) and, under it, the cancel notes and the branches not merged yet. */
export function tasksOfRun(tasks: Task[], run: RunRecord, now = Date.now()): string {
  const notes = [...cancelNotes(tasks, run, now), ...mergeNotes(tasks, run)];
  return [tasksTable(tasks, now), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

export function taskLine(verb: string, task: Task): string {
  const title = taskTitle(task);
  return `${verb} ${task.id} (${task.task_type}, ${task.status})${title ? ` — ${oneLine(title, 60)}` : ''}`;
}

/**
 * A task's lease, its labels padded to `width` to line up with the lines around them; its token
 * only when `own` accepts it (leasePrivacy.ts: an agent is shown only its own tokens).
 */
export function leaseLines(task: Task, own: (token: string) => boolean, now = Date.now(), width = 9): string[] {
  if (task.lease_token === undefined) return [];
  const until = task.lease_expires_at_ms ?? now;
  // Run out, the lease still shows until the run's next change requeues the task (or the server's timer does).
  const ranOut = until <= now ? "; it ran out: the task goes back on the board with the run's next change" : '';
  return [
    `  ${'lease'.padEnd(width)}${own(task.lease_token) ? task.lease_token : "held (its token is its holder's)"}${ranOut}`,
    `  ${'owner'.padEnd(width)}${task.lease_owner ?? ''}, ${until <= now ? 'ran out' : 'expires'} ${relativeTime(until, now)}`,
  ];
}

export function runDetails(run: RunRecord, board: BoardSummary, blackboard: Blackboard): string {
  const lines = [
    `Run ${run.run_id}  [${runStatusText(run)}]  rev ${run.revision}, seq ${run.last_event_seq}`,
    // Its first line, as every view shows it: the lines after it are the plan's steps, listed below.
    `  objective  ${firstLine(run.objective, 100)}`,
  ];
  if (run.why_next_step) lines.push(`  next       ${oneLine(run.why_next_step, 100)}`);
  const reason = statusReasonShown(run);
  if (reason) lines.push(`  reason     ${oneLine(reason, 100)}`);
  if (run.workspace.canonical_path) lines.push(`  workspace  ${run.workspace.canonical_path} (epoch ${run.workspace.lease_epoch})`);
  if (run.last_error) lines.push(`  error      ${oneLine(run.last_error, 100)}`);
  if (run.steps.length > 0) {
    lines.push('', 'Steps');
    for (const s of run.steps) lines.push(`  ${s.step_id.padEnd(10)} ${s.status.padEnd(12)} ${oneLine(s.title, 80)}`);
  }
  lines.push('', `Board  ${boardLine(board)}`);
  if (board.claimable_now.length > 0) lines.push(`  claimable now: ${board.claimable_now.join(', ')}`);
  if (run.tasks.length > 0) lines.push('', tasksOfRun(run.tasks, run));
  // The open questions wait for someone; the rest of the blackboard is a command away.
  const items = blackboardLine(blackboard);
  lines.push('', `Blackboard  ${items}${items === 'empty' ? '' : ' (runboard blackboard shows them)'}`);
  const open = openQuestionLines(blackboard);
  if (open.length > 0) lines.push('Open questions', ...open);
  return lines.join('\n');
}

export function boardLine(board: BoardSummary): string {
  const counts = Object.entries(board.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  const expired = board.expired_leases.length > 0 ? `, ${board.expired_leases.length} with an expired lease` : '';
  return `${board.total} task${board.total === 1 ? '' : 's'}${counts ? ` (${counts})` : ''}; ${board.claimable_now.length} claimable, ${board.leases.length} leased${expired}`;
}

/** What a blackboard patch says: an added item's text or path, or the item a closing op is about and its text. */
function patchText(payload: unknown): string {
  const p = (payload ?? {}) as {
    text?: string;
    path?: string;
    question_id?: string;
    decision_id?: string;
    decision?: { id?: string; text?: string };
    answer?: { text?: string };
    resolution?: { text?: string };
    reopened?: { text?: string };
  };
  const about = p.question_id ?? p.decision_id;
  const text = p.text ?? p.path ?? p.answer?.text ?? p.resolution?.text ?? p.reopened?.text ?? p.decision?.text ?? '';
  return about === undefined ? text : `${about}${text ? ` — ${text}` : ''}`;
}

/** One line per event, for `run events` and `watch`. */
export function eventLine(e: EventRecord): string {
  const p = (e.payload ?? {}) as Record<string, unknown>;
  const task = p.task as Task | undefined;
  let detail = '';
  if (task && typeof task === 'object') {
    detail = `${task.id} → ${task.status}`;
    if (task.lease_owner) detail += ` (${task.lease_owner})`;
    if (e.type.endsWith('.failed') && task.last_error) detail += `: ${oneLine(task.last_error, 60)}`;
  } else if (typeof p.op === 'string') {
    detail = `${p.op}: ${oneLine(patchText(p.payload), 70)}`;
  } else if (e.step_id) {
    detail = `step ${e.step_id}`;
  }
  const reason = typeof p.reason === 'string' ? ` — ${oneLine(p.reason, 60)}` : '';
  return `${clockTime(e.ts_ms)}  #${String(e.seq).padEnd(5)} ${e.type.padEnd(28)} ${e.status.padEnd(10)} ${detail}${reason}`.trimEnd();
}
