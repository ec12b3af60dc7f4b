// The `runboard` command proper (dist/cli-core.js, run by dist/cli.js). Argument mistakes exit 2;
// everything else is reported by the subcommand's invocation (see invocation.ts, output.ts).
import { CommanderError } from 'commander';
import { z } from 'zod';
import { version } from '../../../package.json';
import { EXIT, Output } from './output';
import { withListGuesses } from './listGuesses';
import { buildProgram } from './program';
import { UsageError } from './usageError';

// A CLI call parses a handful of values: compiling zod's fast paths (new Function) costs more
// than it saves, and that code would miss the code cache.
z.config({ jitless: true });

async function main(argv: string[]): Promise<void> {
  const program = buildProgram(version);
  try {
    await program.parseAsync(withListGuesses(argv));
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    // Help and --version end with exit code 0; every other commander error is a usage error.
    if (e.exitCode === 0) {
      process.exitCode = EXIT.ok;
      return;
    }
    // Commander has said what is wrong on stderr; --json also wants the one JSON document.
    if (argv.includes('--json')) new Output(true).errorDocument(new UsageError(e.message.replace(/^error: /, '')));
    process.exitCode = EXIT.usage;
  }
}

main(process.argv).catch((e: unknown) => {
  process.exitCode = new Output(process.argv.includes('--json')).failure(e);
});
