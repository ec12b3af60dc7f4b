// Entry point of dist/cli.js, the `runboard` command: runs the CLI proper (dist/cli-core.js)
// through V8's code cache, which is most of a short call's start-up cost otherwise.
import * as path from 'node:path';
import { requireWithCodeCache } from './codeCache';

const quickExit = /^(-h|--help|-V|--version|help)$/;

requireWithCodeCache(path.join(__dirname, 'cli-core.js'), () => {
  // Write the cache after a real command (its code is then compiled), not after --help or a usage error.
  const code = process.exitCode ?? 0;
  return (code === 0 || code === 1) && !process.argv.slice(2).some((a) => quickExit.test(a));
});
