// Workspace lease decisions (PROTOCOL.md §Workspace leases). The facade normalizes paths; these
// functions get them normalized and decide: bind, nothing, pause, or rebind.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunHarness } from './harness';

describe('validateWorkspaceLease', () => {
  it('an unbound run is bound with lease_epoch 1: workspace_validated with the run status', () => {
    const h = new RunHarness();
    h.appendEvent({ type: 'go', status: 'running' });
    const check = h.validateWorkspace('/ws/a', { phase: 'tool_call', step_id: 'step-1' });
    assert.equal(check.ok, true);
    assert.equal(check.mismatch, false);
    assert.equal(check.expected_path, '/ws/a');
    assert.equal(check.events.length, 1);
    const [e] = check.events;
    assert.equal(e.type, 'workspace_validated');
    assert.equal(e.status, 'running');
    assert.equal(e.step_id, 'step-1');
    const workspace = { workspace_id: '', canonical_path: '/ws/a', lease_epoch: 1 };
    assert.deepEqual(e.payload, { phase: 'tool_call', expected_path: '/ws/a', actual_path: '/ws/a', workspace });
    assert.deepEqual(h.run.workspace, workspace);
    assert.equal(h.run.status, 'running');
  });

  it('binding keeps a higher lease_epoch', () => {
    const h = new RunHarness();
    h.validateWorkspace('/ws/a');
    h.rebindWorkspace('/ws/b');
    // An empty path never comes from the facade; here it models an unbound run with a lease history.
    h.rebindWorkspace('');
    assert.equal(h.run.workspace.lease_epoch, 3);
    h.validateWorkspace('/ws/c');
    assert.deepEqual(h.run.workspace, { workspace_id: '', canonical_path: '/ws/c', lease_epoch: 3 });
  });

  it('the same path writes nothing', () => {
    const h = new RunHarness({ canonicalPath: '/ws/a' });
    const seq = h.run.last_event_seq;
    const check = h.validateWorkspace('/ws/a');
    assert.deepEqual(check, { ok: true, mismatch: false, events: [], expected_path: '/ws/a' });
    assert.equal(h.run.last_event_seq, seq);
  });

  it('on a board shared by machines another path is the same board: nothing written, the run goes on', () => {
    const h = new RunHarness({ canonicalPath: '/machine-a/ws' });
    h.appendEvent({ type: 'go', status: 'running' });
    const seq = h.run.last_event_seq;
    const check = h.validateWorkspace('/machine-b/checkout', {}, 'board');
    assert.deepEqual(check, { ok: true, mismatch: false, events: [], expected_path: '/machine-a/ws' });
    assert.deepEqual([h.run.status, h.run.last_event_seq], ['running', seq]);
    // An unbound run is bound as on files: the first machine's path is recorded, for display.
    const unbound = new RunHarness();
    assert.equal(unbound.validateWorkspace('/machine-b/checkout', {}, 'board').events[0].type, 'workspace_validated');
  });

  it('another path pauses a non-terminal run: workspace_mismatch with status paused', () => {
    for (const status of ['queued', 'planning', 'running', 'awaiting_approval', 'paused', 'blocked'] as const) {
      const h = new RunHarness({ canonicalPath: '/ws/a' });
      h.appendEvent({ type: 'set', status });
      const check = h.validateWorkspace('/ws/b', { phase: 'start' });
      assert.equal(check.ok, false);
      assert.equal(check.mismatch, true);
      assert.equal(check.expected_path, '/ws/a');
      const [e] = check.events;
      assert.equal(e.type, 'workspace_mismatch');
      assert.equal(e.status, 'paused');
      assert.deepEqual(e.payload, {
        phase: 'start',
        expected_path: '/ws/a',
        actual_path: '/ws/b',
        workspace: { workspace_id: '', canonical_path: '/ws/a', lease_epoch: 1 },
      });
      assert.equal(h.run.status, 'paused', `from ${status}`);
      assert.equal(h.run.workspace.canonical_path, '/ws/a', 'the binding stays');
      if (status !== 'paused') assert.match(h.run.why_next_step ?? '', /\/ws\/a.*\/ws\/b/);
    }
  });

  it('another path on a terminal run records nothing and keeps the status', () => {
    for (const status of ['completed', 'failed', 'cancelled'] as const) {
      const h = new RunHarness({ canonicalPath: '/ws/a' });
      h.appendEvent({ type: 'end', status });
      const seq = h.run.last_event_seq;
      const check = h.validateWorkspace('/ws/b');
      assert.deepEqual(check, { ok: false, mismatch: true, events: [], expected_path: '/ws/a' });
      assert.equal(h.run.status, status);
      assert.equal(h.run.last_event_seq, seq);
    }
  });

  it('a terminal run may still be bound for the first time', () => {
    const h = new RunHarness();
    h.finish();
    h.validateWorkspace('/ws/a');
    assert.equal(h.run.workspace.canonical_path, '/ws/a');
    assert.equal(h.run.status, 'completed');
  });
});

describe('rebindWorkspace', () => {
  it('replaces the path and bumps lease_epoch: workspace_rebound', () => {
    const h = new RunHarness({ canonicalPath: '/ws/a' });
    h.appendEvent({ type: 'go', status: 'running' });
    const e = h.rebindWorkspace('/ws/b');
    assert.equal(e.type, 'workspace_rebound');
    assert.equal(e.status, 'running');
    assert.deepEqual(e.payload, { previous_path: '/ws/a', workspace: { workspace_id: '', canonical_path: '/ws/b', lease_epoch: 2 } });
    assert.deepEqual(h.run.workspace, { workspace_id: '', canonical_path: '/ws/b', lease_epoch: 2 });
    h.rebindWorkspace('/ws/c');
    assert.equal(h.run.workspace.lease_epoch, 3);
  });

  it('resumes a run paused by a workspace mismatch', () => {
    const h = new RunHarness({ canonicalPath: '/ws/a' });
    h.appendEvent({ type: 'go', status: 'running' });
    h.validateWorkspace('/ws/b');
    assert.equal(h.run.status, 'paused');
    assert.equal(h.run.status_changed_by, 'workspace_mismatch');
    // Another event that keeps the status does not change who paused it.
    h.appendEvent({ type: 'note', status: 'paused' });
    const e = h.rebindWorkspace('/ws/b');
    assert.equal(e.status, 'running');
    assert.equal(h.run.status, 'running');
    assert.match(h.run.why_next_step ?? '', /\/ws\/b/);
    assert.equal(h.validateWorkspace('/ws/b').events.length, 0, 'now bound to the new path');
  });

  it('does not resume a run paused by the operator (also when a mismatch came later)', () => {
    const h = new RunHarness({ canonicalPath: '/ws/a' });
    h.appendEvent({ type: 'go', status: 'running' });
    h.appendEvent({ type: 'run_paused', status: 'running' });
    h.validateWorkspace('/ws/b');
    assert.equal(h.run.status_changed_by, 'run_paused');
    assert.equal(h.rebindWorkspace('/ws/b').status, 'paused');
    assert.equal(h.run.status, 'paused');
  });

  it('does not resume a run whose mismatch pause was followed by a resume and an operator pause', () => {
    const h = new RunHarness({ canonicalPath: '/ws/a' });
    h.validateWorkspace('/ws/b');
    h.appendEvent({ type: 'run_resumed', status: 'running' });
    h.appendEvent({ type: 'run_paused', status: 'running' });
    h.rebindWorkspace('/ws/b');
    assert.equal(h.run.status, 'paused');
  });

  it('keeps the status of running, blocked and terminal runs', () => {
    for (const status of ['running', 'blocked', 'queued', 'completed', 'failed', 'cancelled'] as const) {
      const h = new RunHarness({ canonicalPath: '/ws/a' });
      if (status !== 'queued') h.appendEvent({ type: 'set', status });
      const e = h.rebindWorkspace('/ws/z');
      assert.equal(e.status, status);
      assert.equal(h.run.status, status);
      assert.equal(h.run.workspace.canonical_path, '/ws/z');
      assert.equal(h.run.workspace.lease_epoch, 2);
    }
  });

  it('an unbound run is bound by a rebind too (epoch 0 → 1)', () => {
    const h = new RunHarness();
    h.rebindWorkspace('/ws/a');
    assert.deepEqual(h.run.workspace, { workspace_id: '', canonical_path: '/ws/a', lease_epoch: 1 });
  });
});
