// One esbuild call per bundle (type-checking is `npm run typecheck`). Bundles:
//   dist/server.js     the Runboard server (LSP-framed JSON-RPC over --stdio / --node-ipc)
//   dist/extension.js  the VS Code extension (client)
//   dist/cli.js        the `runboard` CLI (and `runboard mcp`)
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
].filter((b) => fs.existsSync(b.entryPoints[0]));

const webviewEntries = fs.existsSync('media/src')
  ? fs.readdirSync('media/src').filter((f) => f.endsWith('.ts')).map((f) => path.join('media/src', f))
  : [];

function copyNativeBinding() {
  const src = 'node_modules/fs-ext/build/Release/fs_ext.node';
  if (!fs.existsSync(src)) return;
  const dir = 'dist/native';
  fs.mkdirSync(dir, { recursive: true });
  const name = `fs_ext-${process.platform}-${process.arch}-abi${process.versions.modules}.node`;
  fs.copyFileSync(src, path.join(dir, name));
}

const configs = [
  ...nodeBundles.map((b) => ({ ...common, ...b })),
  ...(webviewEntries.length
    ? [{ ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: webviewEntries, outdir: 'dist/media', external: [] }]
    : []),
];

copyNativeBinding();
if (watch) {
  for (const c of configs) await (await esbuild.context(c)).watch();
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
  if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
}
