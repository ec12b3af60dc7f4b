// runboard stats: the flow metrics of the demo run (simulated agents, failures retried) equal
// what this test computes on its own from the run's log — per task wait (claimable → first claim)
// and work (first claim → done), attempts and the agent that completed it.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { assertBuilt, cli, cliJson, eventsOnDisk, removeTempWorkspaces, tempWorkspace } from './cliHarness';

after(removeTempWorkspaces);

interface LoggedTask {
  id: string;
  status: string;
  depends_on_task_ids: string[];
  assigned_agent?: string;
}

/** Wait and work per task, from the log alone, by the definition of PROTOCOL.md §runStats. */
function expectedFlows(events: { seq: number; ts_ms: number; type: string; payload: { task?: LoggedTask } }[]) {
  const status = new Map<string, LoggedTask>();
  const claimable = new Map<string, number>();
  const firstClaim = new Map<string, number>();
  const done = new Map<string, { at: number; agent?: string }>();
  const claims = new Map<string, number>();
  // Time in progress: from each event that made a task in_progress to the next that did not.
  const working = new Map<string, number>();
  const since = new Map<string, number>();
  for (const e of events) {
    const t = e.payload?.task;
    if (!e.type.startsWith('context.task.') || !t) continue;
    status.set(t.id, t);
    if (t.status === 'in_progress' && !since.has(t.id)) since.set(t.id, e.ts_ms);
    if (t.status !== 'in_progress' && since.has(t.id)) {
      working.set(t.id, (working.get(t.id) ?? 0) + e.ts_ms - since.get(t.id)!);
      since.delete(t.id);
    }
    if (e.type === 'context.task.claimed') {
      if (!firstClaim.has(t.id)) firstClaim.set(t.id, e.ts_ms);
      claims.set(t.id, (claims.get(t.id) ?? 0) + 1);
    }
    if (t.status === 'done' && !done.has(t.id)) done.set(t.id, { at: e.ts_ms, agent: t.assigned_agent });
    for (const [id, x] of status) {
      if (claimable.has(id) || !['pending', 'runnable'].includes(x.status)) continue;
      if (x.depends_on_task_ids.every((d) => status.get(d)?.status === 'done')) claimable.set(id, e.ts_ms);
    }
  }
  return [...status.keys()].map((id) => ({
    task_id: id,
    attempts: claims.get(id),
    agent: done.get(id)?.agent,
    wait_ms: firstClaim.get(id)! - claimable.get(id)!,
    work_ms: working.get(id)!,
  }));
}

describe('runboard stats', () => {
  it('per-task wait and work of the demo run equal those computed from its log', () => {
    assertBuilt();
    const root = tempWorkspace();
    const demo = cliJson(root, ['demo', '--fast', '--agents', '3']);
    const runId = demo.run.run_id;
    const stats = cliJson(root, ['--run', runId, 'stats']);
    const expected = expectedFlows(eventsOnDisk(root, runId) as never);
    assert.equal(stats.tasks.length, 12);
    assert.deepEqual(
      stats.tasks.map((t: Record<string, unknown>) => ({
        task_id: t.task_id,
        attempts: t.attempts,
        agent: t.agent,
        wait_ms: t.wait_ms,
        work_ms: t.work_ms,
      })),
      expected,
    );
    assert.ok(
      stats.tasks.some((t: { attempts: number }) => t.attempts > 1),
      'the retried failures are counted',
    );
    assert.equal(
      stats.over_time.reduce((n: number, s: { done: number }) => n + s.done, 0),
      12,
    );
    assert.equal(stats.over_time.at(-1).by_status.done, 12);
    assert.ok(stats.cycle_by_agent.length >= 2);
    const text = cli(['--root', root, '--run', runId, 'stats']).stdout;
    assert.match(text, /^task +type +status +claims +agent +wait +work/m);
    assert.match(text, /12 done/);
    assert.match(text, /cycle time by type:/);
    // Throughput over time: one bar per slice, the tallest the slice with the most done.
    const most = Math.max(...stats.over_time.map((sl: { done: number }) => sl.done));
    const bars = text.match(/^done per \S+ \(20 slices, at most (\d+)\): \|(.{20})\|$/m);
    assert.ok(bars, text);
    assert.equal(Number(bars[1]), most);
    assert.equal(bars[2].includes('█'), true);
    const five = cli(['--root', root, '--run', runId, 'stats', '--slices', '5']).stdout;
    assert.match(five, /^done per \S+ \(5 slices, at most \d+\): \|.{5}\|$/m, 'slices shows in the text too');
  });
});
