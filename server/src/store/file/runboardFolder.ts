// <root>/.runboard/ made by whichever write comes first (a run created, a socket served), with its
// .gitignore — logs, locks and caches stay out of git, as `runboard init` sets it up — so that
// the first write does not put a dozen files into `git status`. An existing folder is left as it
// is (its owner may have changed or removed the .gitignore on purpose).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUNBOARD_DIR } from '../../../../contract/layout';
import { RUNBOARD_GITIGNORE } from '../../../../contract/agentSetup';
import { writeFileAtomic } from './atomicFile';

export function ensureRunboardFolder(root: string): string {
  const dir = path.join(root, RUNBOARD_DIR);
  try {
    fs.mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return dir;
    if (code !== 'ENOENT') throw e;
    // The root itself is missing (a store opened on a folder to be): made as before, whole.
    fs.mkdirSync(dir, { recursive: true });
  }
  writeFileAtomic(path.join(dir, '.gitignore'), RUNBOARD_GITIGNORE, false);
  return dir;
}
