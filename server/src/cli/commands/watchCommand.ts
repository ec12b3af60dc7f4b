// watch: follows one run live. The store follows the root's board (the file store watches the
// runs folder, with a slow poll as a safety net); each change is folded, and the commit notices
// carry the new events — whoever appended them.
import { keepingAlive } from '../keepAlive';
import { EventRecord } from '../../../../contract/schemas/records';
import { eventLine } from '../humanFormat';
import { Invocation } from '../invocation';
import type { Output } from '../output';
import type { CliSession } from '../session';
import { diagnosticText } from '../../service/diagnosticText';
import { UsageError } from '../usageError';

/**
 * The run named or chosen as for every command; with no run in the root yet, the first one to
 * appear (said once) — or undefined when the watch is stopped before one does.
 */
async function runToWatch(
  session: CliSession,
  named: string | undefined,
  out: Output,
  stopped: Promise<void>,
): Promise<string | undefined> {
  try {
    return await session.runId(named);
  } catch (e) {
    if (!(e instanceof UsageError && e.code === 'RUN_REQUIRED') || session.store.runIdsIn(session.store.rootPaths()[0]).length > 0) throw e;
  }
  out.warn(`No run in ${session.root} yet; waiting for one (Ctrl-C to stop).`);
  const store = session.store;
  const following = store.follow((e) => out.warn(`runboard: ${(e as Error).message}`));
  try {
    return await new Promise<string | undefined>((resolve) => {
      const stop = store.on({
        onCommit: (n) => {
          stop();
          resolve(n.run_id);
        },
      });
      void stopped.then(() => {
        stop();
        resolve(undefined);
      });
    });
  } finally {
    await following.close();
  }
}

export async function watch(inv: Invocation): Promise<number> {
  return keepingAlive(() => follow(inv));
}

async function follow({ session, out, args, opts }: Invocation): Promise<number> {
  // Ctrl-C ends a watch cleanly from its first line on, not only once it follows.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // A watch says the files' problems as they come, not at its end.
  session.onDiagnostic = (d) => out.warn(`runboard: ${diagnosticText(d)}`);
  const store = session.store;
  const root = store.rootPaths()[0];
  const runId = await runToWatch(session, args[0], out, stopped);
  if (runId === undefined) return 0;
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
  const replacedLine = (seq: number) => {
    if (out.json) out.jsonLine({ run_reset: { run_id: runId, last_seq: seq } });
    else out.line(`-- the log was replaced by another history, which ends at seq ${seq}; following it from there --`);
  };
  const archivedLine = (a: { archived_by: string; last_seq: number }) => {
    last = a.last_seq;
    if (out.json) out.jsonLine({ run_archived: { run_id: runId, archived_by: a.archived_by, last_seq: a.last_seq } });
    else
      out.line(`-- run ${runId} was archived by ${a.archived_by}: no more events until it is restored (runboard run restore ${runId}) --`);
  };
  const stopListening = store.on({
    onCommit: (n) => {
      if (n.root !== root || n.run_id !== runId || n.last_seq <= last) return;
      // Notices carry the new events; a gap (or a run seen for the first time) is read from disk.
      for (const e of n.events) if (e.seq > last && !print(e)) break;
      if (n.last_seq > last) setImmediate(() => void drain());
    },
    // The log was replaced by another history (git stash, an editor's undo…): what was printed may not
    // be in it. Said on stdout, as the event lines are; the watch goes on from the new log's end.
    onReset: (n) => {
      if (n.root !== root || n.run_id !== runId) return;
      last = n.last_seq;
      if (n.last_seq > 0) return replacedLine(n.last_seq);
      // Gone to seq 0: archived (here or on another machine) is said as such, not as another history.
      // (Nothing follows a run gone, so saying it a moment later keeps the order of the lines.)
      void session.execute('getRun', { run_id: runId }).then(
        ({ archived }) => (archived ? archivedLine(archived) : replacedLine(0)),
        () => replacedLine(0),
      );
    },
  });

  const following = store.follow((e) => out.warn(`runboard: ${(e as Error).message}`), runId);

  await stopped;
  await following.close();
  stopListening();
  return 0;
}
