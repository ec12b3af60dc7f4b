// What every bench row must be: a well-formed line of the table (the smoke tests check each workload's rows so).
import assert from 'node:assert/strict';
import type { Row } from '../../bench/harness';

export function assertRows(rows: Row[], count: number): void {
  assert.equal(rows.length, count);
  for (const r of rows) {
    assert.equal(typeof r.name, 'string');
    assert.ok(Number.isFinite(r.value) && r.value >= 0, `${r.name}: value ${r.value}`);
    assert.equal(typeof r.unit, 'string');
    assert.ok(r.baseline === null || (Number.isFinite(r.baseline) && r.baseline > 0), `${r.name}: baseline ${r.baseline}`);
    assert.ok(r.ratio === null || Number.isFinite(r.ratio), `${r.name}: ratio ${r.ratio}`);
    assert.equal(typeof r.goal, 'string');
    assert.equal(typeof r.pass, 'boolean');
  }
}
