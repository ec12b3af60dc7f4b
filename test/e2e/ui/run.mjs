// @ts-check
// Runs the UI scenarios (test/e2e/ui/*.ui.mjs) against a running code-server started with
// `--vscode-option enable-smoke-test-driver`, and reports like a test runner.
//   node test/e2e/ui/run.mjs --port N [--ext EXT_DIR] [--dir UI_DIR] [--results FILE] [--grep RE]
// Each scenario gets a fresh browser profile, a fresh copy of the demo workspace, and a
// workbench window with the extension loaded from EXT_DIR (default: the repo). A scenario module:
//   export const title = '...';                    // optional (default: the file name)
//   export const timeoutMs = 180_000;              // optional
//   export async function prepare({ workspace }) {} // optional, before the window opens
//   export async function run({ wb, page, workspace, port, extDir, shot, log }) {}
// A failing scenario leaves `<name>-fail.tmp.png` in test/e2e/screenshots/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as util from 'node:util';
import { REPO_ROOT } from '../driver/paths.mjs';
import { Workbench, exitOnSignals, launchBrowser, screenshotPath, workbenchUrl } from '../driver/workbench.mjs';
import { freshWorkspace, removeWorkspace } from '../driver/workspace.mjs';

exitOnSignals();
const { values } = util.parseArgs({
  options: {
    port: { type: 'string' },
    ext: { type: 'string', default: REPO_ROOT },
    dir: { type: 'string', default: path.dirname(fileURLToPath(import.meta.url)) },
    results: { type: 'string' },
    grep: { type: 'string' },
  },
});
const port = Number(values.port);
if (!port) {
  console.error('usage: run.mjs --port N [--ext DIR] [--dir UI_DIR] [--results FILE] [--grep RE]');
  process.exit(2);
}
const extDir = path.resolve(values.ext);
const files = fs
  .readdirSync(values.dir)
  .filter((f) => f.endsWith('.ui.mjs'))
  .sort()
  .map((f) => path.join(values.dir, f));

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

async function runScenario(file) {
  const name = path.basename(file, '.ui.mjs');
  const mod = await import(pathToFileURL(file).href);
  const title = mod.title ? `${name}: ${mod.title}` : name;
  if (values.grep && !new RegExp(values.grep).test(title)) return { title, skipped: true };
  const t0 = Date.now();
  const log = (...a) => console.log(`      [${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
  const workspace = freshWorkspace();
  const browser = await launchBrowser();
  /** @type {Workbench | undefined} */
  let wb;
  try {
    await withTimeout(
      (async () => {
        if (mod.prepare) await mod.prepare({ workspace });
        wb = await Workbench.open(browser.context, workbenchUrl({ port, workspace, extensionDevelopmentPath: extDir }));
        log('workbench loaded');
        await wb.waitForDevelopmentHost();
        log('extension development host ready');
        await mod.run({ wb, page: wb.page, workspace, port, extDir, shot: (n) => wb.screenshot(`${name}-${n}`), log });
      })(),
      mod.timeoutMs ?? 180_000,
      title,
    );
    return { title, ok: true, ms: Date.now() - t0 };
  } catch (error) {
    let shot;
    if (wb) shot = await wb.page.screenshot({ path: screenshotPath(`${name}-fail`) }).then(() => screenshotPath(`${name}-fail`), () => undefined);
    return { title, ok: false, ms: Date.now() - t0, error, shot };
  } finally {
    if (wb) await wb.close();
    await browser.close();
    removeWorkspace(workspace);
  }
}

console.log(`\nUI scenarios (${files.length}), extension from ${extDir}:`);
const results = [];
for (const file of files) {
  const r = await runScenario(file);
  if (r.skipped) continue;
  results.push(r);
  const secs = `(${(r.ms / 1000).toFixed(1)} s)`;
  if (r.ok) console.log(`  ✔ ${r.title} ${secs}`);
  else {
    console.log(`  ✖ ${r.title} ${secs}`);
    console.log(String(r.error?.stack ?? r.error).split('\n').map((l) => `      ${l}`).join('\n'));
    if (r.shot) console.log(`      screenshot: ${path.relative(process.cwd(), r.shot)}`);
  }
}
const failed = results.filter((r) => !r.ok);
console.log(`UI: ${results.length - failed.length} passed, ${failed.length} failed`);
if (values.results) {
  fs.writeFileSync(
    values.results,
    JSON.stringify({
      suite: 'ui',
      passed: results.length - failed.length,
      failed: failed.length,
      failures: failed.map((r) => ({ title: r.title, error: String(r.error?.message ?? r.error) })),
    }, null, 2),
  );
}
process.exit(failed.length ? 1 : 0);
