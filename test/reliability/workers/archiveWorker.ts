// A worker for the archive crash-point tests: archives, compacts or restores one run (RUNBOARD_CRASH_AT kills
// it at a step of the way), printing {done} when it got through.
import { RunService } from '../../../server/src/service/runService';

const [root, action, runId] = process.argv.slice(2);
const store = new RunService([root], { durability: 'fsync', snapshotDelayMs: null });

(async () => {
  if (action === 'archive') await store.execute('archiveRun', { run_id: runId, by: 'crash-test' });
  else if (action === 'compact') await store.execute('compactRun', { run_id: runId, by: 'crash-test' });
  else await store.execute('restoreRun', { run_id: runId });
  store.close();
  process.stdout.write(`${JSON.stringify({ done: action })}\n`);
})().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
