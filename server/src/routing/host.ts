// This process's facts for endpoint.ts: the platform, the user (id on POSIX, name on Windows) and
// where per-user runtime files go. Kept apart so endpoint.ts stays a pure function of them.
import * as os from 'node:os';
import * as path from 'node:path';
import type { EndpointHost } from './endpoint';

/** The user id whose sockets this process may use (POSIX); -1 where there is none (Windows). */
export function currentUid(): number {
  return process.getuid?.() ?? -1;
}

export function currentHost(env: NodeJS.ProcessEnv = process.env): EndpointHost {
  const xdg = env.XDG_RUNTIME_DIR;
  return {
    platform: process.platform,
    user: process.platform === 'win32' ? os.userInfo().username : String(currentUid()),
    runtimeDir: xdg && path.isAbsolute(xdg) ? xdg : os.tmpdir(),
  };
}
