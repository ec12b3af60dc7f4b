// Runs a CommonJS bundle through V8's code cache, so that a CLI call does not compile the same
// megabyte of JavaScript every time (node 20 has no module.enableCompileCache). The cache lives
// in the user's own cache folder, is keyed by the bundle's path, size and mtime and the Node
// version, and is written after a successful first run; any problem just means no cache.
import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

// The CommonJS loader's Module class, which node:module re-exports; requiring node:module itself
// also loads the ES module loader and source maps — 0.7 ms of a routed CLI call (rows 10c/10d).
const Module = module.constructor as typeof import('node:module');

function cacheDir(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), '.cache') : '');
  return base ? path.join(base, 'runboard') : undefined;
}

/** FNV-1a: a short stable name for the bundle's path (no crypto on the start-up path). */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

/** Only a folder of ours that nobody else can write: cached code is executed. */
function safeDir(dir: string): boolean {
  try {
    const st = fs.lstatSync(dir);
    const ours = typeof process.getuid !== 'function' || st.uid === process.getuid();
    return st.isDirectory() && ours && (process.platform === 'win32' || (st.mode & 0o022) === 0);
  } catch {
    return false;
  }
}

/**
 * The bundle's text. readFileSync(file, 'utf8') takes node 20 10–15 ms for cli-core.js's megabyte
 * on the bench's VM; its bytes, and a one-byte string made of them when they are all ASCII (the
 * bundles are: esbuild.mjs), take 2.
 */
function readSource(file: string): string {
  const bytes = fs.readFileSync(file);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

const quickExit = /^(-h|--help|-V|--version|help)$/;

/** Whether the code just run is worth caching: after a real command (its code then compiled), not after --help or a usage error. */
export function afterARealCommand(): boolean {
  const code = process.exitCode ?? 0;
  return (code === 0 || code === 1) && !process.argv.slice(2).some((a) => quickExit.test(a));
}

export function requireWithCodeCache(file: string, shouldWrite: () => boolean): void {
  const source = readSource(file);
  const dir = cacheDir();
  let cacheFile: string | undefined;
  let cached: Buffer | undefined;
  // One cache per bundle and runtime (the editor's Node may differ from the terminal's): Electron
  // reports the Node version it carries, with a V8 of its own — keyed by that too, else the editor and
  // a terminal's node of that version rejected and rewrote each other's cache on every call.
  const prefix = `${path.basename(file)}-${hash(path.resolve(file))}-${process.version}-v8.${process.versions.v8}-${process.arch}-`;
  if (dir) {
    const st = fs.statSync(file);
    cacheFile = path.join(dir, `${prefix}${st.size}-${Math.floor(st.mtimeMs)}.v8`);
    if (safeDir(dir)) {
      try {
        cached = fs.readFileSync(cacheFile);
      } catch {
        // Not cached yet.
      }
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData: cached });
  if (cacheFile && (!cached || script.cachedDataRejected)) {
    const target = cacheFile;
    // At exit the functions this run compiled are in the cache too.
    process.once('exit', () => {
      if (shouldWrite()) writeCache(target, prefix, script);
    });
  }
  const mod = new Module(file, module);
  mod.filename = file;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
}

/** Writes the cache atomically and removes the caches of earlier builds (same `prefix`). */
function writeCache(file: string, prefix: string, script: vm.Script): void {
  try {
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!safeDir(dir)) return;
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, file);
    // Older builds' caches and leftovers of killed writers (a writer racing us just loses its rename).
    for (const f of fs.readdirSync(dir)) {
      if (f.startsWith(prefix) && f !== path.basename(file)) fs.rmSync(path.join(dir, f), { force: true });
    }
  } catch {
    // A cache is an optimisation only.
  }
}
