// The demo workspace of `npm start`: a temp copy of test/e2e/fixtures/workspace that opens with
// the Runboard view shown, and knows whether the user changed anything in it (an
// untouched copy is removed on exit; one with the user's work is kept).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURE_WORKSPACE } from '../test/e2e/driver/paths.mjs';

/** Workspace settings of the demo: the Runboard view in the side bar as the window opens. */
export const DEMO_SETTINGS = { 'runboard.showViewOnStartup': true };

/** Every file and folder under `dir` with its size and modification time, by relative path. */
function listing(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      out.set(path.relative(dir, p), e.isDirectory() ? 'dir' : `${st.size}:${st.mtimeMs}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** A fresh demo workspace under `parent`; `untouched()` is true while nothing in it has changed. */
export function demoWorkspace(parent) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(parent, 'runboard-demo-')));
  fs.cpSync(FIXTURE_WORKSPACE, dir, { recursive: true });
  // An (empty) runs folder makes the extension activate when the window opens (workspaceContains).
  fs.mkdirSync(path.join(dir, '.runboard', 'runs'), { recursive: true });
  fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), `${JSON.stringify(DEMO_SETTINGS, null, 2)}\n`);
  return { dir, untouched: untouchedSinceNow(dir) };
}

/** A check that is true while nothing in `dir` has changed since this call (or `dir` is gone). */
export function untouchedSinceNow(dir) {
  const before = listing(dir);
  return () => {
    if (!fs.existsSync(dir)) return true;
    const now = listing(dir);
    return now.size === before.size && [...now].every(([p, v]) => before.get(p) === v);
  };
}
