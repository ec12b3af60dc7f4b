// @ts-check
// Extension-host test entry (extensionTestsPath; the same contract as @vscode/test-electron):
// the workbench loads this module inside the extension host and awaits run(). It runs every
// *.test.js below this folder with mocha (tdd UI: suite/test), the real `vscode` API at hand.
// When RUNBOARD_E2E_RESULTS names a file (test/e2e/run.sh sets it in code-server's
// environment, which the extension host inherits) the counts are written there as JSON.
const fs = require('fs');
const path = require('path');
const util = require('util');
const Mocha = require('mocha');

// The extension host's console reaches the harness mixed with the workbench's own logs; the
// reporter's lines carry this prefix so test/e2e/driver/run-ext-tests.mjs can pick them out.
const LINE_PREFIX = '[e2e-suite] ';
function report(...args) {
  console.log(util.format(...args).split('\n').map((l) => LINE_PREFIX + l).join('\n'));
}
Mocha.reporters.Base.consoleLog = report;

function findTests(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) return d.name === 'node_modules' ? [] : findTests(p);
      return d.name.endsWith('.test.js') ? [p] : [];
    })
    .sort();
}

/** Runs every *.test.js under `dir`; rejects when a test fails (the workbench then exits non-zero). */
function runSuite(dir) {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: Number(process.env.RUNBOARD_E2E_MOCHA_TIMEOUT_MS || 60000) });
  if (process.env.RUNBOARD_E2E_GREP) mocha.grep(process.env.RUNBOARD_E2E_GREP);
  for (const file of findTests(dir)) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    let passed = 0;
    const failures = [];
    let runner;
    try {
      runner = mocha.run(finished);
    } catch (e) {
      // A test file that does not load (syntax error, failing require) throws here.
      report('%s', e && e.stack ? e.stack : e);
      reject(e);
      return;
    }
    runner.on('pass', () => passed++);
    runner.on('fail', (test, err) => failures.push({ title: test.fullTitle(), error: String((err && err.message) || err) }));
    function finished(failed) {
      const out = process.env.RUNBOARD_E2E_RESULTS;
      if (out) fs.writeFileSync(out, JSON.stringify({ suite: 'extension-host', passed, failed: failures.length, failures }, null, 2));
      if (failed) reject(new Error(`${failed} extension-host tests failed.`));
      else resolve();
    }
  });
}

exports.runSuite = runSuite;
exports.run = () => runSuite(__dirname);
