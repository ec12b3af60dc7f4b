// Removing a test's temp workspace root: its folder, and the socket a server of it may have left in
// the per-user socket folder (PROTOCOL.md §Routing) — a server killed with kill -9 cannot remove
// its own, and every root has a socket of its own, so test runs left hundreds behind.
import * as fs from 'node:fs';
import { endpointFor } from '../server/src/routing/endpoint';
import { currentHost } from '../server/src/routing/host';

export function removeWorkspace(root: string): void {
  let real: string | undefined;
  try {
    real = fs.realpathSync(root);
  } catch {
    return; // already gone, and with it whatever named its socket
  }
  fs.rmSync(root, { recursive: true, force: true });
  const socket = process.platform === 'win32' ? undefined : endpointFor(real, currentHost());
  if (socket) fs.rmSync(socket, { force: true });
}
