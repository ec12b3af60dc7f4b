// A task's lease as `tasks show` and claim print it: live, or run out and not yet requeued (nothing
// has changed the run since, and no server's timer has come by).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Task } from '../../../contract/schemas/records';
import { leaseLines } from '../../../server/src/cli/humanFormat';

const NOW = 1_800_000_000_000;
const leased = (expiresAt: number) => ({ id: 't', lease_token: 'lease-1', lease_owner: 'bob', lease_expires_at_ms: expiresAt }) as Task;
const mine = () => true;

describe('leaseLines', () => {
  it('a live lease: its token to its holder, and when it expires', () => {
    assert.deepEqual(leaseLines(leased(NOW + 90_000), mine, NOW), ['  lease    lease-1', '  owner    bob, expires in 90s']);
  });

  it('a lease run out: said so, and when the task goes back on the board, not "lease held … expires 2s ago" alone', () => {
    assert.deepEqual(
      leaseLines(leased(NOW - 2_000), () => false, NOW),
      [
        "  lease    held (its token is its holder's); it ran out: the task goes back on the board with the run's next change",
        '  owner    bob, ran out 2s ago',
      ],
    );
  });
});
