// serve: the Runboard server in this process. It is dist/server.js itself, required at run time
// so that the CLI bundles do not carry the language-server libraries on every call: over --stdio or
// --node-ipc (the server reads those, --durability and --read-only from the process arguments),
// or on the root's socket (--socket: a headless server for the root's CLI and MCP processes).
import * as path from 'node:path';
import type { HeadlessOptions } from '../../rpc/headlessServer';
import { Invocation } from '../invocation';
import { UsageError } from '../usageError';
import { DomainError } from '../../../../contract/domainError';
import type { DomainCode } from '../../../../contract/errors';

interface ServerBundle {
  runServer(argv: string[]): void;
  serveHeadless(o: HeadlessOptions): Promise<number>;
}

/** How long a headless server waits without a connection before it stops, unless --idle-timeout says otherwise. */
export const DEFAULT_IDLE_TIMEOUT_S = 600;

export async function serve({ session, opts }: Invocation): Promise<number | void> {
  const ways = [opts.stdio, opts.nodeIpc, opts.socket].filter((w) => w === true).length;
  if (ways !== 1) throw new UsageError('Say how to talk, once: runboard serve --stdio, --node-ipc or --socket.');
  if (opts.socket !== true && opts.idleTimeout !== undefined) throw new UsageError('--idle-timeout goes with --socket.');
  if (opts.socket !== true && opts.archiveAfterDays !== undefined)
    throw new UsageError('--archive-after-days goes with --socket (the editor has the setting runboard.archiveAfterDays).');
  if (opts.socket === true && opts.readOnly === true)
    throw new UsageError('A read-only server serves no socket: --socket and --read-only do not go together.');
  // A computed path keeps esbuild from bundling it into cli.js.
  const bundle = (require as (id: string) => ServerBundle)(path.join(__dirname, 'server.js'));
  // The server lives on its connection (and ends the process itself).
  if (opts.socket !== true) return bundle.runServer(process.argv.slice(2));
  const idle = (opts.idleTimeout as number | undefined) ?? DEFAULT_IDLE_TIMEOUT_S;
  try {
    return await bundle.serveHeadless({
      root: session.root,
      durability: session.durability,
      idleTimeoutMs: idle * 1000,
      archiveAfterDays: opts.archiveAfterDays as number | undefined,
    });
  } catch (e) {
    throw ownError(e);
  }
}

/** An error of server.js's bundle, whose DomainError is another class than this bundle's: reported with its code, not as INTERNAL_ERROR. */
function ownError(e: unknown): unknown {
  const d = e as { name?: unknown; code?: unknown; message?: unknown; details?: unknown } | null;
  if (d?.name !== 'DomainError' || typeof d.code !== 'string' || typeof d.message !== 'string') return e;
  return new DomainError(d.code as DomainCode, d.message, (d.details as Record<string, unknown> | undefined) ?? {});
}
