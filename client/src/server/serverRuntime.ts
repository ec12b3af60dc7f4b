// Which Node.js runs dist/server.js. The server's flock binding (fs-ext) is a native addon built
// per Node ABI; the build ships dist/native/fs_ext-<platform>-<arch>-abi<N>.node for each ABI it
// has. The extension host's own Node is best (no extra process lookup), when a binding for its
// ABI exists; else a `node` on PATH whose ABI has one; else we start anyway and let the server
// say what is missing. No vscode import: this is plain logic, unit-tested.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RuntimeFacts {
  /** runboard.server.nodePath, when set (and the workspace is trusted). */
  configured?: string;
  /** The extension host's ABI (process.versions.modules) and whether it is Electron. */
  hostAbi: string;
  hostIsElectron: boolean;
  /** The ABIs that dist/native has a binding for, for this platform and arch. */
  bundledAbis: string[];
  /** A `node` found on PATH and its ABI (undefined when none or it did not answer). */
  pathNode?: { file: string; abi: string | undefined };
}

export interface RuntimeChoice {
  /** Undefined: fork with the extension host's own runtime. */
  runtime?: string;
  /** One line for the log and the status tooltip. */
  description: string;
  /** Set when the server will likely be unable to lock run files. */
  warning?: string;
}

export function chooseRuntime(f: RuntimeFacts): RuntimeChoice {
  if (f.configured) return { runtime: f.configured, description: `runboard.server.nodePath (${f.configured})` };
  const has = (abi: string | undefined) => abi !== undefined && f.bundledAbis.includes(abi);
  if (!f.hostIsElectron && has(f.hostAbi)) return { description: `the extension host's Node.js (ABI ${f.hostAbi})` };
  if (f.pathNode && has(f.pathNode.abi)) {
    return { runtime: f.pathNode.file, description: `${f.pathNode.file} from PATH (ABI ${f.pathNode.abi})` };
  }
  const abis = f.bundledAbis.length ? f.bundledAbis.join(', ') : 'none';
  const warning =
    `No Node.js with a bundled file-lock binding was found (bundled ABIs: ${abis}; extension host ABI ${f.hostAbi}` +
    `${f.pathNode ? `; ${f.pathNode.file} ABI ${f.pathNode.abi ?? 'unknown'}` : '; no node on PATH'}). ` +
    'Set runboard.server.nodePath to a Node.js 20+ matching one of the bundled ABIs.';
  if (f.hostIsElectron && f.pathNode) return { runtime: f.pathNode.file, description: `${f.pathNode.file} from PATH`, warning };
  return { description: "the extension host's runtime", warning };
}

/** The ABIs dist/native has a binding for on this platform and arch. */
export function bundledAbis(nativeDir: string, platform = process.platform, arch = process.arch): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(nativeDir);
  } catch {
    return [];
  }
  const prefix = `fs_ext-${platform}-${arch}-abi`;
  return names.filter((n) => n.startsWith(prefix) && n.endsWith('.node')).map((n) => n.slice(prefix.length, -'.node'.length));
}

/** The first executable `node` on PATH, or undefined. */
export function findNodeOnPath(envPath = process.env.PATH ?? ''): string | undefined {
  const exe = process.platform === 'win32' ? 'node.exe' : 'node';
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, exe);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function abiOf(nodeFile: string): string | undefined {
  try {
    return execFileSync(nodeFile, ['-p', 'process.versions.modules'], { encoding: 'utf8', timeout: 5000 }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Gathers the facts (touches the disk and may run `node -p` once) and chooses. */
export function resolveServerRuntime(distDir: string, configured: string | undefined): RuntimeChoice {
  const facts: RuntimeFacts = {
    configured,
    hostAbi: process.versions.modules,
    hostIsElectron: typeof process.versions.electron === 'string',
    bundledAbis: bundledAbis(path.join(distDir, 'native')),
  };
  if (!configured && (facts.hostIsElectron || !facts.bundledAbis.includes(facts.hostAbi))) {
    const file = findNodeOnPath();
    if (file) facts.pathNode = { file, abi: abiOf(file) };
  }
  return chooseRuntime(facts);
}
