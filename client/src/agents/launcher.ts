// A launcher for the runboard CLI at a path that survives extension updates, for configuration
// that outlives this activation (.vscode/mcp.json): a small script in the extension's global
// storage that loads this version's dist/cli.js, rewritten on every activation. The extension's
// own folder is versioned; the global storage is not. It is plain JavaScript, run by the same
// runtime as everything else (no shell script: Windows would need cmd /c and its quoting).
// No vscode import: plain logic, unit-tested.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { renameRetryDelay } from '../../../contract/renameRetry';

export const LAUNCHER_NAME = 'runboard-cli.js';

export function launcherSource(cliJs: string): string {
  return [
    '// Written by the Runboard extension on every activation; do not edit. Runs the installed',
    "// version's CLI with this script's arguments (process.argv.slice(2) is the same for both).",
    `require(${JSON.stringify(cliJs)});`,
    '',
  ].join('\n');
}

/** How the launcher is renamed into place (a test injects Windows and its refusals). */
export interface RenameHost {
  platform: string;
  rename(from: string, to: string): Promise<void>;
}

const HOST: RenameHost = { platform: process.platform, rename: fs.rename };

/** Writes (or rewrites) the launcher into `dir`, replacing it by rename; resolves with its path. */
export async function writeLauncher(dir: string, cliJs: string, host: RenameHost = HOST): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, LAUNCHER_NAME);
  // A client starting it at this moment reads the old or the new text, never half of one.
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, launcherSource(cliJs));
  // A virus scanner holding the old launcher on Windows for a moment must not leave it naming a removed version.
  for (let attempt = 0; ; attempt++) {
    try {
      await host.rename(tmp, file);
      return file;
    } catch (e) {
      const wait = renameRetryDelay(host.platform, (e as NodeJS.ErrnoException).code, attempt);
      if (wait === undefined) {
        await fs.rm(tmp, { force: true });
        throw e;
      }
      await delay(wait);
    }
  }
}
