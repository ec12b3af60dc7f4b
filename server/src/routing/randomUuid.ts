// Random UUIDs (v4) for the command_id a routed call stamps. On POSIX from 16 bytes of
// /dev/urandom — the kernel's generator, which node:crypto draws from too — read in microseconds,
// where loading node:crypto costs a CLI call 1.4 ms (BENCHMARKS.md, rows 10c/10d); on Windows, or
// when the device cannot be read, from the Web Crypto global.
import * as fs from 'node:fs';

export function randomUuid(platform: NodeJS.Platform = process.platform): string {
  const bytes = platform === 'win32' ? undefined : urandom(16);
  if (!bytes) return globalThis.crypto.randomUUID();
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // the RFC 9562 variant
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function urandom(n: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync('/dev/urandom', 'r');
    const bytes = Buffer.alloc(n);
    return fs.readSync(fd, bytes, 0, n, null) === n ? bytes : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
