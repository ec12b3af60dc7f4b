// How tasks read, in the editor and on the command line alike: titles, lease countdowns, attempts
// and why a task waits. Pure functions, shared by the trees, the task board and the CLI.
import { AGENT_KEPT_TASK_STATUSES, isFinishedTask, TASK_STATUS_LABEL, type TaskStatus } from './statuses';
import { awaitsMerge, type Cancellation, type MergeWay, type NothingToClaim, type WaitReason } from './taskRules';
import type { Task } from './schemas/records';

/** The Runs tree's task groups, most active first. */
export const TASK_STATUS_ORDER: readonly TaskStatus[] = ['in_progress', 'runnable', 'pending', 'blocked', 'failed', 'done', 'cancelled'];

function field(payload: unknown, key: string): string | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const v = (payload as Record<string, unknown>)[key];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** The title a person gave the task: payload.title, else payload.description (else payload.summary), if any. */
export function payloadTitle(task: Pick<Task, 'payload'>): string | undefined {
  return field(task.payload, 'title') ?? field(task.payload, 'description') ?? field(task.payload, 'summary');
}

/** payloadTitle, else "<task_type> <id>" — one line of plain text. */
export function taskTitle(task: Pick<Task, 'payload' | 'task_type' | 'id'>): string {
  return firstLine(payloadTitle(task) ?? `${task.task_type} ${task.id}`);
}

export function firstLine(text: string, max = 120): string {
  const line = text.split(/\r?\n/, 1)[0].trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** "12s", "4m 05s", "1h 02m" — a duration for countdowns: a part second left counts as one. */
export function formatDuration(ms: number): string {
  return wholeSeconds(Math.max(0, Math.ceil(ms / 1000)));
}

function wholeSeconds(s: number): string {
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/**
 * A task's git worktree as views say it — "worktree <path> · branch <b> · kept: <why>" — and, for a
 * done task, whether its branch was merged yet. Undefined when the task has none.
 */
export function worktreeText(task: Pick<Task, 'worktree' | 'status'>): string | undefined {
  const wt = task.worktree;
  if (!wt) return undefined;
  const note = wt.note ? `: ${wt.note}` : '';
  const state = wt.state === 'active' ? '' : wt.state === 'kept' ? ` · kept${note}` : ` · removed${note}`;
  const merged = wt.merged_into ? ` · merged into ${wt.merged_into}` : awaitsMerge(task) ? ' · not merged yet' : '';
  return `worktree ${wt.path} · branch ${wt.branch}${state}${merged}`;
}

/**
 * A task claimed without a worktree whose earlier attempt left one (kept with uncommitted changes,
 * or still active): its work is there, not in the checkout the agent is in — unsaid, an agent
 * redid it. Undefined when it has none on record.
 */
export function earlierWorktreeText(task: Pick<Task, 'worktree'>, takeItUp: string): string | undefined {
  const wt = task.worktree;
  if (!wt || wt.state === 'removed') return undefined;
  const changes = wt.state === 'kept' ? ', left with uncommitted changes' : '';
  return `An earlier attempt at this task worked in ${wt.path} (branch ${wt.branch}${changes}): its work is there, not here — ${takeItUp}.`;
}

/**
 * What a merge of a done task's branch did (`tasks merge`, Merge Task Branch…); `changed` false: the
 * branch had no commit `into` lacked; `along`: other done tasks whose branches `into` now holds whole;
 * `already`: the task was recorded as merged into `into` before (along with another, say).
 */
export function mergedText(
  way: MergeWay,
  branch: string,
  into: string,
  commit: string,
  changed = true,
  along: readonly string[] = [],
  already = false,
): string {
  const alsoIn = along.length > 0 ? ` ${into} now holds ${along.join(', ')} too (their branches were in it): recorded as merged.` : '';
  if (!changed && already) return `Already merged: ${into} holds ${branch} (${into} is at ${commit.slice(0, 12)}).${alsoIn}`;
  if (!changed)
    return `Nothing to bring in: ${branch} has no commit that ${into} lacks (recorded as merged; ${into} is at ${commit.slice(0, 12)}).${alsoIn}`;
  const did = way === 'rebase' ? `Rebased ${branch} on ${into}, then fast-forwarded ${into} to it` : `Merged ${branch} into ${into}`;
  return `${did} (${commit.slice(0, 12)}).${alsoIn}`;
}

/** "340ms", "4.2s", then as formatDuration — a measured span (flow metrics), where a second matters. */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  // Measured, not counted down: 52.9 s took 52 whole seconds (as 4.29 s is 4.2s above).
  return wholeSeconds(Math.floor(ms / 1000));
}

/** "812 B", "4.2 KB", "347 MB" — a size on disk (1 KB = 1024 bytes). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** "its log of 1.2 MB is kept in 96 KB" — what archiving or compacting a run saved. */
export function keptText(a: { log_bytes: number; archive_bytes: number }): string {
  return `its log of ${formatBytes(a.log_bytes)} is kept in ${formatBytes(a.archive_bytes)}`;
}

export function leaseRemainingMs(task: Pick<Task, 'lease_expires_at_ms'>, now: number): number | undefined {
  return task.lease_expires_at_ms === undefined ? undefined : task.lease_expires_at_ms - now;
}

/** "leased to bob for another 4m 12s": who holds a live lease, and for how long yet (refusals say it). */
export function leasedText(task: Pick<Task, 'lease_owner'>, expiresAtMs: number, now: number): string {
  return `leased to ${task.lease_owner ?? 'an agent'} for another ${formatDuration(expiresAtMs - now)}`;
}

/** "lease 23s" / "lease expired" for a leased task, else undefined. */
export function leaseText(task: Pick<Task, 'lease_expires_at_ms' | 'lease_owner'>, now: number): string | undefined {
  const left = leaseRemainingMs(task, now);
  if (left === undefined) return undefined;
  return left > 0 ? `lease ${formatDuration(left)}` : 'lease expired';
}

/** "failed 1/3": the failures a task has had of those it may have (`attempt` counts failures, not tries). */
export function attemptText(task: Pick<Task, 'attempt' | 'max_attempts'>): string {
  return `failed ${task.attempt}/${task.max_attempts}`;
}

/** What a compact view (the tree's line, a card) shows of a task's failures: nothing until it has one. */
export function failuresShown(task: Pick<Task, 'attempt' | 'max_attempts'>): string | undefined {
  return task.attempt > 0 ? attemptText(task) : undefined;
}

/** The start of TASK_ATTEMPTS_EXHAUSTED's message: what the task used up (what a person may do next follows it). */
export function attemptsExhaustedText(task: Pick<Task, 'id' | 'attempt' | 'max_attempts'>): string {
  return `Task ${task.id} has failed ${task.attempt} of ${task.max_attempts} allowed attempts`;
}

/** "1 of 3 attempts used": a failed task's attempts, in a sentence. */
export function attemptsUsedText(task: Pick<Task, 'attempt' | 'max_attempts'>): string {
  return `${task.attempt} of ${task.max_attempts} attempts used`;
}

/**
 * The agent a view names for a task: who holds it; else who left it where it is (done, failed,
 * blocked). A task waiting to be claimed — released, requeued — names none, though its
 * `assigned_agent` still says who held it last.
 */
export function taskAgent(task: Pick<Task, 'status' | 'lease_owner' | 'assigned_agent'>): string | undefined {
  if (task.lease_owner) return task.lease_owner;
  return AGENT_KEPT_TASK_STATUSES.includes(task.status) ? task.assigned_agent : undefined;
}

/** The tree's description of a task: owner, lease countdown, failures. */
export function taskDescription(task: Task, now: number): string {
  const parts: string[] = [];
  if (task.lease_owner) parts.push(task.lease_owner);
  const lease = leaseText(task, now);
  if (lease) parts.push(lease);
  const failures = failuresShown(task);
  if (failures) parts.push(failures);
  return parts.join(' · ');
}

export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString();
}

/** A reason of the contract's waitReasons, in words: who holds the task, what it waits for, until when. */
export function waitText(r: WaitReason, now: number): string {
  switch (r.kind) {
    case 'run_finished':
      return `the run is ${r.run_status}: nothing can be claimed`;
    case 'run_paused':
      return RUN_PAUSED_TEXT;
    case 'leased': {
      const who = r.owner ?? 'an agent';
      return r.until > now
        ? `lease held by ${who} until ${clockTime(r.until)} (${formatDuration(r.until - now)} left)`
        : `lease held by ${who} expired at ${clockTime(r.until)}; it will be requeued`;
    }
    case 'blocked':
      return r.error ? `blocked: ${firstLine(r.error)}` : 'blocked';
    case 'failed':
      return r.exhausted
        ? `failed, attempts exhausted (${r.attempt}/${r.max_attempts})`
        : `failed (${attemptsUsedText(r)}); retry it to run again`;
    case 'done':
      return 'done';
    case 'cancelled':
      return `${r.cancellation ? cancelledText(r.cancellation) : 'cancelled'}; requeue it to reopen`;
    case 'dependency_cancelled':
      return `dependency cancelled: ${r.ids.join(', ')} — cancel this task too, edit its dependencies, or reopen ${r.ids.length > 1 ? 'them' : 'it'}`;
    case 'dependencies':
      return `waits for ${r.open.map((d) => `${d.id} (${d.status ? TASK_STATUS_LABEL[d.status].toLowerCase() : 'missing'})`).join(', ')}`;
    case 'retry_at':
      return `retry at ${clockTime(r.at)} (in ${formatDuration(r.at - now)})`;
  }
}

/** Who cancelled a task, when, with which task (a cascade) and why: "cancelled by bob at 10:02:03 along with survey-docs: no longer needed". */
export function cancelledText(c: Cancellation): string {
  const by = c.by ? ` by ${c.by}` : '';
  const along = c.cascade_from ? ` along with ${c.cascade_from}` : '';
  const why = c.reason ? `: ${firstLine(c.reason)}` : '';
  return `cancelled${by} at ${clockTime(c.at_ms)}${along}${why}`;
}

/** Tasks that are not finished (the "waiting" list of the blackboard). */
export function waitingTasks(tasks: readonly Task[]): Task[] {
  return tasks.filter((t) => !isFinishedTask(t.status));
}

/** What a lease action that completed its run (transitionTask's run_completed) adds, for people and models. */
export const RUN_COMPLETED_TEXT = 'That was the last open task: the run is completed (auto_finish), and nothing more can be claimed in it.';

/** Why a paused run hands out nothing, and the two ways back: one wording for a claim, a named task and a task's wait. */
const RUN_PAUSED_TEXT =
  'the run is paused; it hands out tasks again once resumed (runboard run resume), or rebound to this folder (runboard run rebind) when it was paused for being opened in another';

/** Why a claim found nothing (claimTask's reason), in words for people and models. */
export const NOTHING_TO_CLAIM_TEXT: Record<NothingToClaim, string> = {
  run_paused: RUN_PAUSED_TEXT,
  retry_later: 'a failed task is waiting for its retry time',
  dependencies: 'the open tasks wait for others to be done',
  leased: 'every open task is held under a live lease',
  needs_a_person:
    'only blocked or failed tasks, or tasks waiting on a blocked, failed or cancelled one, are left: they need a person (retry, requeue, cancel or edit; `runboard attention` lists them)',
  all_done: 'every task is done or cancelled',
  no_match: 'no task is of the task type or workflow asked for',
  no_tasks: 'the run has no tasks yet',
};

/** Why the task a claim named is not claimable (claimTask's reason is then about that task alone). */
const NAMED_TASK_TEXT: Record<NothingToClaim, string> = {
  run_paused: RUN_PAUSED_TEXT,
  retry_later: 'it failed and waits for its retry time',
  dependencies: 'it waits for other tasks to be done',
  leased: 'it is held under a live lease (a held task is never handed out again, not even to its holder)',
  needs_a_person:
    'it is blocked or failed, or waits on a blocked, failed or cancelled task: it needs a person (retry, requeue, cancel or edit; `runboard attention` lists them)',
  all_done: 'it is done or cancelled',
  no_match: 'it is not of the task type or workflow asked for',
  no_tasks: 'the run has no tasks yet',
};

/** Why a claim found nothing, as a sentence: about the task it named (and what it waits for), else about the run's tasks. */
export function nothingToClaimText(
  reason: NothingToClaim,
  named: string | undefined,
  runId: string,
  waitingOn?: readonly string[],
  pausedReason?: string,
): string {
  // A pause's own reason comes first: whoever paused it said why (and maybe until when).
  const why = reason === 'run_paused' && pausedReason ? ` (paused: ${firstLine(pausedReason)})` : '';
  if (named === undefined) return `Nothing to claim in run ${runId} now${why}: ${NOTHING_TO_CLAIM_TEXT[reason]}`;
  const text = reason === 'dependencies' && waitingOn?.length ? `it waits for ${waitingOn.join(', ')} to be done` : NAMED_TASK_TEXT[reason];
  return `Task ${named} cannot be claimed now${why}: ${text}`;
}
