// Paths of this machine as the protocol compares them: roots and workspace bindings, absolute,
// resolved, through symlinks where they exist.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A `file://` URI or a path, resolved against `base`, through symlinks where it exists. Its case is
 * the file system's own (Windows' realpath spells each name as stored): a lower-cased path is not
 * found in a folder made case-sensitive (one WSL created), so case is ignored only where paths are
 * compared (`samePath`).
 */
export function normalizePath(input: string, base: string): string {
  let p = input.trim();
  if (/^file:\/\//i.test(p)) p = fileURLToPath(p);
  p = path.resolve(base, p);
  try {
    p = fs.realpathSync.native(p);
  } catch {
    // A path that does not exist (yet) is compared as resolved.
  }
  return p;
}

/**
 * Whether two normalized paths name one folder. On Windows case does not count: a binding stored
 * before paths kept their case is lower-cased, and a path that did not exist keeps its spelling.
 */
export function samePath(a: string, b: string, platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'win32' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** `current` as `bound` spells it when both name one folder (a run bound before paths kept their case stays bound). */
export function spelledAsBound(bound: string, current: string, platform: NodeJS.Platform = process.platform): string {
  return bound !== '' && samePath(bound, current, platform) ? bound : current;
}
