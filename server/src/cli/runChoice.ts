// Which run a command means when it names none: the root's only open (non-terminal) run, the
// run holding a given lease token, or the root's only run even when it has finished. Shared by
// the CLI and the MCP server.
import { RunRecord } from '../../../contract/schemas/records';
import { isTerminal } from '../../../contract/statuses';
import { firstLine } from '../../../contract/taskText';
import type { StoreResults } from '../../../contract/results';
import type { InputOf } from '../../../contract/schemas/params';
import { UsageError } from './usageError';

export type RunChoice = { run_id: string } | { code: 'RUN_REQUIRED' | 'RUN_AMBIGUOUS'; message: string };

/** How the caller names a run, and starts one, in its own words (the CLI's, or MCP's). */
export interface RunHowTo {
  name: string;
  start: string;
}

const CLI_HOW_TO: RunHowTo = {
  name: '--run <id> or RUNBOARD_RUN',
  start: 'Create one with `runboard run create "<objective>"`, or pass --root.',
};

export function chooseRun(
  list: Pick<StoreResults['listRuns'], 'runs' | 'unreadable'>,
  /** Where the runs are, in words: asked only for a message. */
  place: () => string,
  leaseToken?: string,
  howTo: RunHowTo = CLI_HOW_TO,
): RunChoice {
  const { runs, unreadable = [] } = list;
  const open = runs.filter((r) => !isTerminal(r.status));
  if (open.length === 1) return { run_id: open[0].run_id };
  if (leaseToken !== undefined) {
    const holder = runs.find((r) => r.tasks.some((t) => t.lease_token === leaseToken || t.last_lease_token === leaseToken));
    if (holder) return { run_id: holder.run_id };
  }
  if (runs.length === 0 && unreadable.length > 0) {
    // Not "no run yet": there are runs, and why they cannot be read is what to fix.
    const why = unreadable.slice(0, 10).map((u) => `  ${u.run_id}: ${u.message}`);
    return { code: 'RUN_REQUIRED', message: `No readable run in ${place()}; ${unreadable.length} cannot be read:\n${why.join('\n')}` };
  }
  if (runs.length === 0) return { code: 'RUN_REQUIRED', message: `No run in ${place()} yet. ${howTo.start}` };
  // Its only run, finished: what `run show` or `replay` means (a write then says the run is finished).
  if (runs.length === 1) return { run_id: runs[0].run_id };
  if (open.length === 0) {
    return {
      code: 'RUN_REQUIRED',
      // Every run finished: new work needs a new run; a finished one is named to be read (or reopened).
      message: `No open run in ${place()}; ${runs.length} finished:\n${listed(runs)}\nFor new work: ${howTo.start} To read a finished one, name it with ${howTo.name}.`,
    };
  }
  return { code: 'RUN_AMBIGUOUS', message: `${open.length} open runs in ${place()}:\n${listed(open)}\nChoose one with ${howTo.name}.` };
}

/** Runs one per line, with their objectives (ids alone say nothing to a person), newest first, at most 10. */
function listed(runs: RunRecord[]): string {
  const newest = [...runs].sort((a, b) => b.updated_at_ms - a.updated_at_ms);
  const lines = newest.slice(0, 10).map((r) => `  ${r.run_id}  ${r.status.padEnd(9)} ${firstLine(r.objective, 60)}`);
  if (newest.length > 10) lines.push(`  … and ${newest.length - 10} more`);
  return lines.join('\n');
}

type RunLister = { execute(method: 'listRuns', params: InputOf<'listRuns'>): Promise<StoreResults['listRuns']> };

/**
 * chooseRun over the root's runs, as a caller asks it. A root with no run but archived ones says
 * so: "no run yet" read as if the archived run were lost. `place`: where the runs are, in words
 * (runsPlace.ts: the root, or its PostgreSQL board — a reader of board.json the thin path leaves
 * out), asked only for a message.
 */
export async function chooseRunOf(
  calls: RunLister,
  place: () => string,
  leaseToken?: string,
  howTo: RunHowTo = CLI_HOW_TO,
): Promise<RunChoice> {
  const list = await calls.execute('listRuns', { limit: 1000 });
  // Asked at most once (it reads board.json), here or in chooseRun's message.
  let where: string | undefined;
  const placed = () => (where ??= place());
  const choice = chooseRun(list, placed, leaseToken, howTo);
  if (!('code' in choice) || list.runs.length > 0 || (list.unreadable ?? []).length > 0) return choice;
  // limit 1: the live runs are none anyway; the archived ones are listed whole.
  const { archived = [] } = await calls.execute('listRuns', { archived: true, limit: 1 });
  if (archived.length === 0) return choice;
  const ids = archived.slice(0, 5).map((a) => a.run_id);
  const more = archived.length > ids.length ? ` and ${archived.length - ids.length} more` : '';
  return {
    code: choice.code,
    message: `No open run in ${placed()}; archived: ${ids.join(', ')}${more} (\`runboard run restore <id>\` brings one back; \`runboard runs --archived\` lists them). ${howTo.start}`,
  };
}

/** The run a CLI command means when it names none (chooseRunOf); a UsageError saying how to name one. */
export async function runOfRoot(calls: RunLister, place: () => string, leaseToken?: string): Promise<string> {
  const choice = await chooseRunOf(calls, place, leaseToken);
  if ('code' in choice) throw new UsageError(choice.message, choice.code);
  return choice.run_id;
}
