// <root>/.runboard/server.json: which server serves the root's socket, written atomically by the
// holder of the endpoint lock once it listens, removed when it stops. A server killed before it
// could remove it leaves it behind: clients then fail to connect (refused) and write directly, and
// the next holder of the lock replaces it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUNBOARD_DIR, SERVER_FILE } from '../../../contract/layout';
import { readJsonIfExists, writeFileAtomic } from '../store/atomicFiles';
import { Announcement, parseAnnouncement } from './endpoint';

export function announcementFile(root: string): string {
  return path.join(root, RUNBOARD_DIR, SERVER_FILE);
}

export function announce(root: string, a: Announcement): void {
  writeFileAtomic(announcementFile(root), JSON.stringify(a, null, 2) + '\n', false);
}

/** Removes the announcement (only its writer, the lock's holder, calls this). */
export function withdrawAnnouncement(root: string): void {
  fs.rmSync(announcementFile(root), { force: true });
}

/** The root's announcement; `problem` when there is none or it cannot be used (unreadable, malformed, a symlink). */
export function readAnnouncement(root: string): { announcement: Announcement } | { problem: string } {
  let raw: unknown;
  try {
    raw = readJsonIfExists(announcementFile(root));
  } catch (e) {
    return { problem: `${SERVER_FILE} cannot be read: ${(e as Error).message}` };
  }
  if (raw === undefined) return { problem: `no ${SERVER_FILE}` };
  const announcement = parseAnnouncement(raw);
  return announcement ? { announcement } : { problem: `${SERVER_FILE} is not an announcement` };
}
