// The lease tokens this editor holds: remembered per run and task, recognised only while the
// task still holds that lease, pruned once the lease moved on (but never while fresh).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as vscode from 'vscode';
import { LeaseTokens } from '../../../client/src/runs/leaseTokens';

function memento(): vscode.Memento {
  const data = new Map<string, unknown>();
  return {
    keys: () => [...data.keys()],
    get: <T>(key: string, fallback?: T) => (data.has(key) ? (data.get(key) as T) : fallback),
    update: async (key: string, value: unknown) => void data.set(key, JSON.parse(JSON.stringify(value))),
  };
}

const run = { root: '/w', run_id: 'r' };
const t1 = { ...run, task_id: 't1' };
const t2 = { ...run, task_id: 't2' };

describe('LeaseTokens', () => {
  it('holds a task only while its current lease token is the remembered one', async () => {
    const leases = new LeaseTokens(memento());
    await leases.remember(t1, 'lease-a', 'vscode:me');
    assert.equal(leases.holds(t1, { lease_token: 'lease-a' }), true);
    assert.equal(leases.holds(t1, { lease_token: 'lease-b' }), false);
    assert.equal(leases.holds(t1, { lease_token: undefined }), false);
    assert.equal(leases.holds(t2, { lease_token: 'lease-a' }), false);
    await leases.forget(t1);
    assert.equal(leases.get(t1), undefined);
  });

  it('prunes tokens whose lease moved on, keeps current and fresh ones and other runs', async () => {
    const leases = new LeaseTokens(memento());
    await leases.remember(t1, 'lease-a', 'me');
    await leases.remember(t2, 'lease-b', 'me');
    const other = { root: '/w', run_id: 'other', task_id: 't1' };
    await leases.remember(other, 'lease-c', 'me');
    const later = Date.now() + 60_000;
    // Fresh tokens survive even when the state says otherwise (it may predate the claim).
    await leases.prune(run, [
      { id: 't1', lease_token: undefined },
      { id: 't2', lease_token: 'lease-b' },
    ]);
    assert.ok(leases.get(t1));
    await leases.prune(
      run,
      [
        { id: 't1', lease_token: undefined },
        { id: 't2', lease_token: 'lease-b' },
      ],
      later,
    );
    assert.equal(leases.get(t1), undefined, 'lease moved on');
    assert.equal(leases.get(t2)?.token, 'lease-b', 'still current');
    assert.equal(leases.get(other)?.token, 'lease-c', 'another run is untouched');
  });
});
