// watch: follows one run live. The store follows the root's board (the file store watches the
// runs folder, with a slow poll as a safety net); each change is folded, and the commit notices
// carry the new events — whoever appended them.
import { EventRecord } from '../../../../contract/schemas/records';
import { eventLine } from '../humanFormat';
import { Invocation } from '../invocation';

export async function watch({ session, out, args, opts }: Invocation): Promise<number> {
  const runId = await session.runId(args[0]);
  const store = session.store;
  const root = store.rootPaths()[0];
  const { run } = await session.execute('getRun', { run_id: runId });
  let last = Math.max(0, run.last_event_seq - ((opts.tail as number | undefined) ?? 10));

  const print = (e: EventRecord) => {
    if (e.seq !== last + 1) return false;
    if (out.json) out.jsonLine(e);
    else out.line(eventLine(e));
    last = e.seq;
    return true;
  };
  let draining = false;
  const drain = async () => {
    if (draining) return;
    draining = true;
    try {
      for (;;) {
        const page = await session.execute('listEvents', { run_id: runId, since_seq: last });
        page.events.forEach(print);
        if (page.next_since_seq === undefined) break;
      }
    } finally {
      draining = false;
    }
  };

  if (!out.json) out.warn(`Watching run ${runId} in ${root} (Ctrl-C to stop).`);
  await drain();
  const stopListening = store.on({
    onCommit: (n) => {
      if (n.root !== root || n.run_id !== runId || n.last_seq <= last) return;
      // Notices carry the new events; a gap (or a run seen for the first time) is read from disk.
      for (const e of n.events) if (e.seq > last && !print(e)) break;
      if (n.last_seq > last) setImmediate(() => void drain());
    },
    onDiagnostic: (d) => out.warn(`runboard: ${d.file}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}`),
  });

  const following = store.follow((e) => out.warn(`runboard: ${(e as Error).message}`));

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await following.close();
  stopListening();
  return 0;
}
