// The time a writer stamps its commands with, and whether its clock may judge leases
// (RELIABILITY.md: clocks). Each writer uses its own machine's clock; one that is behind the log
// would stamp the log out of order and hand out leases the others see as expired on arrival.
import type { CommandContext } from '../engine/ids';
import type { StoreOptions } from './types';

/** How far behind the log's latest event a writer's clock may be and still expire leases. */
const CLOCK_SKEW_MS = 5_000;

export class WriterClock {
  private reportedSkew = false;

  constructor(
    private readonly opts: Pick<StoreOptions, 'clock' | 'ids'>,
    private readonly report: (message: string) => void,
    /**
     * The clock every writer of the run shares (a database's): never "behind" — an event ahead of
     * it was stamped by one machine's own clock (a run's creation), and leases still expire by it.
     */
    private readonly shared = false,
  ) {}

  /** This process's clock, but never before the log's latest event (`latestMs`). */
  context(latestMs: number): CommandContext & { clock: number } {
    const clock = this.opts.clock();
    return { now: Math.max(clock, latestMs), ids: this.opts.ids, clock };
  }

  /** True (and said once) when the clock is behind the log's latest event by more than CLOCK_SKEW_MS: it leaves leases be. */
  behind(ctx: { now: number; clock: number }): boolean {
    if (this.shared) return false;
    const behind = ctx.now - ctx.clock;
    if (behind <= CLOCK_SKEW_MS) return false;
    if (!this.reportedSkew) {
      this.reportedSkew = true;
      this.report(
        `This process's clock is ${Math.round(behind / 1000)} s behind the run's latest event: it does not expire leases ` +
          "(others will), and stamps its events with the log's time. Check the machine's clock (NTP).",
      );
    }
    return true;
  }
}
