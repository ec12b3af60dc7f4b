// Every event of a run, read from the server a page at a time (listEvents: 10 000 a page).
import type { EventRecord } from '../../../contract/schemas/records';
import { Requests } from '../../../server/src/protocol';
import type { RunboardContext } from '../context';
import type { RunRef } from './refs';

export async function allEvents(ctx: RunboardContext, ref: RunRef): Promise<EventRecord[]> {
  const events: EventRecord[] = [];
  let since: number | undefined;
  for (;;) {
    const page = await ctx.server.request(Requests.listEvents, { root: ref.root, run_id: ref.run_id, since_seq: since });
    events.push(...page.events);
    if (page.next_since_seq === undefined) return events;
    since = page.next_since_seq;
  }
}
