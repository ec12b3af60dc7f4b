// The watchdog of `npm start`'s workbench: code-server runs in a process group of its own (so that
// stopping it ends its extension hosts too), which a `kill -9` of the script or a closed terminal
// never reaches. Started by open-workbench.mjs with a pipe on its stdin, which closes when the
// script ends however it ends: then it stops what the script left running and removes what the
// script made — the run folder, and the demo workspace unless someone changed it.
//   node scripts/workbenchWatchdog.mjs RUN_DIR [DEMO_DIR]
import * as fs from 'node:fs';
import { stopCodeServer } from '../test/e2e/driver/codeServer.mjs';
import { untouchedSinceNow } from './demoWorkspace.mjs';

const [runDir, demoDir] = process.argv.slice(2);
// Taken now, before the workbench opens the folder: what the script's own check compares with.
const demoUntouched = demoDir ? untouchedSinceNow(demoDir) : undefined;

async function cleanUp() {
  await stopCodeServer(runDir); // by its pid file: nothing to do when the script stopped it
  fs.rmSync(runDir, { recursive: true, force: true });
  if (demoDir && demoUntouched()) fs.rmSync(demoDir, { recursive: true, force: true });
  process.exit(0);
}

process.stdin.on('end', cleanUp);
process.stdin.on('error', cleanUp);
process.stdin.resume();
