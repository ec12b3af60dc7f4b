// scripts/tapFailures.mjs on the TAP report of a real `node --test` run: the failures `npm test`
// says again at its end, with why, so that the tail of a CI log names the cause.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
// @ts-expect-error: a plain ES module of the scripts, without types
import { tapFailures } from '../../scripts/tapFailures.mjs';

const FAILING_FILE = `
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
describe('outer', () => {
  it('passes', () => {});
  it('refuses nothing', () => assert.deepEqual(['fact add b-3: STORAGE_ERROR'], [], 'no write refused'));
});
it('throws', () => { throw new Error('boom'); });
`;

describe('tapFailures', () => {
  it('lists each failed test with its error and place, not the suite that failed because of it, and no timings', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runboard-tap-'));
    try {
      const file = path.join(dir, 'failing.test.mjs');
      fs.writeFileSync(file, FAILING_FILE);
      const tap = path.join(dir, 'report.tap');
      // Without NODE_TEST_CONTEXT the child reports as a run of its own, not to this runner.
      const env = { ...process.env };
      delete env.NODE_TEST_CONTEXT;
      const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', `--test-reporter-destination=${tap}`, file], { env });
      assert.equal(r.status, 1);
      const found: { name: string; details: string[] }[] = tapFailures(fs.readFileSync(tap, 'utf8'));
      assert.deepEqual(
        found.map((f) => f.name),
        ['refuses nothing', 'throws'],
      );
      const [refused, thrown] = found.map((f) => f.details.join('\n'));
      assert.match(refused, /no write refused/);
      assert.match(refused, /fact add b-3: STORAGE_ERROR/);
      assert.match(refused, /failing\.test\.mjs:6:/);
      assert.match(thrown, /error: 'boom'/);
      assert.doesNotMatch(`${refused}\n${thrown}`, /duration_ms/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cuts a stack to its first frames and a long diagnostic to its first lines', () => {
    const stack = Array.from({ length: 20 }, (_, i) => `  frame ${i}`);
    const diff = Array.from({ length: 60 }, (_, i) => `  + line ${i}`);
    const tap = [
      'not ok 1 - long',
      '  ---',
      '  error: |-',
      ...diff.map((l) => `  ${l}`),
      '  stack: |-',
      ...stack.map((l) => `  ${l}`),
      '  ...',
    ].join('\n');
    const [f] = tapFailures(tap) as { details: string[] }[];
    // error: + 60 lines + stack: + 6 frames = 68 lines, 40 kept.
    assert.equal(f.details.length, 41);
    assert.equal(f.details[40], '… 28 more lines');
    const short = tapFailures(['not ok 1 - short', '  ---', '  stack: |-', ...stack.map((l) => `  ${l}`), '  ...'].join('\n'));
    assert.deepEqual(short[0].details, ['stack: |-', ...stack.slice(0, 6)]);
  });
});
