// @ts-check
// Prints the e2e summary from the result files of the parts that ran; a part that left no
// result file counts as a failure. Exit code 1 when anything failed.
//   node summary.mjs RESULTS_DIR PART...      (PART = extension-host | ui; file RESULTS_DIR/PART.json)
import * as fs from 'node:fs';
import * as path from 'node:path';

const [dir, ...parts] = process.argv.slice(2);
let passed = 0;
const failures = [];
for (const part of parts) {
  try {
    const r = JSON.parse(fs.readFileSync(path.join(dir, `${part}.json`), 'utf8'));
    passed += r.passed;
    for (const f of r.failures) failures.push(`[${part}] ${f.title}: ${f.error}`);
    if (r.failed > r.failures.length) failures.push(`[${part}] ${r.failed - r.failures.length} more`);
  } catch {
    failures.push(`[${part}] did not run to the end (no results)`);
  }
}
console.log('\n' + '='.repeat(78));
for (const f of failures) console.log(`  ✖ ${f.split('\n')[0]}`);
console.log(`e2e: ${passed} passed, ${failures.length} failed`);
console.log('='.repeat(78));
process.exit(failures.length ? 1 : 0);
