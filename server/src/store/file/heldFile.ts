// An exclusive OS lock on a file of its own, held for as long as its holder wants it (the routing
// endpoint's lock, .runboard/server.lock): the same OS lock as a run's log (osLock.ts), so the
// kernel frees it when the holder dies. The file is made owner-only when missing and never opened
// through a symlink. A lock file deleted while held lets a second holder lock a new file at the
// same path, so a holder checks that the file it locked is the one there; that makes it safe for
// a holder to delete its file on the way out (release(true)).
import * as fs from 'node:fs';
import { compareAtPath, identityOf, NO_FOLLOW } from './fileIdentity';
import { tryLock, unlock } from './osLock';

export interface HeldFile {
  /**
   * Lets go of the lock (and the descriptor); again does nothing. With `removeFile`, the file is
   * deleted first, while still held — safe, since a holder checks the file it locked is the one at
   * the path — so a holder that stops leaves nothing behind (Windows keeps an open file: left).
   */
  release(removeFile?: boolean): void;
  /** Whether the file locked is still the one at the path (deleted or replaced: not any more). */
  stillThere(): boolean;
}

/** Takes the lock without waiting; undefined when another open file holds it (another process, or this one). */
export function tryHoldFile(file: string): HeldFile | undefined {
  // Read-write: Linux's open-file-description locks refuse other descriptors.
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | NO_FOLLOW, 0o600);
  let held = false;
  try {
    held = tryLock(fd);
  } finally {
    if (!held) fs.closeSync(fd);
  }
  if (!held) return undefined;
  let released = false;
  const locked = identityOf(fd);
  const hold: HeldFile = {
    release(removeFile = false) {
      if (released) return;
      if (removeFile && hold.stillThere()) {
        try {
          fs.unlinkSync(file);
        } catch {
          // Windows refuses to delete an open file; a lock file left is harmless.
        }
      }
      released = true;
      try {
        unlock(fd);
      } finally {
        fs.closeSync(fd);
      }
    },
    stillThere() {
      if (released) return false;
      try {
        return compareAtPath(file, locked) === 'same';
      } catch {
        return false;
      }
    },
  };
  if (!hold.stillThere()) {
    // Replaced between our open and our lock (a holder that deleted it on the way out): not the lock.
    hold.release();
    return undefined;
  }
  return hold;
}
