// dist/cli-thin.js, run by dist/cli.js: the agent loop's commands try the thin path first
// (thinPath.ts: one request to the root's server, nothing else loaded); everything else, and
// whatever the thin path hands on, runs the CLI proper (dist/cli-core.js), also through V8's
// code cache.
import * as path from 'node:path';
import { afterARealCommand, requireWithCodeCache } from '../codeCache';
import { leaveRemovedFolder } from '../removedFolder';
import { quietOnClosedStdout } from '../standardStreams';
import { thinArgs } from './thinArgs';
import { thinPath } from './thinPath';

function fullCli(): void {
  quietOnClosedStdout();
  requireWithCodeCache(path.join(__dirname, 'cli-core.js'), afterARealCommand);
}

leaveRemovedFolder(process.argv.slice(2), process.env);
const thin = thinArgs(process.argv.slice(2));
if (thin === undefined) fullCli();
else
  void thinPath(thin).then((done) => {
    if (!done) fullCli();
  });
