// Which run a command means when it names none: the root's only open (non-terminal) run, or the
// run holding a given lease token. Shared by the CLI and the MCP server.
import { RunRecord } from '../../../contract/schemas/records';
import { isTerminal } from '../../../contract/statuses';

export type RunChoice = { run_id: string } | { code: 'RUN_REQUIRED' | 'RUN_AMBIGUOUS'; message: string };

export function chooseRun(runs: RunRecord[], root: string, leaseToken?: string, howToName = '--run <id> or RUNBOARD_RUN'): RunChoice {
  const open = runs.filter((r) => !isTerminal(r.status));
  if (open.length === 1) return { run_id: open[0].run_id };
  if (leaseToken !== undefined) {
    const holder = runs.find((r) => r.tasks.some((t) => t.lease_token === leaseToken || t.last_lease_token === leaseToken));
    if (holder) return { run_id: holder.run_id };
  }
  if (runs.length === 0) return { code: 'RUN_REQUIRED', message: `No run in ${root} yet.` };
  if (open.length === 0) {
    return { code: 'RUN_REQUIRED', message: `No open run in ${root} (${runs.length} finished); name one with ${howToName}.` };
  }
  const ids = open
    .slice(0, 10)
    .map((r) => `${r.run_id} (${r.status})`)
    .join(', ');
  const more = open.length > 10 ? ` and ${open.length - 10} more` : '';
  return { code: 'RUN_AMBIGUOUS', message: `${open.length} open runs in ${root}: ${ids}${more}. Choose one with ${howToName}.` };
}
