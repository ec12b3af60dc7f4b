// Which store keeps a root's board: the files under .runboard/runs, or — when .runboard/board.json
// names one (boardConfig.ts) — a board on PostgreSQL. The choice is made when the root is opened.
import { DomainError } from '../engine/errors';
import type { BoardSite, BoardStore } from './boardStore';
import { boardConfigFile, readBoardConfig } from './boardConfig';
import { FileBoard } from './file/fileBoard';
import { OpenFiles } from './file/openFiles';
import { ensureLockLoaded } from './file/osLock';
import { PgBoard } from './pg/pgBoard';
import { UnusableBoard } from './unusableBoard';

/** Opens roots' boards; one per service, so the file store's bound on open descriptors spans them all. */
export type BoardOpener = (root: string, site: BoardSite) => BoardStore;

export function boardOpener(env: NodeJS.ProcessEnv = process.env): BoardOpener {
  const openFiles = new OpenFiles();
  return (root, site) => {
    const file = boardConfigFile(root);
    let config: ReturnType<typeof readBoardConfig>;
    try {
      config = readBoardConfig(root, env);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return new UnusableBoard(root, e, site, file);
    }
    if (config.store === 'files') return new FileBoard(root, site, openFiles);
    if (site.options.readOnly) return new UnusableBoard(root, untrustedDatabase(file, config.board), site, file);
    return new PgBoard(root, site, config.board, config.pool, env);
  };
}

/** An untrusted workspace's board.json could point the editor at any database: it is not followed. */
function untrustedDatabase(file: string, board: string): DomainError {
  return new DomainError(
    'READ_ONLY',
    `${file} puts this workspace's board (${board}) on PostgreSQL; Runboard does not connect to a database for an untrusted workspace. Trust the workspace to see its board.`,
    { file },
  );
}

/** Throws, naming the platform, when a store this process may need cannot work here (the file store's lock binary). */
export function ensureStoresUsable(): void {
  ensureLockLoaded();
}

// What the routing endpoint keeps in .runboard/ beside the boards (its lock and its announcement),
// made with the file store's own primitives.
export { tryHoldFile, type HeldFile } from './file/heldFile';
export { ensureRunboardFolder } from './file/runboardFolder';
