// Expired leases are requeued within LEASE_TICK_MS of their expiry, by the engine under each run's
// lock, so two servers on one workspace never both requeue the same task. A read-only server
// leaves them to a writer.
import type { RunService } from '../service/runService';

const LEASE_TICK_MS = 250;

export function startLeaseTimer(store: RunService, log: (message: string) => void): NodeJS.Timeout {
  let expiring = false;
  // The failure said last: a database down for a minute fails every tick the same way, said once
  // (and once more when it works again), not four times a second.
  let failing: string | undefined;
  const timer = setInterval(() => {
    if (store.options.readOnly) return;
    const next = store.nextLeaseExpiry();
    if (expiring || next === undefined || next > Date.now()) return;
    expiring = true;
    store
      .expireLeases()
      .then(
        () => {
          if (failing !== undefined) log('lease timer: expiring leases again.');
          failing = undefined;
        },
        (e: unknown) => {
          const message = (e as Error).message;
          if (message !== failing) log(`lease timer: ${message} (said once while it fails so).`);
          failing = message;
        },
      )
      .finally(() => (expiring = false));
  }, LEASE_TICK_MS);
  timer.unref();
  return timer;
}
