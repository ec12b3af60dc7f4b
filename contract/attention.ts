// What needs a person (PROTOCOL.md §Attention): the one definition the server answers
// `listAttention` with and every view, notification and the CLI show. Its inputs, all stated:
// from the log (the run and its blackboard as folded), the time (`now`, for leases about to run
// out), and the run's last replay (its drift, kept by the server until the next replay).
import type { LogDamage } from './results';
import type { RunRecord, StoredBlackboard, Task } from './schemas/records';
import { EVENT } from './events';
import { everyTaskFinished } from './runRules';
import { isFinishedTask, isTerminal } from './statuses';
import { attemptsUsedText, firstLine, taskTitle } from './taskText';
import { leaseLength } from './taskRules';

export const ATTENTION_KINDS = [
  'task_failed',
  'task_exhausted',
  'task_blocked',
  'dependency_cancelled',
  'question_open',
  'run_paused_workspace',
  'run_paused',
  'lease_expiring',
  'drift',
  'worktree_kept',
  'run_work_done',
  'run_damaged',
  'plan_awaiting_approval',
  'log_lost_events',
] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

/** The action that resolves an item, offered beside it. */
export type AttentionAction =
  | 'retry'
  | 'requeue'
  | 'answer'
  | 'rebind'
  | 'resume'
  | 'open_board'
  | 'replay'
  | 'open_worktree'
  | 'complete_run'
  | 'repair'
  | 'approve_plan';

export const ATTENTION_ACTION: Record<AttentionKind, AttentionAction> = {
  // A failed task stays failed until someone retries it: an agent's loop never does.
  task_failed: 'retry',
  // Requeueing a task whose attempts are used up gives it one more (PROTOCOL.md §requeueTask).
  task_exhausted: 'requeue',
  task_blocked: 'open_board',
  // Only a person moves it on: cancel it too, edit its dependencies, or reopen the one cancelled.
  dependency_cancelled: 'open_board',
  question_open: 'answer',
  run_paused_workspace: 'rebind',
  // A paused run hands out no task (PROTOCOL.md §claimTask): its agents wait until it is resumed.
  run_paused: 'resume',
  lease_expiring: 'open_board',
  drift: 'replay',
  // A task's worktree kept because it holds uncommitted changes (PROTOCOL.md §Worktrees): commit or discard them there.
  worktree_kept: 'open_worktree',
  // Every task finished in a run without auto_finish: the run stays open until someone completes it (or adds work).
  run_work_done: 'complete_run',
  // A damaged log makes the run read-only (RUN_DAMAGED): every agent's next write stops until it is repaired.
  run_damaged: 'repair',
  // planning_started made the run await approval (SPEC §4.2): plan_approved runs it.
  plan_awaiting_approval: 'approve_plan',
  // The log ends before what was recorded (an older copy put back): a replay shows what only the caches still hold.
  log_lost_events: 'replay',
};

export const ATTENTION = {
  /** A lease that runs out within this long, with no heartbeat since, needs a look (default of `lease_warning_ms`). */
  leaseWarningMs: 30_000,
} as const;

export interface AttentionItem {
  /**
   * Names this item, and only it, across runs and time: the same condition arising again later
   * (a task failing again after a requeue) is a new key. Notifications are said once per key.
   */
  key: string;
  kind: AttentionKind;
  root: string;
  run_id: string;
  task_id?: string;
  question_id?: string;
  /** What needs the person, in one line. */
  title: string;
  /** Since when (ms): the change that made it (for a paused run: its last change), or when the lease runs out (lease_expiring). */
  since_ms: number;
  action: AttentionAction;
}

/** A log that ends before the seq its store had recorded: the events after `log_seq` are gone from it. */
export interface LostEvents {
  log_seq: number;
  recorded_seq: number;
}

/** The run's last full replay, as the server keeps it: where it found drift, and at which seq. */
export interface ReplayFinding {
  seq: number;
  at_ms: number;
  flags: string[];
}

/** What needs a person in one run, newest first. */
export function attentionOf(
  root: string,
  run: Pick<
    RunRecord,
    'run_id' | 'status' | 'status_changed_by' | 'status_changed_at_ms' | 'status_reason' | 'updated_at_ms' | 'workspace' | 'steps'
  > & {
    tasks: readonly Task[];
    /** The log's damage no repair has accepted yet (PROTOCOL.md §repairRun). */
    damage?: readonly Pick<LogDamage, 'line' | 'message'>[];
    /** The log ends at `log_seq`, before `recorded_seq`, which the store had recorded (PROTOCOL.md §Files). */
    lost_events?: LostEvents;
  },
  blackboard: Pick<StoredBlackboard, 'open_questions'>,
  now: number,
  lastReplay?: ReplayFinding,
  leaseWarningMs: number = ATTENTION.leaseWarningMs,
): AttentionItem[] {
  const out: AttentionItem[] = [];
  /** `occurrence` tells this occurrence of the condition from a later one (the task's revision, a lease's end …). */
  const item = (kind: AttentionKind, occurrence: string, since: number, title: string, ids: Partial<AttentionItem> = {}) =>
    out.push({
      key: `${root}|${run.run_id}|${kind}|${occurrence}`,
      kind,
      root,
      run_id: run.run_id,
      title,
      since_ms: since,
      action: ATTENTION_ACTION[kind],
      ...ids,
    });
  // A finished run's failed or blocked tasks, open questions and leases are its history: nothing
  // is claimed in it, and a retry there would make a task no agent can take. What can still be
  // lost — a worktree's uncommitted changes — and drift still need the person.
  const [tasks, questions] = isTerminal(run.status) ? [[], []] : [run.tasks, blackboard.open_questions];
  const byId = new Map(run.tasks.map((t) => [t.id, t]));
  // The tasks waiting directly on cancelled ones, with those (the tasks after them wait on them, and
  // go with them). One item per task: such a task is listed for that (a retry would leave it stuck), whatever its status.
  const waiting = new Map<Task, Task[]>();
  for (const t of tasks) {
    if (isFinishedTask(t.status) || t.status === 'in_progress') continue;
    const gone = t.depends_on_task_ids.map((id) => byId.get(id)).filter((d) => d?.status === 'cancelled') as Task[];
    if (gone.length > 0) waiting.set(t, gone);
  }
  for (const t of tasks) {
    if (waiting.has(t)) continue;
    const title = taskTitle(t);
    const why = t.last_error ? `: ${firstLine(t.last_error)}` : '';
    if (t.status === 'failed' && t.attempt >= t.max_attempts) {
      item(
        'task_exhausted',
        statusOccurrence(t),
        statusSince(t),
        `${title} failed, no attempts left (${t.attempt}/${t.max_attempts})${why}`,
        {
          task_id: t.id,
        },
      );
    } else if (t.status === 'failed') {
      item('task_failed', statusOccurrence(t), statusSince(t), `${title} failed (${attemptsUsedText(t)})${why}`, {
        task_id: t.id,
      });
    } else if (t.status === 'blocked') {
      item('task_blocked', statusOccurrence(t), statusSince(t), `${title} is blocked${why}`, { task_id: t.id });
    } else if (
      t.status === 'in_progress' &&
      t.lease_expires_at_ms !== undefined &&
      // When the lease was last set: its end less its length (an edit moves updated_ts, not the lease).
      leaseUnattended(t.lease_expires_at_ms, t.lease_expires_at_ms - (leaseLength(t) ?? 0), now, leaseWarningMs)
    ) {
      const left = Math.round((t.lease_expires_at_ms - now) / 1000);
      const who = `${t.lease_owner ?? 'its agent'}'s lease`;
      // A heartbeat moves the lease's end: a later warning is another item. Run out, the lease ends at the run's next change.
      item(
        'lease_expiring',
        `${t.id}@${t.lease_expires_at_ms}`,
        t.lease_expires_at_ms,
        t.lease_expires_at_ms > now
          ? `${title}: ${who} runs out in ${left} s, no heartbeat`
          : `${title}: ${who} ran out ${-left} s ago, no heartbeat; the task goes back on the board with the run's next change`,
        {
          task_id: t.id,
        },
      );
    }
  }
  for (const [t, gone] of waiting) {
    const names = gone.map((d) => taskTitle(d)).join(', ');
    const status = t.status === 'blocked' || t.status === 'failed' ? ` (${t.status})` : '';
    item(
      'dependency_cancelled',
      `${t.id}@${gone.map(statusOccurrence).join('+')}`,
      Math.max(...gone.map(statusSince)),
      `${taskTitle(t)}${status} waits on ${names}, cancelled: cancel it too, edit its dependencies, or reopen ${gone.length > 1 ? 'them' : 'that one'}`,
      { task_id: t.id },
    );
  }
  for (const t of run.tasks) {
    // A task reopened takes its kept worktree to its next attempt (claim --worktree): settled again when it finishes.
    if (t.worktree?.state === 'kept' && isFinishedTask(t.status)) {
      item(
        'worktree_kept',
        statusOccurrence(t),
        statusSince(t),
        `${taskTitle(t)}: its worktree ${t.worktree.path} holds uncommitted changes`,
        {
          task_id: t.id,
        },
      );
    }
  }
  for (const q of questions) {
    const asked = q.reopened?.ts_ms ?? q.ts_ms;
    item('question_open', `${q.id}@${asked}`, asked, `Question: ${firstLine(q.text)}`, { question_id: q.id });
  }
  if (run.status === 'paused' && run.status_changed_by === EVENT.workspaceMismatch) {
    // A rebind moves the lease's epoch: a later mismatch is another item.
    item(
      'run_paused_workspace',
      `epoch-${run.workspace.lease_epoch}`,
      run.updated_at_ms,
      `Paused: bound to ${run.workspace.canonical_path}, opened elsewhere`,
    );
  } else if (run.status === 'awaiting_approval') {
    const since = run.status_changed_at_ms ?? run.updated_at_ms;
    const steps = run.steps.length === 1 ? '1 step' : `${run.steps.length} steps`;
    item('plan_awaiting_approval', `${since}`, since, `A plan of ${steps} waits for approval`);
  } else if (run.status === 'paused') {
    // One item per pause, however the run changes during it (holders finish their tasks).
    const since = run.status_changed_at_ms ?? run.updated_at_ms;
    const why = run.status_reason ? ` (${firstLine(run.status_reason)})` : '';
    item('run_paused', `${since}`, since, `Paused${why}: its agents get no task until it is resumed`);
  }
  const done = workDone(tasks);
  if (done) {
    // A done task is never reopened (PROTOCOL.md §requeueTask): only a new task, or a cancelled one
    // reopened, opens work again — a new task changes the count; a cancelled one reopened and
    // cancelled again, the time it was cancelled. (An edit, or a worktree recorded on a done task later, changes neither.)
    const stepsLeft = run.steps.filter((s) => s.status !== 'done').length;
    item(
      'run_work_done',
      `${tasks.length}-${done.cancelled}${done.cancelledSince}`,
      done.since,
      `${workDoneText(tasks.length, done.cancelled)}${stepsLeft > 0 ? `, ${stepsLeft} of ${run.steps.length} steps not done` : ''}: complete the run, or add tasks`,
    );
  }
  const damage = run.damage ?? [];
  if (damage.length > 0) {
    // Other damage found later (or after a repair) is another occurrence.
    const first = damage[0];
    item(
      'run_damaged',
      `${first.line}+${damage.length}`,
      run.updated_at_ms,
      `Read-only: its log has ${damage.length === 1 ? 'a damaged line' : `${damage.length} damaged lines`} (line ${first.line}: ${firstLine(first.message)}); its agents' writes are refused until it is repaired`,
    );
  }
  if (run.lost_events) {
    const { log_seq, recorded_seq } = run.lost_events;
    const lost = recorded_seq === log_seq + 1 ? `seq ${recorded_seq}` : `seqs ${log_seq + 1}–${recorded_seq}`;
    item(
      'log_lost_events',
      `${log_seq}<${recorded_seq}`,
      run.updated_at_ms,
      `Its log lost events it had recorded: it ends at seq ${log_seq}, without ${lost} (an older copy put back?)`,
    );
  }
  if (lastReplay && lastReplay.flags.length > 0) {
    item(
      'drift',
      `${lastReplay.seq}@${lastReplay.at_ms}`,
      lastReplay.at_ms,
      `Replay at seq ${lastReplay.seq} found drift: ${lastReplay.flags.join(', ')}`,
    );
  }
  return out.sort(newestFirst);
}

/** When the tasks left nothing to do (the last one finished), and how many were cancelled; undefined while work is open. */
function workDone(tasks: readonly Task[]): { since: number; cancelled: number; cancelledSince: string } | undefined {
  let done = 0;
  let cancelled = 0;
  let cancelledSince = '';
  let since = 0;
  for (const t of tasks) {
    done += Number(t.status === 'done');
    if (t.status === 'cancelled') {
      cancelled++;
      cancelledSince += `+${statusOccurrence(t)}`;
    }
    since = Math.max(since, statusSince(t));
  }
  return everyTaskFinished(done, cancelled, tasks.length) ? { since, cancelled, cancelledSince } : undefined;
}

/**
 * A lease about to run out (within `warning`) that has run past half its length since it was last
 * set — claimed or heartbeated, the task's last change (`setAt`): an agent heartbeats by then
 * (contract/agentSetup.ts), so one that has not may be gone. A healthy agent on a short lease is
 * never listed.
 */
function leaseUnattended(expiresAt: number, setAt: number, now: number, warning: number): boolean {
  const left = expiresAt - now;
  return left <= warning && left < (expiresAt - setAt) / 2;
}

function workDoneText(tasks: number, cancelled: number): string {
  if (tasks === 1) return 'Its one task is done';
  return cancelled > 0 ? `All ${tasks} tasks are done or cancelled (${cancelled} cancelled)` : `All ${tasks} tasks are done`;
}

/**
 * Which time a task entered its status, for items about that status: an edit (a new title, a
 * label), which moves `task_rev` and `updated_ts`, is not a new occurrence. A task whose snapshot
 * carries no `status_since_ms` (written before it was) falls back to its revision.
 */
function statusOccurrence(t: Task): string {
  return t.status_since_ms !== undefined ? `${t.id}@${t.status}-${t.status_since_ms}` : `${t.id}@${t.task_rev}`;
}

function statusSince(t: Task): number {
  return t.status_since_ms ?? t.updated_ts;
}

/** The order items are listed in: newest first, then by key. */
export function newestFirst(a: AttentionItem, b: AttentionItem): number {
  return b.since_ms - a.since_ms || (a.key < b.key ? -1 : 1);
}
