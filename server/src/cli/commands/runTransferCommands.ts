// run export / run import: a run moved between workspaces or machines as its events, one JSON line
// each (service/runTransfer.ts). Export reads through the protocol (routed or not) page by page;
// import checks the whole file and makes the run on this root's own store in one commit.
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalizePath, samePath } from '../../service/localPaths';
import { eventsOfExport, exportLine } from '../../service/runTransfer';
import { readInput } from '../inputFile';
import { Invocation } from '../invocation';
import { UsageError } from '../usageError';
import { DomainError } from '../../engine/errors';
import { writeAll } from '../../store/atomicFiles';

/**
 * A page of lines to standard output through node's stream, waiting while a slow reader's pipe is
 * full: a write straight to descriptor 1 fails (EAGAIN) once node has made it non-blocking, and a
 * piped export (`run export | runboard run import -`) was cut short.
 */
async function toStdout(lines: Buffer): Promise<void> {
  if (!process.stdout.write(lines)) await once(process.stdout, 'drain');
}

export async function runExport({ session, out, args, opts }: Invocation): Promise<void> {
  const file = opts.output as string | undefined;
  if (file === undefined && out.json)
    throw new UsageError('run export writes the events as JSON lines; with --json, name the file: --output <file>.');
  const runId = await session.runId(args[0]);
  // To a temp file renamed at the end: a failed export leaves no half file under the name.
  const into = file === undefined ? undefined : tempBeside(path.resolve(file));
  let count = 0;
  let whole = false;
  try {
    for (let since = 0; ;) {
      const page = await session.execute('listEvents', { run_id: runId, since_seq: since });
      if (page.events.length > 0) {
        const lines = Buffer.from(page.events.map((e) => exportLine(e) + '\n').join(''));
        if (into) writeAll(into.fd, lines);
        else await toStdout(lines);
      }
      count += page.events.length;
      if (page.next_since_seq === undefined) break;
      since = page.next_since_seq;
    }
    if (into) {
      fs.fsyncSync(into.fd);
      whole = true;
    }
  } finally {
    // Closed once, whatever failed (a close in the catch after the one here threw EBADF over the real error).
    if (into) {
      fs.closeSync(into.fd);
      if (whole) fs.renameSync(into.tmp, into.target);
      else fs.rmSync(into.tmp, { force: true });
    }
  }
  if (into)
    out.result({ run_id: runId, events: count, file: into.target }, () => `Exported run ${runId}: ${count} events to ${into.target}.`);
}

/** A new temp file beside `target`, open for writing, renamed onto it once whole. */
function tempBeside(target: string): { target: string; tmp: string; fd: number } {
  const tmp = `${target}.${process.pid}.tmp`;
  return { target, tmp, fd: fs.openSync(tmp, 'wx') };
}

export async function runImport({ session, out, args }: Invocation): Promise<void> {
  const events = eventsOfExport(readInput(args[0]!));
  const { run } = await session.store.importRun(events).catch((e: unknown) => {
    throw e instanceof DomainError && e.code === 'RUN_EXISTS' ? importedRunExists(events[0].run_id, e) : e;
  });
  const bound = run.workspace.canonical_path;
  out.result({ run }, () =>
    [
      `Imported run ${run.run_id}: ${events.length} events, ${run.status}, ${run.tasks.length} task${run.tasks.length === 1 ? '' : 's'}.`,
      ...(bound && !samePath(bound, normalizePath(session.root, process.cwd()))
        ? [`  It is bound to ${bound}: opened here it pauses until it is rebound to this folder (the editor offers "Rebind").`]
        : []),
    ].join('\n'),
  );
}

/**
 * The file's run is on this board already: an import makes a run, never replaces one — createRun's
 * "choose another id" is no way out here (the events carry it), and restoring an archived one does
 * not make room for the file's copy.
 */
function importedRunExists(runId: string, e: DomainError): DomainError {
  const archived = e.details.archived === true;
  // A run whose id differs only in case is in the way (one folder where case is ignored): named as it is.
  const held = typeof e.details.existing_run_id === 'string' ? e.details.existing_run_id : runId;
  const which = held === runId ? `Run ${runId} is` : `Run ${held}, whose id differs from ${runId} only in case, is`;
  return new DomainError(
    'RUN_EXISTS',
    `${which} on this board already${archived ? `, archived (runboard run restore ${held} brings it back as it was here)` : ''}: ` +
      'an import makes a run anew and never replaces one, and the events in the file keep their run id.',
    e.details,
  );
}
