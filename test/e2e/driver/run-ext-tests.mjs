// @ts-check
// Runs an extensionTestsPath module (same contract as @vscode/test-electron: it exports run()
// returning a promise) inside a running code-server started with
// `--vscode-option enable-smoke-test-driver`. When run() settles, the workbench calls
// window.codeAutomationExit(code); we catch it with page.exposeFunction.
//   node run-ext-tests.mjs --port N --ext EXT_DIR --tests TESTS_ENTRY --workspace DIR [--results FILE]
// --results: a JSON file {passed, failed, failures} for run.sh's summary. The suite itself
// writes the counts when RUNBOARD_E2E_RESULTS (in code-server's environment) names this file;
// this script adds a failure when the exit code says the suite failed without reporting.
import * as fs from 'node:fs';
import * as util from 'node:util';
import { fileURLToPath } from 'node:url';
import { exitOnSignals, launchBrowser, workbenchUrl } from './workbench.mjs';

const SUITE_PREFIX = '[e2e-suite] ';

/** Turns the workbench's re-logged extension-host output ('%c INFO', css, fmt, ...args) back into text. */
async function consoleText(msg) {
  let vals = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => '')));
  if (typeof vals[0] === 'string' && vals[0].includes('%c')) {
    const css = (vals[0].match(/%c/g) || []).length;
    vals.splice(0, 1 + css, vals[0].replace(/%c/g, ''));
  }
  if (typeof vals[0] === 'string' && /^\s*(INFO|WARN|ERROR|DEBUG|TRACE)\s*$/.test(vals[0])) vals = vals.slice(1);
  return util.format(...vals);
}

/** Resolves with the exit code the workbench reported (non-zero on failure or timeout). */
export async function runExtensionTests({ port, extensionDevelopmentPath, extensionTestsPath, workspace, timeoutMs = 600_000 }) {
  const url = workbenchUrl({ port, workspace, extensionDevelopmentPath, extensionTestsPath });
  const browser = await launchBrowser();
  const page = await browser.context.newPage();
  // mocha's reporter writes to the extension host's console, which the workbench forwards here
  // among its own logs; test/e2e/suite/index.js prefixes the reporter's lines.
  const verbose = !!process.env.RUNBOARD_E2E_VERBOSE;
  page.on('console', async (m) => {
    const text = await consoleText(m).catch(() => m.text());
    if (verbose) console.log(text);
    else if (text.includes(SUITE_PREFIX)) console.log(text.split('\n').filter((l) => l.startsWith(SUITE_PREFIX)).map((l) => l.slice(SUITE_PREFIX.length)).join('\n'));
  });
  let timer;
  try {
    const exited = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code))));
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => {
        console.error(`extension-host tests: no result after ${timeoutMs} ms`);
        resolve(124);
      }, timeoutMs);
    });
    await page.goto(url);
    return await Promise.race([exited, timedOut]);
  } finally {
    clearTimeout(timer);
    await page.goto('about:blank').catch(() => {});
    await browser.close();
  }
}

function writeResults(file, code) {
  let r;
  try {
    r = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    r = { suite: 'extension-host', passed: 0, failed: 0, failures: [] };
  }
  if (code !== 0 && r.failed === 0) {
    r.failed = 1;
    r.failures.push({ title: 'extension-host suite', error: `ended with exit code ${code} without reporting a test failure (load error, crash or timeout)` });
  }
  fs.writeFileSync(file, JSON.stringify(r, null, 2));
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  exitOnSignals();
  const { values } = util.parseArgs({
    options: { port: { type: 'string' }, ext: { type: 'string' }, tests: { type: 'string' }, workspace: { type: 'string' }, results: { type: 'string' } },
  });
  const code = await runExtensionTests({
    port: Number(values.port),
    extensionDevelopmentPath: values.ext,
    extensionTestsPath: values.tests,
    workspace: values.workspace,
    timeoutMs: Number(process.env.RUNBOARD_E2E_TEST_TIMEOUT_MS || 600_000),
  });
  console.log(`extension-host tests finished with exit code ${code}`);
  if (values.results) writeResults(values.results, code);
  process.exit(code === 0 ? 0 : 1);
}
