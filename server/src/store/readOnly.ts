// A store opened read-only (the server of an untrusted workspace) writes nothing: no command, cache,
// checkpoint, torn-tail repair or clean-up. One error for every refusal.
import { DomainError } from '../engine/errors';

export function readOnlyError(): DomainError {
  return new DomainError(
    'READ_ONLY',
    'Runboard is read-only here (the workspace is not trusted): it writes nothing. Trust the workspace to make changes.',
  );
}
