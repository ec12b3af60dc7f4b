// The server's daily archive pass (initializationOptions.archiveAfterDays, `serve --archive-after-days`):
// once a minute after it starts (its roots are open by then), then every 24 hours.
import { archiveDue } from '../service/archiveDue';
import type { RunService } from '../service/runService';
import { errorText } from './rpcErrors';

const FIRST_PASS_MS = 60_000;
const EVERY_MS = 24 * 60 * 60 * 1000;

export function startArchiveTimer(store: RunService, days: number, log: (m: string) => void): { stop(): void } {
  const pass = async () => {
    try {
      const { archived, skipped } = await archiveDue(
        store,
        store.rootPaths(),
        days,
        `runboard (after ${days} days)`,
        store.options.clock(),
      );
      if (archived.length > 0)
        log(`archived ${archived.length} run(s) finished more than ${days} days ago: ${archived.map((a) => a.run_id).join(', ')}`);
      for (const s of skipped) log(`not archived: ${s.run_id}: ${s.message}`);
    } catch (e) {
      log(`archive pass: ${errorText(e)}`);
    }
  };
  const first = setTimeout(() => void pass(), FIRST_PASS_MS);
  const daily = setInterval(() => void pass(), EVERY_MS);
  first.unref();
  daily.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(daily);
    },
  };
}
