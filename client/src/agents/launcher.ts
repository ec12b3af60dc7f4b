// A launcher for the runboard CLI at a path that survives extension updates, for configuration
// that outlives this activation (.vscode/mcp.json): a small script in the extension's global
// storage that loads this version's dist/cli.js, rewritten on every activation. The extension's
// own folder is versioned; the global storage is not. It is plain JavaScript, run by the same
// runtime as everything else (no shell script: Windows would need cmd /c and its quoting).
// No vscode import: plain logic, unit-tested.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export const LAUNCHER_NAME = 'runboard-cli.js';

export function launcherSource(cliJs: string): string {
  return [
    '// Written by the Runboard extension on every activation; do not edit. Runs the installed',
    "// version's CLI with this script's arguments (process.argv.slice(2) is the same for both).",
    `require(${JSON.stringify(cliJs)});`,
    '',
  ].join('\n');
}

/** Writes (or rewrites) the launcher into `dir`, replacing it by rename; resolves with its path. */
export async function writeLauncher(dir: string, cliJs: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, LAUNCHER_NAME);
  // A client starting it at this moment reads the old or the new text, never half of one.
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, launcherSource(cliJs));
  await fs.rename(tmp, file);
  return file;
}
