// One esbuild call per bundle (type-checking is `npm run typecheck`). Bundles:
//   dist/server.js     the Runboard server (LSP-framed JSON-RPC over --stdio / --node-ipc)
//   dist/extension.js  the VS Code extension (client)
//   dist/cli.js        the `runboard` CLI: a small loader of dist/cli-core.js (V8 code cache)
//   dist/mcp.js        `runboard mcp`, the MCP server (loaded only for that command)
//   dist/media/*.js    webview scripts (browser)
// fs-ext's native binding is copied to dist/native/ under an ABI-specific name (see
// server/src/store/flock.ts), so the bundles run without node_modules.
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
  // The flock binding is loaded at run time from dist/native or node_modules/fs-ext.
  external: ['vscode', 'fs-ext/build/Release/fs_ext.node'],
};

const nodeBundles = [
  { entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The CLI proper, run by cli.js through V8's code cache (server/src/cli/codeCache.ts).
  { entryPoints: ['server/src/cli/core.ts'], outfile: 'dist/cli-core.js' },
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

function copyNativeBinding() {
  const src = 'node_modules/fs-ext/build/Release/fs_ext.node';
  if (!fs.existsSync(src)) return;
  const dir = 'dist/native';
  fs.mkdirSync(dir, { recursive: true });
  const name = `fs_ext-${process.platform}-${process.arch}-abi${process.versions.modules}.node`;
  installBinary(src, path.join(dir, name));
  // Bindings built for other Node ABIs, e.g. the e2e workbench's Node 24 (test/e2e/setup.sh).
  const extra = 'test/e2e/.cache/native';
  if (fs.existsSync(extra)) {
    for (const f of fs.readdirSync(extra).filter((f) => f.endsWith('.node'))) installBinary(path.join(extra, f), path.join(dir, f));
  }
}

// Codicons for the task board webview (the VSIX ships dist/ and media/, not node_modules).
function copyWebviewAssets() {
  const src = 'node_modules/@vscode/codicons/dist';
  if (!fs.existsSync(src)) return;
  fs.mkdirSync('dist/media', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(src, f), path.join('dist/media', f));
}

// dist/bin/runboard: a shim the extension puts on the integrated terminals' PATH for agents.
function writeCliShim() {
  fs.mkdirSync('dist/bin', { recursive: true });
  fs.writeFileSync('dist/bin/runboard', '#!/bin/sh\nexec node "$(dirname "$0")/../cli.js" "$@"\n', { mode: 0o755 });
  fs.writeFileSync('dist/bin/runboard.cmd', '@node "%~dp0\\..\\cli.js" %*\r\n');
}

const configs = [
  ...nodeBundles.map((b) => ({ ...common, ...b })),
  ...(webviewEntries.length
    ? [{ ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: webviewEntries, outdir: 'dist/media', external: [] }]
    : []),
];

copyNativeBinding();
copyWebviewAssets();
writeCliShim();
if (watch) {
  for (const c of configs) await (await esbuild.context(c)).watch();
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
  if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
}
