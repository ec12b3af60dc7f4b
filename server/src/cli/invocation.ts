// Runs one subcommand handler: resolves the global options into a session, maps whatever the
// handler throws to the CLI's output and exit code, and always closes the store.
import type { Command } from 'commander';
import { Output } from './output';
import type { GlobalOptions } from './globalOptions';
import { CliSession } from './session';
import { UsageError } from './usageError';

export interface Invocation {
  session: CliSession;
  out: Output;
  /** Positional arguments in declaration order (undefined when an optional one is absent). */
  args: (string | undefined)[];
  /** The subcommand's own options (commander's camelCase names). */
  opts: Record<string, unknown>;
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
    out.holding(opts.token, process.env.RUNBOARD_LEASE_TOKEN);
    const handler = ((await load()) as Record<string, Handler>)[name];
    const code = await handler({ session, out, args: positional as (string | undefined)[], opts });
    process.exitCode = code ?? 0;
  } catch (e) {
    process.exitCode = out.failure(e);
  } finally {
    session?.close();
  }
}

/** The task a command names: its argument or --task (both may be given when they agree). */
export function taskOf({ args, opts }: Pick<Invocation, 'args' | 'opts'>): string | undefined {
  const [argument] = args;
  const option = opts.task as string | undefined;
  if (argument !== undefined && option !== undefined && argument !== option) {
    throw new UsageError(`Two tasks named: ${argument} (the argument) and ${option} (--task). Name one.`);
  }
  return argument ?? option;
}
