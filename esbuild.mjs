// One esbuild call per bundle (type-checking is `npm run typecheck`). Bundles:
//   dist/server.js     the Runboard server (LSP-framed JSON-RPC over --stdio / --node-ipc)
//   dist/extension.js  the VS Code extension (client)
//   dist/cli.js        the `runboard` CLI: a small loader of dist/cli-thin.js (V8 code cache)
//   dist/cli-thin.js   the agent loop's thin path (one request to the root's server), else dist/cli-core.js
//   dist/mcp.js        `runboard mcp`, the MCP server (loaded only for that command)
//   dist/media/*.js    webview scripts (browser)
// The lock's N-API binary (fs-native-extensions) for every desktop target is copied to
// dist/native/<platform>-<arch>/ (see server/src/store/file/osLock.ts), so the bundles run without
// node_modules on any platform, under any Node or Electron.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const args = new Set(process.argv.slice(2));
const watch = args.has('--watch');
const production = args.has('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  external: ['vscode'],
};

// dist/cli.js starts on every CLI call, and its thin path must cost little more than starting node
// (issue 18). esbuild wraps each `import * as fs from 'node:fs'` in __toESM, which copies the
// module's every export into a new object at each importing module: 2 ms of a 60 ms call here.
// For these bundles, such imports of Node's own modules become plain requires (TypeScript's
// `import fs = require('node:fs')`, which esbuild emits as `const fs = require(...)`): the same
// object, with the same members.
const plainNodeRequires = {
  name: 'plain-node-requires',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const contents = source.replace(/^import \* as (\w+) from '(node:[\w/]+)';$/gm, "import $1 = require('$2');");
      return { contents, loader: 'ts' };
    });
  },
};

const nodeBundles = [
  { entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [plainNodeRequires] },
  // The thin path of the agent loop's commands and the way to the CLI proper, run by cli.js through V8's code cache.
  { entryPoints: ['server/src/cli/thin/thinMain.ts'], outfile: 'dist/cli-thin.js', plugins: [plainNodeRequires] },
  // The CLI proper, run by cli.js through V8's code cache (server/src/cli/codeCache.ts). Without
  // comments and indentation (its source map has them) it is a third smaller and all ASCII, which
  // codeCache.ts reads as a one-byte string: a direct CLI call's load goes from ~40 to ~17 ms on
  // the bench's VM (BENCHMARKS.md, row 10).
  { entryPoints: ['server/src/cli/core.ts'], outfile: 'dist/cli-core.js', minifyWhitespace: true },
  // The MCP server (with the MCP SDK) in its own bundle: cli.js requires it only for `runboard mcp`.
  { entryPoints: ['server/src/cli/mcp/main.ts'], outfile: 'dist/mcp.js' },
].filter((b) => fs.existsSync(b.entryPoints[0]));

const webviewEntries = fs.existsSync('media/src')
  ? fs.readdirSync('media/src').filter((f) => f.endsWith('.ts')).map((f) => path.join('media/src', f))
  : [];

// A loaded .node file is mapped into every process running it (servers, CLIs): overwriting it in
// place corrupts their code pages (SIGSEGV inside the binding). Unchanged files are left alone,
// changed ones replaced by rename, so running processes keep the inode they mapped.
function installBinary(src, dest) {
  if (fs.existsSync(dest) && fs.readFileSync(dest).equals(fs.readFileSync(src))) return;
  const tmp = `${dest}.${process.pid}.tmp`;
  fs.copyFileSync(src, tmp);
  fs.renameSync(tmp, dest);
}

/** dist/native/<target>/<binary> for every target in lockBinary.json, and nothing else. */
function copyLockBinaries() {
  const { package: pkg, binary, targets } = JSON.parse(fs.readFileSync('server/src/store/file/lockBinary.json', 'utf8'));
  const dir = 'dist/native';
  for (const target of targets) {
    const src = path.join('node_modules', pkg, 'prebuilds', target, binary);
    if (!fs.existsSync(src)) throw new Error(`${src} is missing: run npm ci (the VSIX must carry every target's lock binary)`);
    fs.mkdirSync(path.join(dir, target), { recursive: true });
    installBinary(src, path.join(dir, target, binary));
  }
  // Leftovers of earlier builds (other targets, the per-ABI bindings of old) must not ship.
  for (const entry of fs.readdirSync(dir)) if (!targets.includes(entry)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
}

// Codicons for the task board webview (the VSIX ships dist/ and media/, not node_modules).
function copyWebviewAssets() {
  const src = 'node_modules/@vscode/codicons/dist';
  if (!fs.existsSync(src)) return;
  fs.mkdirSync('dist/media', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(src, f), path.join('dist/media', f));
}

// dist/bin/runboard(.cmd): the shims the extension puts on the integrated terminals' PATH for agents.
function copyCliShims() {
  fs.mkdirSync('dist/bin', { recursive: true });
  for (const f of ['runboard', 'runboard.cmd']) fs.copyFileSync(path.join('client/bin', f), path.join('dist/bin', f));
  fs.chmodSync('dist/bin/runboard', 0o755);
}

const configs = [
  ...nodeBundles.map((b) => ({ ...common, ...b })),
  ...(webviewEntries.length
    ? [{ ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: webviewEntries, outdir: 'dist/media', external: [] }]
    : []),
];

copyLockBinaries();
copyWebviewAssets();
copyCliShims();
if (watch) {
  for (const c of configs) await (await esbuild.context(c)).watch();
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
  if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
}
