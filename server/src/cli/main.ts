// Entry point of dist/cli.js, the `runboard` command. The agent loop's commands try the thin path
// first (thin/thinPath.ts: one request to the root's server, nothing else loaded); everything
// else, and whatever the thin path hands on, runs the CLI proper (dist/cli-core.js) through V8's
// code cache, which is most of a short call's start-up cost otherwise.
import * as path from 'node:path';
import { quietOnClosedStdout } from './stdoutPipe';
import { thinArgs } from './thin/thinArgs';
import { thinPath } from './thin/thinPath';

const quickExit = /^(-h|--help|-V|--version|help)$/;

async function fullCli(): Promise<void> {
  // Loaded here: the thin path needs none of it (node:vm, node:module).
  const { requireWithCodeCache } = await import('./codeCache.js');
  requireWithCodeCache(path.join(__dirname, 'cli-core.js'), () => {
    // Write the cache after a real command (its code is then compiled), not after --help or a usage error.
    const code = process.exitCode ?? 0;
    return (code === 0 || code === 1) && !process.argv.slice(2).some((a) => quickExit.test(a));
  });
}

quietOnClosedStdout();
const thin = thinArgs(process.argv.slice(2));
if (thin === undefined) void fullCli();
else
  void thinPath(thin).then((done) => {
    if (!done) return fullCli();
  });
