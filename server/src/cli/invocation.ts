// Runs one subcommand handler: resolves the global options into a session, maps whatever the
// handler throws to the CLI's output and exit code, and always closes the store.
import type { Command } from 'commander';
import { Output } from './output';
import { CliSession, GlobalOptions } from './session';

export interface Invocation {
  session: CliSession;
  out: Output;
  /** Positional arguments in declaration order (undefined when an optional one is absent). */
  args: (string | undefined)[];
  /** The subcommand's own options (commander's camelCase names). */
  opts: Record<string, unknown>;
}

/** The lease token this invocation holds: --token, else $RUNBOARD_LEASE_TOKEN (a claim's `eval` sets it). */
export function givenLeaseToken(opts: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return (opts.token as string | undefined) ?? (env.RUNBOARD_LEASE_TOKEN?.trim() || undefined);
}

/** A handler returns its exit code (default 0) or throws (mapped by Output.failure). */
export type Handler = (inv: Invocation) => Promise<number | void>;
/** A lazily loaded module of handlers, looked up by name. */
export type HandlerModule = object;

export async function invoke(cmd: Command, positional: unknown[], load: () => Promise<HandlerModule>, name: string): Promise<void> {
  const globals = cmd.optsWithGlobals<GlobalOptions>();
  const out = new Output(globals.json === true);
  let session: CliSession | undefined;
  try {
    session = new CliSession(globals);
    const opts = cmd.opts();
    for (const t of [opts.token, process.env.RUNBOARD_LEASE_TOKEN]) if (typeof t === 'string' && t.trim()) out.ownTokens.add(t.trim());
    const handler = ((await load()) as Record<string, Handler>)[name];
    const code = await handler({ session, out, args: positional as (string | undefined)[], opts });
    process.exitCode = code ?? 0;
  } catch (e) {
    process.exitCode = out.failure(e);
  } finally {
    session?.close();
  }
}
