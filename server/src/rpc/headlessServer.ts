// `runboard serve --socket`: a server without an editor, for agent fleets. It opens one root,
// serves its socket (socketServer.ts) so the root's CLI and MCP processes send their commands
// here, follows the root's files for writers that do not route, and expires leases. It stops
// after an idle timeout without a connection (0: never), on SIGTERM and on SIGINT, withdrawing
// server.json and the socket. When another server holds the root's endpoint lock, the root is
// served: it says so and returns; when its board cannot be used (a database it cannot reach or
// log in to), it fails at once, serving nothing.
import type { Durability } from '../../../contract/limits';
import { DomainError } from '../engine/errors';
import { RunService } from '../service/runService';
import { ensureStoresUsable } from '../store/boards';
import { startLeaseTimer } from './leaseTimer';
import { startArchiveTimer } from './archiveTimer';
import { errorText } from './rpcErrors';
import { serveSocket } from './socketServer';
import { diagnosticText } from '../service/diagnosticText';

export interface HeadlessOptions {
  root: string;
  durability: Durability;
  /** Stop after this long without an open connection; 0: never. */
  idleTimeoutMs: number;
  /** Archive finished runs this many days after their last change (at start, then daily); 0 or absent: never. */
  archiveAfterDays?: number;
  /** Where it says what it does (stderr). */
  say?: (line: string) => void;
}

/** Serves until it stops; resolves with the exit code. */
export async function serveHeadless(o: HeadlessOptions): Promise<number> {
  ensureStoresUsable();
  const say = o.say ?? ((line: string) => process.stderr.write(`runboard: ${line}\n`));
  const log = (message: string) => say(`server: ${message}`);
  const store = new RunService([o.root], { durability: o.durability, syncOffLoop: true });
  const root = store.rootPaths()[0];
  let idle: NodeJS.Timeout | undefined;
  let stopFor: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stopFor = resolve));
  let stopping = false;
  const armIdle = (open: number) => {
    clearTimeout(idle);
    idle = undefined;
    if (open === 0 && o.idleTimeoutMs > 0 && !stopping)
      idle = setTimeout(() => stopFor(`idle for ${o.idleTimeoutMs / 1000} s`), o.idleTimeoutMs);
  };

  // No editor shows its Problems: the files' problems go where the server says what it does — from
  // its start, so that what opening the board finds (a database board's name misspelt, and which it
  // may mean) is said too (until this change it was said to no one).
  const stopDiagnostics = store.on({ onDiagnostic: (d) => say(diagnosticText(d)) });
  // A board it cannot use (a database it cannot reach or log in to) is not served: the root's CLI
  // and MCP processes, whose credentials may work, would send their calls here and fail.
  try {
    await store.ready();
  } catch (e) {
    store.close();
    if (!(e instanceof DomainError)) throw e;
    throw new DomainError(e.code, `Not serving ${root}: ${e.message}`, e.details);
  }
  const outcome = await serveSocket(store, root, { log, onConnections: armIdle, onLost: (why) => stopFor(why) });
  if (!('serving' in outcome)) {
    store.close();
    if ('unavailable' in outcome) throw new DomainError('STORAGE_ERROR', `${root} cannot be served here: ${outcome.unavailable}`);
    const by = outcome.held ? ` by pid ${outcome.held.pid} on ${outcome.held.endpoint}` : '';
    say(`${root} is served already${by}; its CLI and MCP calls go there.`);
    return 0;
  }
  const served = outcome.serving;
  const watcher = store.follow((e) => log(`watcher: ${errorText(e)}`));
  const leaseTimer = startLeaseTimer(store, log);
  const archiving = o.archiveAfterDays ? startArchiveTimer(store, o.archiveAfterDays, log) : undefined;
  const onExit = () => served.stopNow();
  process.on('exit', onExit);
  const onSignal = (signal: NodeJS.Signals) => stopFor(signal);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  armIdle(0);
  const idleText = o.idleTimeoutMs > 0 ? `after ${o.idleTimeoutMs / 1000} s without a connection, or ` : '';
  say(`serving ${root} on ${served.endpoint} (pid ${process.pid}); stops ${idleText}on SIGTERM or Ctrl-C.`);

  const reason = await stopped;
  stopping = true;
  clearTimeout(idle);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  await served.stop();
  process.off('exit', onExit);
  clearInterval(leaseTimer);
  archiving?.stop();
  await watcher.close();
  stopDiagnostics();
  store.flush();
  store.close();
  say(`stopped serving ${root} (${reason}).`);
  return 0;
}
