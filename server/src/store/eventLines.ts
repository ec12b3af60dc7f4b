// An event's line as every store keeps it (PROTOCOL.md §Files: the log's format): one JSON object,
// and — when one commit holds several events — each carries `batch_end`, the seq of the commit's
// last event, so a reader knows where the commit ends.
import type { EventRecord } from '../../../contract/schemas/records';

/** The lines of one commit's events, in order. */
export function eventLines(events: EventRecord[]): string[] {
  if (events.length === 1) return [JSON.stringify(events[0])];
  const batchEnd = events[events.length - 1].seq;
  return events.map((e) => JSON.stringify(withBatchEnd(e, batchEnd)));
}

/**
 * `{...rest, batch_end, payload}` built key by key: objects made by rest/spread stringify
 * about half as fast, and a 500-task batch stringifies 500 of them under the lock.
 */
function withBatchEnd(e: EventRecord, batchEnd: number): Record<string, unknown> {
  const src = e as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(src)) if (key !== 'payload') out[key] = src[key];
  out.batch_end = batchEnd;
  out.payload = e.payload;
  return out;
}
