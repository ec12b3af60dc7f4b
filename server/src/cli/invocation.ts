// Runs one subcommand handler: resolves the global options into a session, maps whatever the
// handler throws to the CLI's output and exit code, and always closes the store.
import type { Command } from 'commander';
import { Output } from './output';
import type { GlobalOptions } from './globalOptions';
import { CliSession } from './session';
import { UsageError } from './usageError';
import { diagnosticText } from '../service/diagnosticText';
import type { Diagnostic } from '../../../contract/diagnostic';
import { DomainError } from '../../../contract/domainError';

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
  let failed: unknown;
  try {
    session = new CliSession(globals);
    const opts = cmd.opts();
    out.holding(opts.token, process.env.RUNBOARD_LEASE_TOKEN);
    const handler = ((await load()) as Record<string, Handler>)[name];
    const code = await handler({ session, out, args: positional as (string | undefined)[], opts });
    process.exitCode = code ?? 0;
  } catch (e) {
    failed = e;
    process.exitCode = out.failure(e);
  } finally {
    session?.close();
    // After the close, which may write caches.
    if (session) sayDiagnostics(out, session.diagnostics, failed);
  }
}

/** A call's diagnostics, on stderr: a few, not a thousand damaged lines on every call, nor what its error said already. */
const DIAGNOSTICS_SAID = 5;

function sayDiagnostics(out: Output, diagnostics: Diagnostic[], failed: unknown): void {
  const said = failed instanceof Error ? failed.message : undefined;
  // RUN_DAMAGED sums up its log's damage and says how to see it all: its lines are not said again, a few of them.
  const damaged = failed instanceof DomainError && failed.code === 'RUN_DAMAGED' ? failed.details.run_id : undefined;
  const news = diagnostics.filter(
    (d) => !said?.includes(d.message) && !(damaged !== undefined && d.run_id === damaged && d.line !== undefined),
  );
  for (const d of news.slice(0, DIAGNOSTICS_SAID)) out.warn(`runboard: ${diagnosticText(d)}`);
  if (news.length > DIAGNOSTICS_SAID) {
    const runs = [...new Set(news.map((d) => d.run_id).filter((r) => r !== undefined))];
    const more = runs.length === 1 ? ` (\`runboard run show ${runs[0]}\` lists the log's damage)` : '';
    out.warn(`runboard: … and ${news.length - DIAGNOSTICS_SAID} more${more}.`);
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
