// What may be a file or folder name on every platform Runboard runs on: run ids become folder
// names (PROTOCOL.md §Locating a run), task ids name a worktree's folder and its branch's ref file
// (§Worktrees). Windows has device names (con, nul …, with any extension) that no file may take.

// COM¹–³ and LPT¹–³ too; escaped, so that the bundles stay ASCII (esbuild.mjs).
export const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(\..*)?$/i;

/**
 * `name` as a name Windows can give a file or folder: a device name gets a "_" before its first
 * dot — Windows reads `nul.txt` and `nul.txt_` as the device alike, `nul_.txt` as a file.
 */
export function deviceSafe(name: string): string {
  return WINDOWS_DEVICE.test(name) ? name.replace(/^[^.]*/, (stem) => `${stem}_`) : name;
}
