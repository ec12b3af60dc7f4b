// What a client tells the server in `initialize` (PROTOCOL.md §Transport: initializationOptions).
import type { Durability } from './limits';

export interface InitializationOptions {
  /** "fsync" (the default) or "none". */
  durability?: Durability;
  /** A claim's lease when it names none. */
  defaultLeaseMs?: number;
  /** true: the server writes nothing, as with `--read-only` (an untrusted workspace). */
  readOnly?: boolean;
}
