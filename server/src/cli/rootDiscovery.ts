// Which workspace the CLI works on: like git, the nearest ancestor folder holding `.runboard/`,
// else the starting folder itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUNBOARD_DIR } from '../../../contract/layout';

export function findRoot(start: string): string {
  const from = path.resolve(start);
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      if (fs.statSync(path.join(dir, RUNBOARD_DIR)).isDirectory()) return dir;
    } catch {
      // Not here; look one level up.
    }
    if (path.dirname(dir) === dir) return from;
  }
}
