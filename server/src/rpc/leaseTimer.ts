// Expired leases are requeued within LEASE_TICK_MS of their expiry, by the engine under each run's
// lock, so two servers on one workspace never both requeue the same task. A read-only server
// leaves them to a writer.
import type { RunService } from '../service/runService';

const LEASE_TICK_MS = 250;

export function startLeaseTimer(store: RunService, log: (message: string) => void): NodeJS.Timeout {
  let expiring = false;
  const timer = setInterval(() => {
    if (store.options.readOnly) return;
    const next = store.nextLeaseExpiry();
    if (expiring || next === undefined || next > Date.now()) return;
    expiring = true;
    store
      .expireLeases()
      .catch((e) => log(`lease timer: ${(e as Error).message}`))
      .finally(() => (expiring = false));
  }, LEASE_TICK_MS);
  timer.unref();
  return timer;
}
