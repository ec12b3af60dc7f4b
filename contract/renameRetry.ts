// When a rename onto a file is tried again (every writer of Runboard's files, the store's and the
// editor's alike): Windows refuses a rename while another program holds the target (or the source)
// open without FILE_SHARE_DELETE — virus scanners, indexers and backup tools do, for moments.
// Elsewhere these codes mean what they say, so only Windows retries, backing off up to about two seconds.

const TRANSIENT_ON_WINDOWS = new Set(['EPERM', 'EBUSY', 'EACCES']);
const RETRY_DELAYS_MS = [5, 10, 20, 40, 80, 160, 320, 640, 800];

/** How long to wait before trying again a rename that failed with `code` on its `attempt`-th try (from 0); undefined: give up. */
export function renameRetryDelay(platform: string, code: string | undefined, attempt: number): number | undefined {
  if (platform !== 'win32' || !TRANSIENT_ON_WINDOWS.has(code ?? '')) return undefined;
  return RETRY_DELAYS_MS[attempt];
}
