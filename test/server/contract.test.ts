// PROTOCOL.md ↔ server/src/protocol.ts ↔ the running server: every method the contract names
// is declared, handled, and answered (never -32601).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Notifications, Requests } from '../../server/src/protocol';
import { REPO, ServerProcess, tempRoot } from './serverProcess';

const protocolDoc = fs.readFileSync(path.join(REPO, 'docs', 'PROTOCOL.md'), 'utf8');
const named = [...new Set([...protocolDoc.matchAll(/`(runboard\/[A-Za-z]+)/g)].map((m) => m[1]))];
const notificationNames = ['runboard/events', 'runboard/diagnostic', 'runboard/runReset'];
const methodNames = named.filter((m) => !notificationNames.includes(m));

describe('protocol contract', () => {
  let server: ServerProcess;
  before(async () => {
    server = await ServerProcess.start([tempRoot()]);
  });
  after(() => server.stop());

  it('PROTOCOL.md names the methods we expect', () => {
    assert.ok(methodNames.length >= 20, `found only ${methodNames.length}`);
  });

  it('declares every method of PROTOCOL.md in server/src/protocol.ts', () => {
    const declared = new Set(Object.values(Requests).map((r) => r.method));
    for (const m of methodNames) assert.ok(declared.has(m), `${m} is not declared in server/src/protocol.ts`);
    for (const m of declared) assert.ok(methodNames.includes(m), `${m} is declared but not in PROTOCOL.md`);
  });

  it('declares every notification', () => {
    assert.deepEqual(
      Object.values(Notifications)
        .map((n) => n.method)
        .sort(),
      [...notificationNames].sort(),
    );
    for (const n of notificationNames) assert.ok(named.includes(n), `${n} missing from PROTOCOL.md`);
  });

  it('answers every method (a result or a typed error, never -32601)', async () => {
    for (const m of methodNames) {
      try {
        await server.call(m, {});
      } catch (e) {
        const err = e as { code: number; data?: { code?: string } };
        assert.notEqual(err.code, -32601, `${m} is not handled by the server`);
        assert.ok([-32602, -32000].includes(err.code), `${m}: unexpected code ${err.code}`);
        assert.ok(err.data?.code, `${m}: error without data.code`);
      }
    }
  });

  it('answers unknown methods with -32601', async () => {
    const e = await server.fail('runboard/doesNotExist', {});
    assert.equal(e.code, -32601);
  });
});
