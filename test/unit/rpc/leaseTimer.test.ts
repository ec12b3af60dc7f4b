// The lease timer says a failure once while it lasts (a database down for a minute fails every
// tick the same way), and once that it works again — not four lines a second.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startLeaseTimer } from '../../../server/src/rpc/leaseTimer';
import type { RunService } from '../../../server/src/service/runService';

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('lease timer', () => {
  it('says a repeated failure once, and once that it works again', async () => {
    const said: string[] = [];
    let tries = 0;
    let down = true;
    // The timer's view of the store: a lease always due, an expiry that fails while the database is down.
    const store = {
      options: { readOnly: false },
      nextLeaseExpiry: () => 0,
      expireLeases: async () => {
        tries++;
        if (down) throw new Error('PostgreSQL board team: connect ECONNREFUSED 127.0.0.1:5432');
      },
    } as unknown as RunService;
    const timer = startLeaseTimer(store, (m) => said.push(m));
    try {
      await until(() => tries >= 4, 'four failed ticks');
      down = false;
      await until(() => said.length === 2, 'the recovery said');
      const before = tries;
      await until(() => tries >= before + 2, 'two more ticks');
    } finally {
      clearInterval(timer);
    }
    assert.deepEqual(said, [
      'lease timer: PostgreSQL board team: connect ECONNREFUSED 127.0.0.1:5432 (said once while it fails so).',
      'lease timer: expiring leases again.',
    ]);
  });
});
