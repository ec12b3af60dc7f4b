// Where a workspace keeps its runs (PROTOCOL.md §Files): <root>/.runboard/runs/<run_id>/…

export const RUNBOARD_DIR = '.runboard';
export const RUNS_DIR = 'runs';
/** In .runboard/: archived runs, each a folder of sealed, compressed segments (PROTOCOL.md §Archived runs). */
export const ARCHIVE_DIR = 'archive';
/** In .runboard/: finished runs compacted in place — still runs of the board — in the archive's format (PROTOCOL.md §Archived runs: compacting). */
export const COMPACTED_DIR = 'compacted';
/** In an archived run's folder: what it holds, written last (its presence is the archive's commit point). */
export const ARCHIVE_MANIFEST_FILE = 'archive.json';
/** The log: one event per line; also the run's lock. */
export const EVENTS_FILE = 'events.jsonl';
/** Writers waiting for a run's lock announce themselves here (fairness). */
export const WAITING_FILE = '.waiting';
/** In runs/: held while a run is created, so ids that differ only in case cannot race. */
export const CREATING_FILE = '.creating';
/** Caches beside the log. */
export const RUN_FILE = 'run.json';
export const BLACKBOARD_FILE = 'blackboard.json';
export const INDEX_FILE = 'index.json';
export const CHECKPOINTS_DIR = 'checkpoints';
/** In .runboard/: where the server that serves this root's socket says so (routing: PROTOCOL.md §Routing). */
export const SERVER_FILE = 'server.json';
/** In .runboard/: held (an OS lock) by the one server that serves this root's socket. */
export const SERVER_LOCK_FILE = 'server.lock';
/** In .runboard/: which store keeps this root's board (absent: the files here). Committable; never holds credentials. */
export const BOARD_CONFIG_FILE = 'board.json';
/**
 * The environment variable through which the editor hands its server the passwords of database
 * boards kept in its secret storage: a JSON object, board name → password. Never in a file,
 * on a command line or in the protocol.
 */
export const BOARD_PASSWORDS_ENV = 'RUNBOARD_PG_PASSWORDS';
