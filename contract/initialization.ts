// What a client tells the server in `initialize` (PROTOCOL.md §Transport: initializationOptions).
import type { Durability } from './limits';

export interface InitializationOptions {
  /** "fsync" (the default) or "none". */
  durability?: Durability;
  /** A claim's lease when it names none. */
  defaultLeaseMs?: number;
  /** true: the server writes nothing, as with `--read-only` (an untrusted workspace). */
  readOnly?: boolean;
  /**
   * true: the server also serves each root's socket (PROTOCOL.md §Routing) while it holds that
   * root's endpoint lock, trying again every 2 s while another server holds it, so the CLI and
   * MCP processes of the root send their commands to it. Ignored by a read-only server.
   */
  serveSocket?: boolean;
  /**
   * Archive finished runs this many days after their last change (PROTOCOL.md §Archived runs):
   * the server does so when it starts and once a day. Absent or 0: never.
   */
  archiveAfterDays?: number;
}
