// The per-user folder a root's socket lives in (POSIX), and what is in it: made owner-only (0700)
// by the server, which refuses a folder another user owns or others may write to — someone could
// have put a socket of theirs there — and the same facts checked by a client before it connects.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FolderFacts, SocketFacts, unsafeFolder } from './endpoint';

export function folderFacts(folder: string): FolderFacts {
  const st = fs.lstatSync(folder);
  return { isDirectory: st.isDirectory(), ownerUid: st.uid, mode: st.mode & 0o777 };
}

/** Makes `folder` (owner-only) unless it exists; throws saying why when it must not be used. */
export function ensureSocketFolder(folder: string, uid: number): void {
  try {
    fs.mkdirSync(folder, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const problem = unsafeFolder(folderFacts(folder), uid);
  if (problem) throw new Error(`Runboard serves no socket in ${folder}: ${problem}.`);
}

/** The socket file's kind and owner and its folder's, as a client checks them; undefined when there is no such file. */
export function socketFacts(endpoint: string): SocketFacts | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(endpoint);
  } catch {
    return undefined;
  }
  const folder = folderFacts(path.dirname(endpoint));
  return { isSocket: st.isSocket(), ownerUid: st.uid, folderOwnerUid: folder.ownerUid, folderMode: folder.mode };
}

/**
 * Unlinks the socket a killed server left at `endpoint` (only the endpoint lock's holder calls
 * this: nobody else serves it). Anything but a socket of this user is left alone, and refused.
 */
export function removeStaleSocket(endpoint: string, uid: number): void {
  const facts = socketFacts(endpoint);
  if (!facts) return;
  if (!facts.isSocket || facts.ownerUid !== uid) {
    throw new Error(
      `Runboard serves no socket at ${endpoint}: something else is there (${facts.isSocket ? `user ${facts.ownerUid}'s socket` : 'not a socket'}).`,
    );
  }
  fs.rmSync(endpoint, { force: true });
}
