// Archiving the finished runs that have not changed for some days (PROTOCOL.md §Archived runs): the
// server's daily pass (archiveAfterDays) and `runboard run archive --older-than`. A run that cannot
// be archived (changed meanwhile, damaged, a board that keeps no archive) is said and skipped.
import { dueForArchive } from '../../../contract/runRules';
import type { ArchivedRunInfo } from '../../../contract/results';
import type { InputOf } from '../../../contract/schemas/params';
import type { StoreResults } from '../../../contract/results';

/** Whoever runs the calls: the service itself (the server), or a CLI session (routed to the root's server when one serves it). */
export interface DueCalls {
  execute(method: 'listRuns', params: InputOf<'listRuns'>): Promise<StoreResults['listRuns']>;
  execute(method: 'archiveRun', params: InputOf<'archiveRun'>): Promise<StoreResults['archiveRun']>;
}

export interface DueOutcome {
  archived: ArchivedRunInfo[];
  skipped: { root: string; run_id: string; message: string }[];
}

export async function archiveDue(calls: DueCalls, roots: string[], days: number, by: string, now: number): Promise<DueOutcome> {
  const out: DueOutcome = { archived: [], skipped: [] };
  for (const root of roots) {
    const { runs } = await calls.execute('listRuns', { root, limit: 1000 });
    for (const run of runs.filter((r) => dueForArchive(r, now, days))) {
      try {
        out.archived.push(
          (await calls.execute('archiveRun', { root, run_id: run.run_id, by, reason: `finished more than ${days} days ago` })).archived,
        );
      } catch (e) {
        out.skipped.push({ root, run_id: run.run_id, message: (e as Error).message });
      }
    }
  }
  return out;
}
