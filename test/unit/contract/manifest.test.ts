// package.json cannot import the contract, so the values it repeats are checked against it here:
// the lease setting's default and bounds, and the durability setting's choices.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DURABILITIES, LEASE } from '../../../contract/limits';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const setting = (key: string) => manifest.contributes.configuration.properties[`runboard.${key}`];

describe('package.json settings follow the contract', () => {
  it("runboard.defaultLeaseMs: the contract's default and bounds", () => {
    const s = setting('defaultLeaseMs');
    assert.deepEqual([s.default, s.minimum, s.maximum], [LEASE.defaultMs, LEASE.minMs, LEASE.maxMs]);
  });
  it("runboard.durability: the contract's choices", () => {
    assert.deepEqual(setting('durability').enum, [...DURABILITIES]);
  });
});
