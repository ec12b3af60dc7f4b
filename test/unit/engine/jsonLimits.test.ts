// checkParamsLimits skips encoding params whose size bound is under the limit, so the bound must
// never be below the real encoded size, and the depth must be the same as a plain count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '../../../server/src/engine/errors';
import { checkParamsLimits, measureJson, MAX_JSON_DEPTH } from '../../../server/src/engine/jsonLimits';

function depthOf(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + Math.max(0, ...children.map(depthOf));
}

const anyJson = fc.oneof(
  fc.jsonValue(),
  fc.json().map((s) => JSON.parse(s) as unknown),
  fc.array(fc.string({ unit: 'binary' }), { maxLength: 5 }),
  fc.dictionary(fc.string({ unit: 'grapheme' }), fc.oneof(fc.double(), fc.string({ unit: 'binary' }), fc.constant(undefined))),
);

describe('measureJson', () => {
  it('bounds the UTF-8 size of JSON.stringify from above and counts depth exactly', () => {
    fc.assert(
      fc.property(anyJson, (v) => {
        const m = measureJson(v);
        assert.equal(m.depth, depthOf(v));
        assert.ok(m.maxBytes !== undefined, 'plain JSON data has a bound');
        assert.ok(m.maxBytes >= Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8'), JSON.stringify(v));
      }),
      { seed: 3, numRuns: 3000 },
    );
  });

  it('gives no bound for values only JSON.stringify can size', () => {
    for (const v of [{ a: 1n }, { d: new Date(0) }, { f: () => 1 }, [Symbol('s')], { toJSON: () => 'x'.repeat(10) }, new Map()]) {
      assert.equal(measureJson(v).maxBytes, undefined);
    }
  });

  it('still rejects params over 1 MiB and over 64 levels, and lets BigInt fail as before', () => {
    const big = { payload: 'x'.repeat(1024 * 1024) };
    assert.throws(
      () => checkParamsLimits(big),
      (e) => e instanceof DomainError && e.code === 'LIMIT_EXCEEDED',
    );
    // Many escapes: small in characters, big once encoded.
    const escaped = { payload: '\u0001'.repeat(200_000) };
    assert.throws(
      () => checkParamsLimits(escaped),
      (e) => e instanceof DomainError && e.code === 'LIMIT_EXCEEDED',
    );
    let deep: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = [deep];
    assert.doesNotThrow(() => checkParamsLimits({ deep: 1 }));
    assert.throws(
      () => checkParamsLimits({ deep }),
      (e) => e instanceof DomainError && e.code === 'LIMIT_EXCEEDED',
    );
    assert.throws(() => checkParamsLimits({ n: 1n }), TypeError);
    assert.doesNotThrow(() => checkParamsLimits({ payload: 'x'.repeat(100_000) }));
  });
});
