// The digest Runboard keeps of bytes it wrote, to know them again: an archive's sealed segments,
// the caches beside a log.
import { createHash } from 'node:crypto';

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
