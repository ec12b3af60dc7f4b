// Where a root's Runboard server listens for the CLI and MCP processes of that root (PROTOCOL.md
// §Routing), and how a client knows it may trust it. One socket per root: a Unix domain socket in
// a short per-user folder (sun_path holds 104–108 bytes, so never inside the workspace), owner-only;
// a named pipe on Windows. The serving process announces it in <root>/.runboard/server.json while
// it holds <root>/.runboard/server.lock. Pure functions of the facts given, so every platform's
// path is tested on any machine.
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import * as path from 'node:path';
import { DURABILITIES, type Durability } from '../../../contract/limits';

/** The socket path limit of the strictest platform (macOS: 104 bytes with the terminating NUL). */
export const MAX_SOCKET_PATH = 103;

export interface EndpointHost {
  platform: NodeJS.Platform;
  /** The user's id (POSIX) or name (Windows): sockets of one user are kept apart from another's. */
  user: string;
  /** XDG_RUNTIME_DIR where set (Linux: a per-user tmpfs), else the OS temp folder. */
  runtimeDir: string;
}

/** Where sockets of `host.user` live (POSIX): `<runtimeDir>/runboard-<user>`, made owner-only (0700) by the server. */
export function socketFolder(host: EndpointHost): string {
  return path.posix.join(host.runtimeDir, `runboard-${host.user}`);
}

/**
 * 16 hex digits of the sha256 of the root's real path: the same root always meets the same socket.
 * sha256 from @noble/hashes, not node:crypto, which would cost every CLI call 1.4 ms to load
 * (BENCHMARKS.md, rows 10c/10d); test/unit/routing/endpoint.test.ts holds the two equal.
 */
export function rootKey(realRoot: string): string {
  return bytesToHex(sha256(realRoot)).slice(0, 16);
}

/**
 * The endpoint of the server for `realRoot` (the root's real path): a socket path, or on Windows
 * a named pipe. A POSIX path over MAX_SOCKET_PATH cannot be bound: undefined (no routing; clients
 * write directly, which is always correct).
 */
export function endpointFor(realRoot: string, host: EndpointHost): string | undefined {
  if (host.platform === 'win32') return `\\\\.\\pipe\\runboard-${host.user}-${rootKey(realRoot)}`;
  const socket = path.posix.join(socketFolder(host), `${rootKey(realRoot)}.sock`);
  return Buffer.byteLength(socket) <= MAX_SOCKET_PATH ? socket : undefined;
}

/** <root>/.runboard/server.json: written atomically by the server holding server.lock, removed when it stops. */
export interface Announcement {
  protocol: number;
  endpoint: string;
  pid: number;
  /** The root as the server opened it (its real path): a copied .runboard/ of another root is not ours. */
  root: string;
  started_at_ms: number;
  version: string;
  /** The server's durability: a client that asks for fsync does not route to a server that does not sync. */
  durability: Durability;
  /**
   * A random key of this server's start (64 hex digits). A Windows client makes the pipe prove it
   * knows it (`runboard/hello`) before it sends a call: a pipe's name is no proof of who serves it.
   */
  secret: string;
}

/** What proves a server knows `secret`: HMAC-SHA256 of the client's nonce, in hex (no node:crypto: the thin path's budget). */
export function helloProof(secret: string, nonce: string): string {
  return bytesToHex(hmac(sha256, secret, nonce));
}

/**
 * `raw` as an announcement, or undefined when it is not one. Checked by hand, not by a zod schema:
 * the CLI's thin path reads it, and loading zod would cost a routed call more than its answer
 * (issue 18's budget). The file is written by a server of the same user, never by a client.
 */
export function parseAnnouncement(raw: unknown): Announcement | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const a = raw as Record<string, unknown>;
  const ok =
    Number.isInteger(a.protocol) &&
    typeof a.endpoint === 'string' &&
    a.endpoint !== '' &&
    Number.isInteger(a.pid) &&
    (a.pid as number) > 0 &&
    typeof a.root === 'string' &&
    typeof a.started_at_ms === 'number' &&
    typeof a.version === 'string' &&
    (DURABILITIES as readonly unknown[]).includes(a.durability) &&
    typeof a.secret === 'string' &&
    a.secret.length >= 32;
  return ok ? (a as unknown as Announcement) : undefined;
}

/** What a client checks of the socket before it sends anything: the file's kind and owner, and the folder's mode. */
export interface SocketFacts {
  isSocket: boolean;
  ownerUid: number;
  folderOwnerUid: number;
  /** The folder's permission bits (st_mode & 0o777). */
  folderMode: number;
}

/** What the server checks of the socket folder before it binds: the same rule as the client's. */
export interface FolderFacts {
  isDirectory: boolean;
  ownerUid: number;
  /** The permission bits (st_mode & 0o777). */
  mode: number;
}

/** Why a socket folder must not be used (not a real folder, another user's, open to others), or undefined when it may. */
export function unsafeFolder(facts: FolderFacts, uid: number): string | undefined {
  if (!facts.isDirectory) return 'it is not a folder';
  if (facts.ownerUid !== uid) return `it belongs to user ${facts.ownerUid}, not to you (${uid})`;
  if ((facts.mode & 0o077) !== 0) return `it is open to others (mode ${facts.mode.toString(8)})`;
  return undefined;
}

/**
 * Why a client must not use a POSIX socket (another user's, or in a folder others can write to,
 * where one could have put it), or undefined when it may. A Windows pipe has no owner to look at
 * and its name is known: the pipe proves it knows the announcement's secret instead (helloProof).
 */
export function untrustedSocket(facts: SocketFacts, uid: number): string | undefined {
  if (!facts.isSocket) return 'it is not a socket';
  if (facts.ownerUid !== uid) return `it belongs to user ${facts.ownerUid}, not to you (${uid})`;
  const folder = unsafeFolder({ isDirectory: true, ownerUid: facts.folderOwnerUid, mode: facts.folderMode }, uid);
  return folder && `its folder: ${folder}`;
}
