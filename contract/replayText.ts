// What a replay's comparison means, in words every view uses (PROTOCOL.md §replay): a replay of
// the whole log that differs from what is persisted is drift; a replay that stopped at an earlier
// seq differs by what happened since — not drift.
import type { DriftFlags, ReplayResult } from './results';

export interface ReplayFindings {
  /** The flags set (without `mismatch`). */
  flags: string[];
  /** The seq the replay stopped at, when it is before the persisted state's: the flags are what changed since. */
  since?: number;
}

export function replayFindings(r: Pick<ReplayResult, 'drift' | 'replay' | 'persisted'>): ReplayFindings {
  const flags = Object.entries(r.drift)
    .filter(([k, v]) => v && k !== 'mismatch')
    .map(([k]) => k);
  return r.replay.last_event_seq < r.persisted.last_event_seq ? { flags, since: r.replay.last_event_seq } : { flags };
}

/** What each drift flag says, in a person's words (the flags themselves stay in the result and the JSON). */
const FLAG_WORDS: Record<Exclude<keyof DriftFlags, 'mismatch'>, string> = {
  status_mismatch: 'run status',
  why_next_step_mismatch: 'next step',
  step_count_mismatch: 'number of steps',
  step_status_mismatch: 'step statuses',
  blackboard_revision_mismatch: 'blackboard',
  blackboard_task_count_mismatch: 'number of tasks',
  blackboard_task_status_mismatch: 'task statuses',
  last_event_seq_mismatch: 'last event',
  run_content_mismatch: 'run contents',
  blackboard_content_mismatch: 'blackboard contents',
};

const MOVED_BY_ANY_EVENT = new Set(['last_event_seq_mismatch', 'run_content_mismatch', 'blackboard_content_mismatch']);

const inWords = (flags: string[]) => flags.map((k) => FLAG_WORDS[k as keyof typeof FLAG_WORDS] ?? k).join(', ');

/** "No drift." / "Drift: …" for a whole replay; "No changes since seq N." / "Changes since seq N: …" for an earlier seq. */
export function replayVerdict(f: ReplayFindings): string {
  if (f.since === undefined) return f.flags.length === 0 ? 'No drift.' : `Drift: ${inWords(f.flags)}`;
  // The last seq and the contents always move after an earlier seq: they say nothing a person needs.
  const changed = f.flags.filter((k) => !MOVED_BY_ANY_EVENT.has(k));
  return changed.length === 0 ? `No changes since seq ${f.since} but new events.` : `Changes since seq ${f.since}: ${inWords(changed)}`;
}
