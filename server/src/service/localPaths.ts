// Paths of this machine as the protocol compares them: roots and workspace bindings, absolute,
// resolved, through symlinks where they exist.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A `file://` URI or a path, resolved against `base`, through symlinks where it exists. */
export function normalizePath(input: string, base: string): string {
  let p = input.trim();
  if (/^file:\/\//i.test(p)) p = fileURLToPath(p);
  p = path.resolve(base, p);
  try {
    p = fs.realpathSync.native(p);
  } catch {
    // A path that does not exist (yet) is compared as resolved.
  }
  if (process.platform === 'win32') p = p.toLowerCase();
  return p;
}
