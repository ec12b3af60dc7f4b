// Where things are, from the sources (bench/*.ts under tsx) or from the bundle run.ts builds
// (out/bench/*.js): the repository root is the nearest folder up holding package.json.
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bench'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${from}`);
  }
}

export const REPO = findRepoRoot(__dirname);
export const SERVER_JS = path.join(REPO, 'dist', 'server.js');
export const CLI_JS = path.join(REPO, 'dist', 'cli.js');
export const RESULTS_JSON = path.join(REPO, 'bench', 'results.json');
export const BUNDLE_DIR = path.join(REPO, 'out', 'bench');

/** True when running from the bundle (plain node), false under tsx. */
export const BUNDLED = __filename.endsWith('.js');

/** How to start a bench module as its own process: the bundled .js with node, or the .ts through tsx. */
export function benchEntry(name: string): { file: string; execArgv: string[] } {
  return BUNDLED
    ? { file: path.join(BUNDLE_DIR, `${name}.js`), execArgv: [] }
    : { file: path.join(REPO, 'bench', `${name}.ts`), execArgv: ['--import', 'tsx'] };
}
