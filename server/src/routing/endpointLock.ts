// The endpoint lock, <root>/.runboard/server.lock: an exclusive OS lock held for its whole life by
// the one server that serves the root's socket (the kernel frees it when that server dies). A
// server that cannot take it serves no socket (the editor's server sends its writes to the holder).
import * as path from 'node:path';
import { SERVER_LOCK_FILE } from '../../../contract/layout';
import { ensureRunboardFolder, HeldFile, tryHoldFile } from '../store/boards';

/** Takes the root's endpoint lock (making .runboard/ when missing, with its .gitignore); undefined when another server holds it. */
export function takeEndpointLock(root: string): HeldFile | undefined {
  return tryHoldFile(path.join(ensureRunboardFolder(root), SERVER_LOCK_FILE));
}
