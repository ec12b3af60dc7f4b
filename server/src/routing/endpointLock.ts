// The endpoint lock, <root>/.runboard/server.lock: an exclusive OS lock held for its whole life by
// the one server that serves the root's socket (the kernel frees it when that server dies). A
// server that cannot take it serves no socket: it writes directly, as the CLI does without routing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUNBOARD_DIR, SERVER_LOCK_FILE } from '../../../contract/layout';
import { HeldFile, tryHoldFile } from '../store/boards';

/** Takes the root's endpoint lock (making .runboard/ when missing); undefined when another server holds it. */
export function takeEndpointLock(root: string): HeldFile | undefined {
  const dir = path.join(root, RUNBOARD_DIR);
  fs.mkdirSync(dir, { recursive: true });
  return tryHoldFile(path.join(dir, SERVER_LOCK_FILE));
}
