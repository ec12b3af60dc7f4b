// Every byte of a buffer written, or an error. fs.writeSync writes what fits and returns the count:
// on a disk about to fill, a single call wrote part of a manifest, which was then synced and
// renamed into place as if whole (the next call is the one that throws ENOSPC).
import * as fs from 'node:fs';

/** `position`: the file offset of data[0] (a descriptor opened without O_APPEND); none: where the descriptor is. */
export function writeAll(fd: number, data: Buffer, from = 0, position?: number): void {
  for (let at = from; at < data.length;) at += fs.writeSync(fd, data, at, data.length - at, position === undefined ? null : position + at);
}
