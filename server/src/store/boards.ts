// Which store keeps a root's board. Every root is on the file store for now; the PostgreSQL
// store will be chosen here, per workspace, from a config file in .runboard/.
import type { BoardSite, BoardStore } from './boardStore';
import { FileBoard } from './file/fileBoard';
import { OpenFiles } from './file/openFiles';
import { ensureLockLoaded } from './file/osLock';

/** Opens roots' boards; one per service, so the file store's bound on open descriptors spans them all. */
export type BoardOpener = (root: string, site: BoardSite) => BoardStore;

export function boardOpener(): BoardOpener {
  const openFiles = new OpenFiles();
  return (root, site) => new FileBoard(root, site, openFiles);
}

/** Throws, naming the platform, when a store this process may need cannot work here (the file store's lock binary). */
export function ensureStoresUsable(): void {
  ensureLockLoaded();
}

// What the routing endpoint keeps in .runboard/ beside the boards (its lock and its announcement),
// made with the file store's own primitives.
export { tryHoldFile, type HeldFile } from './file/heldFile';
export { ensureRunboardFolder } from './file/runboardFolder';
