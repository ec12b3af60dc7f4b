// Where a root's runs are, in the words of a message: its folder, or — when .runboard/board.json
// names a PostgreSQL board — that board: a misspelt board name shows an empty board, and "no run
// in <folder>" read as if the runs were files that had gone.
import { boardConfigFile, readBoardConfig } from '../store/boardConfig';

/** The PostgreSQL board the root's board.json names, in words; undefined for a board of files. */
export function boardPlace(root: string): string | undefined {
  try {
    const config = readBoardConfig(root);
    if (config.store === 'postgres') return `PostgreSQL board "${config.board}" (named by ${boardConfigFile(root)})`;
  } catch {
    // A board.json that cannot be read is the store's to say (it refuses to open the board).
  }
  return undefined;
}

export function runsPlace(root: string): string {
  return boardPlace(root) ?? root;
}
